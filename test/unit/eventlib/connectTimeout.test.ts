import { Writable } from 'node:stream';
import * as kafkajs from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus, isEventLibError, validateBusOptions, type BusOptions } from '../../../eventlib/index.js';
import { kafkaLogLevel } from '../../../eventlib/kafka/client.js';
import { refusedPort, silentServer, type SilentServer } from '../../helpers/deadPorts.js';

/** A pino logger at `level` that keeps its lines. */
function capture(level = 'info') {
  const lines: { level: number; msg: string }[] = [];
  const log = pino(
    { level },
    new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        cb();
      },
    }),
  );
  return { log, lines };
}

/** How `createEventBus` fails, and how long it took. */
async function failedStart(options: BusOptions): Promise<{ err: unknown; ms: number }> {
  const started = Date.now();
  const err = await createEventBus(options).then(
    async (bus) => {
      await bus.close();
      return new Error('the bus connected');
    },
    (e: unknown) => e,
  );
  return { err, ms: Date.now() - started };
}

const TIMEOUT = 1000;
/** Generous: the bound is the timeout, the margin only absorbs a loaded machine. */
const WITHIN = TIMEOUT + 3000;

describe('connecting within connectTimeoutMs', () => {
  let silent: SilentServer;
  beforeAll(async () => void (silent = await silentServer()));
  afterAll(() => silent.close());

  it('defaults to 10 s, and refuses less than 100 ms', () => {
    expect(validateBusOptions({ kind: 'kafka', brokers: 'k:9092' })).toMatchObject({ connectTimeoutMs: 10_000 });
    expect(validateBusOptions({ kind: 'redis', connectTimeoutMs: 2000 })).toMatchObject({ connectTimeoutMs: 2000 });
    expect(() => validateBusOptions({ kind: 'redis', connectTimeoutMs: 50 })).toThrow(/connectTimeoutMs/);
  });

  for (const server of ['Kafka', 'Redis'] as const) {
    for (const port of ['silent', 'refused'] as const) {
      it(`${server} on a ${port} port: one EVT_ERR_CONNECTION within the timeout, no kafkajs lines`, async () => {
        const { log, lines } = capture();
        const at = `127.0.0.1:${port === 'silent' ? silent.port : await refusedPort()}`;
        const options: BusOptions =
          server === 'Kafka'
            ? { kind: 'kafka', brokers: at, connectTimeoutMs: TIMEOUT, logger: log }
            : { kind: 'redis', url: `redis://${at}`, connectTimeoutMs: TIMEOUT, logger: log };
        const { err, ms } = await failedStart(options);
        expect(isEventLibError(err, 'EVT_ERR_CONNECTION'), String(err)).toBe(true);
        expect((err as { retriable: boolean }).retriable).toBe(true);
        const where = server === 'Kafka' ? at : `redis://${at}`;
        expect((err as Error).message).toMatch(
          new RegExp(`^cannot reach ${server} at ${where} within ${TIMEOUT} ms \\(.+\\)$`),
        );
        expect((err as Error).message).not.toContain('\n');
        expect(ms).toBeLessThan(WITHIN);
        // Nothing at info or above: the one error says it all (kafkajs's retries went to debug).
        expect(lines.filter((l) => l.level >= 30).map((l) => l.msg)).toEqual([]);
      }, 15_000);
    }
  }

  it('keeps the server trying while the timeout lasts (a refused Kafka is tried more than once)', async () => {
    const { log, lines } = capture('debug');
    const at = `127.0.0.1:${await refusedPort()}`;
    const { err } = await failedStart({ kind: 'kafka', brokers: at, connectTimeoutMs: TIMEOUT, logger: log });
    expect(isEventLibError(err, 'EVT_ERR_CONNECTION')).toBe(true);
    expect(lines.filter((l) => l.msg === 'Kafka not reachable yet; retrying').length).toBeGreaterThan(1);
  }, 15_000);
});

describe("kafkajs's log level follows the bus logger's", () => {
  it('warn and above by default; kafkajs info from debug; everything from trace; none when silent', () => {
    const { logLevel } = kafkajs;
    expect(kafkaLogLevel(kafkajs, 'info')).toBe(logLevel.WARN);
    expect(kafkaLogLevel(kafkajs, 'warn')).toBe(logLevel.WARN);
    expect(kafkaLogLevel(kafkajs, 'error')).toBe(logLevel.ERROR);
    expect(kafkaLogLevel(kafkajs, 'debug')).toBe(logLevel.INFO);
    expect(kafkaLogLevel(kafkajs, 'trace')).toBe(logLevel.DEBUG);
    expect(kafkaLogLevel(kafkajs, 'silent')).toBe(logLevel.NOTHING);
    // The start-up probe, whose failures end in one error, logs only when debug is on.
    expect(kafkaLogLevel(kafkajs, 'info', true)).toBe(logLevel.NOTHING);
    expect(kafkaLogLevel(kafkajs, 'debug', true)).toBe(logLevel.INFO);
  });
});
