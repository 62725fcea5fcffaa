import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus, type Envelope, type EventBus } from '../../../eventlib/index.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_METADATA } from '../../../platform/index.js';
import { freePort } from '../../../docker/stack/ports.js';
import { infra } from '../../setup/infra.js';
import { waitForOrdersGateway } from '../../helpers/ordersScenarios.js';
import { jsonClient } from '../../helpers/ordersPlatform.js';
import { startCli, type CliProcess, waitForReady } from '../../helpers/processes.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';

interface Answer {
  status: number;
  body: unknown;
}

/** Every write route of the gateway, each with one request; later cases may use what earlier ones created. */
interface WriteCase {
  name: string;
  method: 'POST' | 'PUT' | 'DELETE';
  path: (made: Record<string, string>) => string;
  body?: (made: Record<string, string>) => unknown;
  /** Remembers ids for later cases. */
  keep?: (answer: Answer, made: Record<string, string>) => void;
}

const run = randomUUID().slice(0, 8);
const CASES: WriteCase[] = [
  {
    name: 'add a book',
    method: 'POST',
    path: () => '/bookshelf/books',
    body: () => ({ title: `Idempotent ${run}`, author: 'Key' }),
    keep: (a, made) => void (made.book = (a.body as { id: string }).id),
  },
  { name: 'finish a book', method: 'POST', path: (m) => `/bookshelf/books/${m.book}/finished` },
  {
    name: 'request books',
    method: 'POST',
    path: () => '/lending/requests',
    body: () => ({ user: `u-${run}`, books: [`b-${run}`] }),
  },
  {
    name: 'return books and wait',
    method: 'POST',
    path: () => '/lending/returns?wait=true',
    body: () => ({ user: `u-${run}`, books: [`b-${run}`] }),
  },
  {
    name: 'create customers',
    method: 'POST',
    path: () => '/customers',
    body: () => [{ name: 'Kay', email: `kay-${run}@example.com` }],
    keep: (a, made) => void (made.customer = (a.body as string[])[0]!),
  },
  { name: 'change a customer', method: 'PUT', path: (m) => `/customer/${m.customer}`, body: () => ({ name: 'Kaye' }) },
  {
    name: 'place an order',
    method: 'POST',
    path: () => '/order',
    body: (m) => ({ product_ids: ['nothing'], customer_id: m.customer }),
  },
  { name: 'delete a customer', method: 'DELETE', path: (m) => `/customer/${m.customer}` },
  { name: 'load the demo shop', method: 'POST', path: () => '/init-data' },
  {
    name: 'catalog a library book',
    method: 'POST',
    path: () => '/library/api/books',
    body: () => [
      { id: `lib-${run}`, title: 'Keyed', author: 'Writes', copies: 1, coverUrl: 'https://example.com/c.png' },
    ],
  },
];

const post = async (base: string, method: string, path: string, key: string, body: unknown): Promise<Answer> => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      [IDEMPOTENCY_KEY_HEADER]: key,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
};

/**
 * Sends like a client that retries: while the gateway answers 503 (a service just started and is not in
 * discovery yet), the same request with the same key again. That is what the key is for.
 */
const send = (base: string, c: WriteCase, made: Record<string, string>, key: string): Promise<Answer> =>
  waitFor(
    async () => {
      const answer = await post(base, c.method, c.path(made), key, c.body?.(made));
      return answer.status === 503 ? undefined : answer;
    },
    { timeoutMs: 30_000, what: `${c.name}: an answer other than 503` },
  );

const keyFor = (c: WriteCase) => `${run}-${c.name.replaceAll(' ', '-')}`;
const keyOf = (e: Envelope): string => {
  const key = e.metadata[IDEMPOTENCY_METADATA.key];
  return typeof key === 'string' ? key : '';
};

interface Mode {
  name: string;
  args: (topic: string, dataFile: string) => string[];
  env: NodeJS.ProcessEnv;
  /** Every event in the log carrying an idempotency key of this run. */
  keyed: (topic: string, dataFile: string) => Promise<Envelope[]>;
}

/** Events on the platform's topics, read by a bus of the test's own. */
const onBus = (open: () => Promise<EventBus>) => async (topic: string) => {
  const bus = await open();
  const seen: Envelope[] = [];
  try {
    for (const t of [topic, `${topic}.orders`, 'lending-commands', 'library']) {
      const sub = await bus.subscribe({
        topics: [t],
        group: uniqueName('keys'),
        from: 'beginning',
        handler: (e) => {
          if (keyOf(e).startsWith(run)) seen.push(e);
        },
      });
      await sub.waitUntilCaughtUp(30_000);
      await sub.close();
    }
  } finally {
    await bus.close();
  }
  return seen;
};

const silent = pino({ level: 'silent' });
const MODES: Mode[] = [
  {
    name: 'bookshelf start --data-file (embedded)',
    args: (_t, file) => ['start', '--data-file', file],
    env: { KAFKA_BROKERS: '', REDIS_URL: '', CONSUL_HTTP_ADDR: '' },
    keyed: async (_t, file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { t: string; v?: string })
        .filter((l) => l.t === 'rec' && l.v !== undefined)
        .map((l) => JSON.parse(l.v!) as Envelope)
        .filter((e) => keyOf(e).startsWith(run)),
  },
  {
    name: 'bookshelf up on Kafka',
    args: (topic) => ['up', '--broker', infra().kafkaBrokers, '--consul', infra().consulAddr, '--topic', topic],
    env: { REDIS_URL: '' },
    keyed: (topic) =>
      onBus(() => createEventBus({ kind: 'kafka', brokers: infra().kafkaBrokers, logger: silent }))(topic),
  },
  {
    name: 'bookshelf up on Redis',
    args: (topic) => ['up', '--redis', infra().redisUrl, '--consul', infra().consulAddr, '--topic', topic],
    env: { KAFKA_BROKERS: '' },
    keyed: (topic) => onBus(() => createEventBus({ kind: 'redis', url: infra().redisUrl, logger: silent }))(topic),
  },
];

/**
 * Issue 13, point 3: every write route takes an `Idempotency-Key`; a retry gets the first answer and appends
 * nothing, also after the whole platform (gateway and services) restarted, because the key is kept in the log.
 */
describe.each(MODES)('Idempotency-Key on every write route: $name', (mode) => {
  const topic = uniqueName('idem');
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-idem-'));
  const dataFile = join(dir, 'events.jsonl');
  let port = 0;
  let platform: CliProcess | undefined;
  const base = () => `http://127.0.0.1:${port}`;
  const start = async () => {
    platform = startCli([...mode.args(topic, dataFile), '--port', String(port)], mode.env);
    await waitForReady(`${base()}/ready`, platform, 120_000);
    await waitForOrdersGateway(jsonClient(base()));
  };
  beforeAll(async () => {
    port = await freePort();
    await start();
  });
  afterAll(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const made: Record<string, string> = {};
  const first = new Map<string, Answer>();
  const count = async () => {
    const byKey = new Map<string, number>();
    for (const e of await mode.keyed(topic, dataFile)) byKey.set(keyOf(e), (byKey.get(keyOf(e)) ?? 0) + 1);
    return byKey;
  };
  let before: Map<string, number>;

  it('a retry with the same key gets the same answer and appends nothing', async () => {
    for (const c of CASES) {
      const key = keyFor(c);
      const answer = await send(base(), c, made, key);
      expect({ case: c.name, ok: answer.status < 300 }).toEqual({ case: c.name, ok: true });
      c.keep?.(answer, made);
      first.set(c.name, answer);
      expect({ case: c.name, retry: await send(base(), c, made, key) }).toEqual({ case: c.name, retry: answer });
    }
    before = await waitFor(
      async () => {
        const counts = await count();
        return CASES.every((c) => (counts.get(keyFor(c)) ?? 0) > 0) ? counts : undefined;
      },
      { what: 'every keyed write in the log' },
    );
  });

  it('the same key on another request is 422 problem+json and appends nothing', async () => {
    const c = CASES[0]!;
    const res = await fetch(`${base()}${c.path(made)}`, {
      method: 'POST',
      headers: { [IDEMPOTENCY_KEY_HEADER]: keyFor(c), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Another book', author: 'Key' }),
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('REST_ERR_IDEMPOTENCY_KEY_REUSED');
    expect(await count()).toEqual(before);
  });

  it('after a restart of the whole platform a retry still gets the first answer, and nothing is appended', async () => {
    await platform!.stop();
    await start();
    for (const c of CASES) {
      expect({ case: c.name, retry: await send(base(), c, made, keyFor(c)) }).toEqual({
        case: c.name,
        retry: first.get(c.name),
      });
    }
    expect(await count()).toEqual(before);
  });
});
