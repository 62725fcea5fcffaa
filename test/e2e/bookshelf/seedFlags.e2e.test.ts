import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { runCli, startCli, stopAllCli, waitForReady } from '../../helpers/processes.js';

const noInfra = { KAFKA_BROKERS: '', REDIS_URL: '', CONSUL_HTTP_ADDR: '', BOOKSHELF_INFRA: '' };

/** Issue 12, point 4: every bookshelf service takes the bookshelf seed's `--delay N` (postpone start-up N s). */
describe("the bookshelf seed's --delay flag", () => {
  afterAll(async () => {
    await stopAllCli();
  });

  it.each([
    ['aggregate', 'new-book'],
    ['aggregate', 'read-book'],
    ['view', 'last-read'],
    ['view', 'book-list'],
  ])('bookshelf %s %s --delay 1 waits, then serves', async (kind, service) => {
    const port = await freePort();
    const p = startCli([kind, service, '--delay', '1', '--port', String(port)], {
      ...noInfra,
      BOOKSHELF_LOG_LEVEL: 'info',
    });
    await waitForReady(`http://127.0.0.1:${port}/ready`, p, 60_000);
    const out = p.output();
    const delayed = out.indexOf('delaying start-up (--delay)');
    expect(delayed).toBeGreaterThanOrEqual(0);
    expect(out).toContain('"seconds":1');
    expect(out.indexOf('ready to serve')).toBeGreaterThan(delayed);
    expect(await p.stop()).toBe(0);
  });

  it('a bad --delay is one clear line and exit code 2', async () => {
    const { code, output } = await runCli(['view', 'last-read', '--delay', 'soon'], noInfra);
    expect(code).toBe(2);
    expect(output.trim().split('\n')).toEqual([
      expect.stringContaining('--delay must be a whole number of seconds from 0 to 3600'),
    ]);
  });
});
