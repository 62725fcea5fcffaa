import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus } from '../../../../eventlib/index.js';
import { runCli, startCli, stopAllCli } from '../../../helpers/processes.js';
import { waitFor } from '../../../helpers/wait.js';
import { collectEvents, freshTopics, TRANSPORTS } from './support.js';

describe.each(TRANSPORTS)('bookshelf books on $name', (transport) => {
  let bus: EventBus;
  beforeAll(async () => {
    bus = await transport.bus();
  });
  afterAll(() => bus.close());

  // Generous: about ten CLI starts, and a test that times out would go on killing the next test's processes.
  it(
    'prints OK once queued, --wait prints the outcome; bad input is one line, exit non-zero and nothing is queued',
    { timeout: 240_000 },
    async () => {
      const { namespace, topics } = freshTopics();
      const args = [...transport.clientFlags(), '--namespace', namespace];
      const log = await collectEvents(bus, topics);
      const queued: string[] = [];
      const commands = await bus.subscribe({
        topics: [topics.commands],
        group: `${namespace}spy`,
        from: 'beginning',
        handler: (e) => void queued.push(e.type),
      });
      try {
        // Side by side: each is a CLI start (a few seconds on a loaded machine).
        const bads = [
          ['books', 'request', ' ', 'b1'],
          ['books', 'request', 'ann', 'x'.repeat(201)],
          ['books', 'request', 'ann', ...Array.from({ length: 101 }, (_, i) => `b${i}`)],
          ['books', 'borrow', 'ann', 'b1'],
          ['books', 'request', 'ann'],
        ];
        const results = await Promise.all(bads.map((bad) => runCli([...bad, ...args])));
        for (const [i, result] of results.entries()) {
          expect(result.code, bads[i]!.slice(0, 3).join(' ')).not.toBe(0);
          expect(result.output.trim().split('\n'), bads[i]!.slice(0, 3).join(' ')).toHaveLength(1);
          expect(result.output).toMatch(/^bookshelf: /);
        }
        const ok = await runCli(['books', 'request', 'ann', 'b1', 'b1', 'b2', ...args]);
        expect(ok).toMatchObject({ code: 0 });
        expect(ok.output.trim()).toBe('OK');
        await waitFor(() => queued.length === 1, { what: 'the request on the command topic' });

        startCli(['lending-worker', 'cli-w', ...transport.flags(), '--namespace', namespace]);
        const waited = await runCli(['books', 'request', 'bob', 'b1', 'b3', '--wait', ...args]);
        expect(waited.code).toBe(0);
        expect(waited.output.trim().split('\n')).toEqual([
          'OK',
          expect.stringMatching(/^accepted: b3 \(due \d{4}-\d\d-\d\d\); skipped: b1 \(unavailable\); bob holds 1$/),
        ]);
        const returned = await runCli(['books', 'return', 'ann', 'b2', 'b9', '--wait', ...args]);
        expect(returned.output.trim().split('\n')[1]).toBe('returned: b2; ignored (not held): b9; ann holds 1');
        expect(queued).toHaveLength(3);
        expect(log.outcomes().map((o) => o.type)).toEqual(['books-lent', 'books-lent', 'books-returned']);
      } finally {
        await commands.close();
        await log.close();
        await stopAllCli();
      }
    },
  );
});
