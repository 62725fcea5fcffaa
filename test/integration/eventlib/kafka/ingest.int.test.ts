import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bareJsonAsRead, textLineAsRead } from '../../../../aggregates/bookshelf/ingest.js';
import { bookshelfRegistry } from '../../../../aggregates/bookshelf/registry.js';
import {
  createEventBus,
  DeadLetterDataSchema,
  type DeadLetterData,
  type Envelope,
  type EventBus,
} from '../../../../eventlib/index.js';
import { infra } from '../../../setup/infra.js';
import { uniqueName, waitFor } from '../../../helpers/wait.js';

const exec = promisify(execFile);
const { kafkaBrokers } = infra();

/** 2 000 bytes from a fixed seed (xorshift): not UTF-8, and full of control bytes. */
function randomBytes(): Buffer {
  let x = 0x2545f491;
  const bytes = Buffer.alloc(2_000);
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

describe('kafka ingest of raw bytes pushed with kcat (SPEC §2, the bookshelf rules)', () => {
  let bus: EventBus;
  let dir: string;
  afterAll(async () => {
    await bus?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads only text lines and JSON strings as titles: invalid UTF-8, null, numbers and control characters are poison', async () => {
    bus = await createEventBus({ kind: 'kafka', brokers: kafkaBrokers, partitions: 1 });
    const topic = uniqueName('kafka-bytes');
    await bus.ensureTopic(topic, { partitions: 1 });
    dir = await mkdtemp(join(tmpdir(), 'eventlib-bytes-'));
    const payloads: [string, Buffer][] = [
      ['random', randomBytes()],
      ['latin1', Buffer.from('Caf\xe9 au lait', 'latin1')], // not UTF-8, and no control byte in it
      ['null', Buffer.from('null')],
      ['number', Buffer.from('42')],
      ['control', Buffer.from('Du\u0007ne')],
      ['json-string', Buffer.from('"Dune"')],
      ['text', Buffer.from('Dune')],
    ];
    const files: string[] = [];
    for (const [name, bytes] of payloads) {
      const file = join(dir, name);
      await writeFile(file, bytes);
      files.push(file);
    }
    // Each file argument is produced as one message, byte for byte (newlines and all).
    await exec('kcat', ['-P', '-b', kafkaBrokers, '-t', topic, ...files]);

    const seen: Envelope[] = [];
    const sub = await bus.subscribe({
      topics: [topic],
      group: uniqueName('lastread'),
      registry: bookshelfRegistry(),
      ingest: { text: textLineAsRead, bareJson: bareJsonAsRead },
      handler: (event) => void seen.push(event),
    });
    await waitFor(() => sub.stats().handled + sub.stats().poison >= payloads.length, { what: 'every message' });
    await sub.waitUntilCaughtUp(20_000);
    expect(seen.map((e) => [e.type, e.data])).toEqual([
      ['book-read', { title: 'Dune' }],
      ['book-read', { title: 'Dune' }],
    ]);
    expect(sub.stats()).toMatchObject({ poison: 5, acked: 2 });

    const letters: DeadLetterData[] = [];
    const reader = await bus.subscribe({
      topics: [`${topic}.dlq`],
      group: uniqueName('dlq-reader'),
      handler: (event) => void letters.push(DeadLetterDataSchema.parse(event.data)),
    });
    await waitFor(() => letters.length >= 5, { what: 'five dead letters' });
    await reader.waitUntilCaughtUp(20_000);
    const byOffset = new Map(letters.map((l) => [Number(l.source.offset), l]));
    expect(letters).toHaveLength(5);
    // Bytes that are not UTF-8 are kept exactly (base64), so they can be inspected and replayed.
    for (const offset of [0, 1]) {
      const letter = byOffset.get(offset)!;
      expect(letter).toMatchObject({ cause: 'poison', reason: 'the payload is not valid UTF-8' });
      expect(letter.source.encoding).toBe('base64');
      expect(Buffer.from(letter.source.value!, 'base64').equals(payloads[offset]![1])).toBe(true);
    }
    expect(byOffset.get(2)!.reason).toBe('a JSON null is not an event');
    expect(byOffset.get(3)!.reason).toBe('a JSON number is not an event');
    expect(byOffset.get(4)!.reason).toMatch(/rejected/);
    expect(byOffset.get(4)!.source.value).toBe('Du\u0007ne');
  });
});
