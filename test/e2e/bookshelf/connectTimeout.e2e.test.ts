import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infra } from '../../setup/infra.js';
import { refusedPort, silentServer, type SilentServer } from '../../helpers/deadPorts.js';
import { startCli, stopAllCli } from '../../helpers/processes.js';

const TIMEOUT_MS = 2000;
/** Generous on purpose: starting the CLI with tsx takes seconds on a busy machine; the point is "not forever". */
const MARGIN_MS = 8000;

/** The run's own infrastructure variables would pick Kafka or Consul for every case: the flags alone decide. */
const CLEAN_ENV = {
  KAFKA_BROKERS: undefined,
  REDIS_URL: undefined,
  CONSUL_HTTP_ADDR: undefined,
  BOOKSHELF_BROKER: undefined,
  BOOKSHELF_REDIS: undefined,
  BOOKSHELF_CONSUL: undefined,
  BOOKSHELF_CONNECT_TIMEOUT_MS: undefined,
  // The default log level: nothing kafkajs-ish may be printed at it.
  BOOKSHELF_LOG_LEVEL: undefined,
  LOG_LEVEL: undefined,
};

/**
 * Issue 21 point 6: `bookshelf up` against a server that accepts and never answers, or a port nobody listens on,
 * exits non-zero within --connect-timeout (plus process start), its last stderr line the one clear line, with no
 * stack trace and no kafkajs JSON anywhere.
 */
describe('bookshelf up fails fast and clearly when Kafka, Redis or Consul cannot be reached', () => {
  let silent: SilentServer;
  beforeAll(async () => void (silent = await silentServer()));
  afterAll(async () => {
    await stopAllCli();
    await silent.close();
  });

  const cases = [
    { server: 'Kafka', flags: (at: string) => ['--broker', at], shown: (at: string) => at },
    { server: 'Redis', flags: (at: string) => ['--redis', `redis://${at}`], shown: (at: string) => `redis://${at}` },
    // A real bus beside the unreachable agent: Consul is what fails.
    {
      server: 'Consul',
      flags: (at: string) => ['--redis', infra().redisUrl, '--consul', at],
      shown: (at: string) => at,
    },
  ] as const;

  for (const { server, flags, shown } of cases) {
    for (const kind of ['silent', 'refused'] as const) {
      it(`${server} on a ${kind} port: exit 1 within the timeout, one clear line`, async () => {
        const at = `127.0.0.1:${kind === 'silent' ? silent.port : await refusedPort()}`;
        const started = Date.now();
        const cli = startCli(['up', ...flags(at), '--port', '0', '--connect-timeout', String(TIMEOUT_MS)], CLEAN_ENV);
        const code = await cli.exited;
        const elapsed = Date.now() - started;

        expect(code, cli.output()).toBe(1);
        expect(elapsed, cli.output()).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
        const lines = cli
          .stderr()
          .split('\n')
          .filter((l) => l.trim() !== '');
        expect(lines, cli.output()).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(`^bookshelf: cannot reach ${server} at ${escape(shown(at))} within ${TIMEOUT_MS} ms \\(.+\\)$`),
        );
        // Nothing else anywhere: no stack trace, no kafkajs line, no JSON error object.
        const all = cli.output();
        expect(all).not.toMatch(/^\s+at /m);
        expect(all).not.toMatch(/kafkajs/i);
        expect(all).not.toMatch(/"level":(50|60)/);
        if (kind === 'silent') expect(silent.accepted()).toBeGreaterThan(0);
      }, 60_000);
    }
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
