import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecuredStack, type SecuredStack } from '../../../docker/stack/index.js';
import { freePort } from '../../../docker/stack/ports.js';
import {
  acquireInstanceLock,
  connectRegistry,
  type InstanceLockOptions,
  type RegistryOptions,
} from '../../../discolib/index.js';
import { startReadyServer } from '../../../discolib/testing/index.js';
import { createEventBus, newEvent, type BusOptions, type Envelope } from '../../../eventlib/index.js';
import { startCli, stopAllCli, waitForReady, type CliProcess } from '../../helpers/processes.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';

/**
 * Issue 17, points 3 and 4: Kafka (SASL_SSL, SCRAM-SHA-512), Redis (TLS, an ACL user) and Consul (HTTPS, ACLs with
 * default deny) that require credentials, with a CA made for the run. eventlib, discolib and the CLI work against
 * them with the right credentials; a wrong password, token or CA is one typed error at once (never retried until the
 * connect timeout), and through the CLI one stderr line and a non-zero exit. No secret is ever printed: every output
 * of every CLI run here, at debug level, and the OpenAPI document are searched for each of them.
 *
 * The file starts its own servers (on free ports) and stops them; the run's shared stack is not used.
 */

const silent = pino({ level: 'silent' });
/** Long on purpose: a refusal must come back well before it, so the elapsed time shows it was not retried. */
const CONNECT_TIMEOUT_MS = 60_000;
/** How fast a refusal must be, in process (a CLI run adds the start of a process with tsx). */
const REFUSED_WITHIN_MS = 10_000;
const CLI_REFUSED_WITHIN_MS = 40_000;

/** The run's own infrastructure variables must not pick a server for a CLI run here: the flags alone decide. */
const CLEAN_ENV: NodeJS.ProcessEnv = {
  KAFKA_BROKERS: undefined,
  REDIS_URL: undefined,
  CONSUL_HTTP_ADDR: undefined,
  CONSUL_HTTP_TOKEN: undefined,
  CONSUL_HTTP_TOKEN_FILE: undefined,
  CONSUL_CACERT: undefined,
  BOOKSHELF_BROKER: undefined,
  BOOKSHELF_REDIS: undefined,
  BOOKSHELF_CONSUL: undefined,
  BOOKSHELF_CONSUL_TOKEN: undefined,
  BOOKSHELF_REDIS_PASSWORD: undefined,
  BOOKSHELF_KAFKA_SASL_PASSWORD: undefined,
  BOOKSHELF_CONNECT_TIMEOUT_MS: undefined,
  LOG_LEVEL: undefined,
  // Everything the services can say: the secrets must not be in any of it.
  BOOKSHELF_LOG_LEVEL: 'debug',
  BOOKSHELF_LOG_FORMAT: 'json',
};

describe('secured Kafka, Redis and Consul (issue 17, points 3 and 4)', () => {
  let stack: SecuredStack;
  /** Passwords and tokens that are wrong on purpose: they must not be printed either. */
  const wrong = { kafka: secret('wrongkafka'), redis: secret('wrongredis'), token: '' };
  /** Every CLI run of the file, to search for secrets at the end too. */
  const runs: { what: string; proc: CliProcess }[] = [];
  const cli = (what: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const proc = startCli(args, { ...CLEAN_ENV, ...env });
    runs.push({ what, proc });
    return proc;
  };
  let files: { kafkaPassword: string; redisPassword: string; consulToken: string };

  beforeAll(async () => {
    stack = await startSecuredStack({ reapWithOwner: true });
    wrong.token = randomUUIDLike();
    const file = (name: string, text: string) => {
      const path = join(stack.dataDir, name);
      writeFileSync(path, `${text}\n`, { mode: 0o600 });
      return path;
    };
    files = {
      kafkaPassword: file('kafka-password', stack.kafka.password),
      redisPassword: file('redis-password', stack.redis.password),
      consulToken: file('consul-token', stack.consul.token),
    };
  }, 180_000);

  afterAll(async () => {
    await stopAllCli();
    await stack?.stop();
  }, 60_000);

  const kafkaBus = (over: Partial<Extract<BusOptions, { kind: 'kafka' }>> = {}): BusOptions => ({
    kind: 'kafka',
    brokers: stack.kafka.brokers,
    clientId: 'secured-test',
    ssl: { ca: [stack.tls.caPem] },
    sasl: { mechanism: 'scram-sha-512', username: stack.kafka.username, password: stack.kafka.password },
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    logger: silent,
    ...over,
  });
  const redisBus = (over: Partial<Extract<BusOptions, { kind: 'redis' }>> = {}): BusOptions => ({
    kind: 'redis',
    url: stack.redis.url,
    username: stack.redis.username,
    password: stack.redis.password,
    tls: { ca: [stack.tls.caPem] },
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    logger: silent,
    ...over,
  });
  const consul = (over: Partial<Extract<RegistryOptions, { kind: 'consul' }>> = {}): RegistryOptions => ({
    kind: 'consul',
    addr: stack.consul.addr,
    secure: true,
    ca: stack.tls.caPem,
    token: stack.consul.token,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    ...over,
  });

  /** Runs `attempt`, expects it to reject with `code` well before the connect timeout; returns the error. */
  const refusedAtOnce = async (attempt: () => Promise<unknown>, code: string) => {
    const started = Date.now();
    const err = (await attempt().then(
      () => undefined,
      (e: unknown) => e,
    )) as { code?: string; retriable?: boolean; message: string } | undefined;
    expect(err, 'expected a refusal').toBeDefined();
    expect(err).toMatchObject({ code, retriable: false });
    expect(Date.now() - started).toBeLessThan(REFUSED_WITHIN_MS);
    expectNoSecret(err!.message, 'the error message');
    return err!;
  };

  const expectNoSecret = (text: string, where: string) => {
    for (const s of allSecrets()) expect(text.includes(s), `a secret in ${where}`).toBe(false);
  };
  /** The stack's passwords and tokens, the wrong ones, and every body line of the servers' private key. */
  const allSecrets = () => [
    ...stack.secrets.filter((s) => !s.includes('PRIVATE KEY')),
    wrong.kafka,
    wrong.redis,
    wrong.token,
    ...keyLines(stack.tls.serverKeyPem),
  ];

  describe('eventlib', () => {
    it('publishes and consumes on Kafka over SASL_SSL (SCRAM-SHA-512)', async () => {
      await roundTrip(await createEventBus(kafkaBus()));
    });

    it('Kafka: a wrong password is EVT_ERR_AUTH and an unknown CA EVT_ERR_TLS, at once', async () => {
      const auth = await refusedAtOnce(
        () =>
          createEventBus(
            kafkaBus({ sasl: { mechanism: 'scram-sha-512', username: stack.kafka.username, password: wrong.kafka } }),
          ),
        'EVT_ERR_AUTH',
      );
      expect(auth.message).toMatch(/^connecting to Kafka at 127\.0\.0\.1:\d+: SASL SCRAM SHA512 authentication failed/);
      const tls = await refusedAtOnce(
        () => createEventBus(kafkaBus({ ssl: { ca: [readPem(stack.tls.otherCaFile)] } })),
        'EVT_ERR_TLS',
      );
      expect(tls.message).toMatch(/certificate.*\(TLS failed: check the CA file/);
    });

    it('publishes and consumes on Redis over TLS as the ACL user', async () => {
      await roundTrip(await createEventBus(redisBus()));
      // The credentials in the URL work too.
      const inUrl = stack.redis.url.replace('//', `//${stack.redis.username}:${stack.redis.password}@`);
      await roundTrip(await createEventBus(redisBus({ url: inUrl, username: undefined, password: undefined })));
    });

    it('Redis: a wrong password or none is EVT_ERR_AUTH and an unknown CA EVT_ERR_TLS, at once', async () => {
      const auth = await refusedAtOnce(() => createEventBus(redisBus({ password: wrong.redis })), 'EVT_ERR_AUTH');
      expect(auth.message).toMatch(/WRONGPASS/);
      await refusedAtOnce(() => createEventBus(redisBus({ username: undefined, password: undefined })), 'EVT_ERR_AUTH');
      await refusedAtOnce(
        () => createEventBus(redisBus({ tls: { ca: [readPem(stack.tls.otherCaFile)] } })),
        'EVT_ERR_TLS',
      );
    });
  });

  describe('discolib', () => {
    it('registers, discovers and deregisters over HTTPS with the services token', async () => {
      const target = await startReadyServer();
      const registry = await connectRegistry(consul(), silent);
      try {
        const name = uniqueName('secured');
        await registry.register({ name, id: `${name}-1`, address: target.address, port: target.port, tags: ['t'] });
        const found = await waitFor(async () => (await registry.discover({ name })).find((i) => i.id === `${name}-1`), {
          timeoutMs: 30_000,
          what: 'the instance passing',
        });
        expect(found).toMatchObject({ port: target.port, tags: ['t'] });
        await registry.deregister(`${name}-1`);
        expect(await registry.discover({ name })).toEqual([]);
      } finally {
        await registry.close();
        await target.close();
      }
    });

    it('an unknown token is DISCO_ERR_FORBIDDEN at connect, no token at register, an unknown CA DISCO_ERR_TLS', async () => {
      const forbidden = await refusedAtOnce(
        () => connectRegistry(consul({ token: wrong.token }), silent),
        'DISCO_ERR_FORBIDDEN',
      );
      expect(forbidden.message).toMatch(/refused the ACL token .*ACL not found/);
      const anonymous = await connectRegistry(consul({ token: undefined }), silent);
      try {
        await refusedAtOnce(
          () => anonymous.register({ name: 'anonymous', id: 'anonymous-1', address: '127.0.0.1', port: 1, tags: [] }),
          'DISCO_ERR_FORBIDDEN',
        );
      } finally {
        await anonymous.close();
      }
      await refusedAtOnce(
        () => connectRegistry(consul({ ca: readPem(stack.tls.otherCaFile) }), silent),
        'DISCO_ERR_TLS',
      );
    });

    const consulLock = (over: Partial<Extract<InstanceLockOptions, { kind: 'consul' }>> = {}): InstanceLockOptions => ({
      kind: 'consul',
      name: uniqueName('lock'),
      addr: stack.consul.addr,
      secure: true,
      ca: stack.tls.caPem,
      token: stack.consul.token,
      ttlMs: 2_000,
      ...over,
    });
    const redisLock = (over: Partial<Extract<InstanceLockOptions, { kind: 'redis' }>> = {}): InstanceLockOptions => ({
      kind: 'redis',
      name: uniqueName('lock'),
      url: stack.redis.url,
      username: stack.redis.username,
      password: stack.redis.password,
      tls: { ca: [stack.tls.caPem] },
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      ttlMs: 2_000,
      ...over,
    });

    it.each([
      ['Consul', consulLock],
      ['Redis', redisLock],
    ] as const)('a %s lock is taken, held against a second holder, and released', async (_kind, options) => {
      const opts = options();
      const lock = await acquireInstanceLock(opts, silent);
      await expect(acquireInstanceLock(opts, silent)).rejects.toMatchObject({ code: 'DISCO_ERR_LOCK_HELD' });
      await lock.release();
      const again = await acquireInstanceLock(opts, silent);
      await again.release();
    });

    it('a lock with a wrong token or password is DISCO_ERR_FORBIDDEN, with an unknown CA DISCO_ERR_TLS', async () => {
      await refusedAtOnce(() => acquireInstanceLock(consulLock({ token: wrong.token }), silent), 'DISCO_ERR_FORBIDDEN');
      await refusedAtOnce(
        () => acquireInstanceLock(consulLock({ ca: readPem(stack.tls.otherCaFile) }), silent),
        'DISCO_ERR_TLS',
      );
      await refusedAtOnce(
        () => acquireInstanceLock(redisLock({ password: wrong.redis }), silent),
        'DISCO_ERR_FORBIDDEN',
      );
      await refusedAtOnce(
        () => acquireInstanceLock(redisLock({ tls: { ca: [readPem(stack.tls.otherCaFile)] } }), silent),
        'DISCO_ERR_TLS',
      );
    });
  });

  describe('the CLI', () => {
    const kafkaFlags = () => [
      '--broker',
      stack.kafka.brokers,
      '--kafka-sasl-username',
      stack.kafka.username,
      '--kafka-ca-file',
      stack.tls.caFile,
    ];
    const consulFlags = () => ['--consul', stack.consul.url, '--consul-ca-file', stack.tls.caFile];
    const redisFlags = () => ['--redis', stack.redis.url, '--redis-username', stack.redis.username];

    it('bookshelf up on secured Kafka and Consul answers a write end to end; no secret in its output or /docs/json', async () => {
      const port = await freePort();
      const topic = uniqueName('secured');
      const up = cli(
        'bookshelf up (Kafka, Consul)',
        ['up', ...kafkaFlags(), ...consulFlags(), '--port', String(port), '--topic', topic],
        {
          BOOKSHELF_KAFKA_SASL_PASSWORD: stack.kafka.password,
          CONSUL_HTTP_TOKEN_FILE: files.consulToken,
        },
      );
      const gw = `http://127.0.0.1:${port}`;
      await waitForReady(`${gw}/ready`, up, 120_000);
      const add = await waitFor(
        async () => {
          const res = await fetch(`${gw}/bookshelf/books`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ title: 'Secured', author: 'Nobody' }),
          });
          return res.status === 201 ? ((await res.json()) as { id: string }) : undefined;
        },
        { timeoutMs: 60_000, what: 'the book added through the gateway' },
      );
      await waitFor(
        async () =>
          ((await (await fetch(`${gw}/bookshelf/books`)).json()) as { id: string }[]).some((b) => b.id === add.id),
        { timeoutMs: 60_000, what: 'the book in the book list (read back from Kafka)' },
      );
      const docs = await (await fetch(`${gw}/docs/json`)).text();
      expect((JSON.parse(docs) as { paths: Record<string, unknown> }).paths).toHaveProperty(['/bookshelf/books']);
      expectNoSecret(docs, 'the OpenAPI document');
      expect(await up.stop(20_000)).toBe(0);
      expect(up.output()).toMatch(/"level":20/); // debug lines were written: the search below means something
      expectNoSecret(up.output(), 'the output of bookshelf up');
    }, 240_000);

    it('bookshelf up on secured Redis and Consul: the hosted lending worker decides a request (its own connections and lock)', async () => {
      const port = await freePort();
      const up = cli(
        'bookshelf up (Redis, Consul)',
        ['up', ...redisFlags(), '--redis-ca-file', stack.tls.caFile, ...consulFlags(), '--port', String(port)],
        { BOOKSHELF_REDIS_PASSWORD_FILE: files.redisPassword, BOOKSHELF_CONSUL_TOKEN: stack.consul.token },
      );
      const gw = `http://127.0.0.1:${port}`;
      await waitForReady(`${gw}/ready`, up, 120_000);
      const decided = await waitFor(
        async () => {
          const res = await fetch(`${gw}/lending/requests?wait=true`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ user: uniqueName('reader'), books: ['dune'] }),
          });
          return res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
        },
        { timeoutMs: 60_000, what: 'a lending request decided through the gateway' },
      );
      expect(decided.status).toBe('accepted');
      expectNoSecret(await (await fetch(`${gw}/docs/json`)).text(), 'the OpenAPI document');
      expect(await up.stop(20_000)).toBe(0);
      expectNoSecret(up.output(), 'the output of bookshelf up on Redis');
    }, 240_000);

    it('lending-worker runs on secured Redis (lock in Redis) and on secured Kafka (lock in Consul)', async () => {
      const onRedis = cli(
        'lending-worker (Redis)',
        [
          'lending-worker',
          'w-redis',
          '-a',
          stack.redis.url,
          '--redis-username',
          stack.redis.username,
          '--redis-ca-file',
          stack.tls.caFile,
          '--namespace',
          uniqueName('ns'),
        ],
        { BOOKSHELF_REDIS_PASSWORD_FILE: files.redisPassword },
      );
      const onKafka = cli(
        'lending-worker (Kafka)',
        [
          'lending-worker',
          'w-kafka',
          ...kafkaFlags(),
          '--consul',
          stack.consul.url,
          '--consul-ca-file',
          stack.tls.caFile,
          '--namespace',
          uniqueName('ns'),
        ],
        { BOOKSHELF_KAFKA_SASL_PASSWORD_FILE: files.kafkaPassword, CONSUL_HTTP_TOKEN: stack.consul.token },
      );
      for (const [proc, line] of [
        [onRedis, 'lending worker w-redis running on redis (lock: redis)'],
        [onKafka, 'lending worker w-kafka running on kafka (lock: consul)'],
      ] as const) {
        await waitFor(() => proc.output().includes(line) || proc.child.exitCode !== null, {
          timeoutMs: 120_000,
          what: line,
        });
        expect(proc.output()).toContain(line);
      }
      expect(await onRedis.stop()).toBe(0);
      expect(await onKafka.stop()).toBe(0);
      expectNoSecret(onRedis.output() + onKafka.output(), 'the lending workers output');
    }, 240_000);

    const failures: {
      what: string;
      args: () => string[];
      env: () => NodeJS.ProcessEnv;
      line: RegExp;
    }[] = [
      {
        what: 'up with a wrong Kafka password',
        args: () => ['up', '--port', '0', ...kafkaFlags(), ...consulFlags()],
        env: () => ({ BOOKSHELF_KAFKA_SASL_PASSWORD: wrong.kafka, BOOKSHELF_CONSUL_TOKEN: stack.consul.token }),
        line: /^bookshelf: connecting to Kafka at 127\.0\.0\.1:\d+: SASL SCRAM SHA512 authentication failed: .*\(check the SASL mechanism, username and password\)$/,
      },
      {
        what: 'up trusting another CA for Kafka',
        args: () => ['up', '--port', '0', ...kafkaFlags().slice(0, -1), stack.tls.otherCaFile, ...consulFlags()],
        env: () => ({
          BOOKSHELF_KAFKA_SASL_PASSWORD: stack.kafka.password,
          BOOKSHELF_CONSUL_TOKEN: stack.consul.token,
        }),
        line: /^bookshelf: connecting to Kafka at .*certificate.*\(TLS failed: check the CA file and that the server speaks TLS on this port\)$/,
      },
      {
        what: 'up with a wrong Redis password',
        args: () => ['up', '--port', '0', ...redisFlags(), '--redis-ca-file', stack.tls.caFile, ...consulFlags()],
        env: () => ({ BOOKSHELF_REDIS_PASSWORD: wrong.redis, BOOKSHELF_CONSUL_TOKEN: stack.consul.token }),
        line: /^bookshelf: connecting to Redis at rediss:\/\/127\.0\.0\.1:\d+: WRONGPASS .*\(check the Redis username and password\)$/,
      },
      {
        what: 'up trusting another CA for Redis',
        args: () => ['up', '--port', '0', ...redisFlags(), '--redis-ca-file', stack.tls.otherCaFile, ...consulFlags()],
        env: () => ({ BOOKSHELF_REDIS_PASSWORD: stack.redis.password, BOOKSHELF_CONSUL_TOKEN: stack.consul.token }),
        line: /^bookshelf: connecting to Redis at .*certificate.*\(TLS failed: /,
      },
      {
        what: 'up with a wrong Consul token',
        args: () => ['up', '--port', '0', ...redisFlags(), '--redis-ca-file', stack.tls.caFile, ...consulFlags()],
        env: () => ({ BOOKSHELF_REDIS_PASSWORD: stack.redis.password, BOOKSHELF_CONSUL_TOKEN: wrong.token }),
        line: /^bookshelf: consul connect: the agent at 127\.0\.0\.1:\d+ refused the ACL token \(.*ACL not found.*\): check the token$/,
      },
      {
        what: 'up trusting another CA for Consul',
        args: () => [
          'up',
          '--port',
          '0',
          ...redisFlags(),
          '--redis-ca-file',
          stack.tls.caFile,
          '--consul',
          stack.consul.url,
          '--consul-ca-file',
          stack.tls.otherCaFile,
        ],
        env: () => ({ BOOKSHELF_REDIS_PASSWORD: stack.redis.password, BOOKSHELF_CONSUL_TOKEN: stack.consul.token }),
        line: /^bookshelf: consul connect: .*certificate.* at 127\.0\.0\.1:\d+ \(TLS failed: /,
      },
      {
        what: 'up without Redis credentials',
        args: () => [
          'up',
          '--port',
          '0',
          '--redis',
          stack.redis.url,
          '--redis-ca-file',
          stack.tls.caFile,
          ...consulFlags(),
        ],
        env: () => ({ BOOKSHELF_CONSUL_TOKEN: stack.consul.token }),
        line: /^bookshelf: connecting to Redis at rediss:\/\/127\.0\.0\.1:\d+: NOAUTH /,
      },
      {
        what: 'up without a Consul token (ACL default deny)',
        args: () => ['up', '--port', '0', ...redisFlags(), '--redis-ca-file', stack.tls.caFile, ...consulFlags()],
        env: () => ({ BOOKSHELF_REDIS_PASSWORD: stack.redis.password }),
        line: /^bookshelf: consul register \S+: permission denied by the agent at 127\.0\.0\.1:\d+ \(check the ACL token\)/,
      },
      {
        what: 'lending-worker with a wrong Redis password',
        args: () => [
          'lending-worker',
          'w-wrong',
          '-a',
          stack.redis.url,
          '--redis-username',
          stack.redis.username,
          '--redis-ca-file',
          stack.tls.caFile,
        ],
        env: () => ({ BOOKSHELF_REDIS_PASSWORD: wrong.redis }),
        line: /^bookshelf: connecting to Redis at rediss:\/\/127\.0\.0\.1:\d+: WRONGPASS /,
      },
      {
        what: 'lending-worker with a wrong Consul token',
        args: () => [
          'lending-worker',
          'w-wrong',
          ...kafkaFlags(),
          '--consul',
          stack.consul.url,
          '--consul-ca-file',
          stack.tls.caFile,
        ],
        env: () => ({ BOOKSHELF_KAFKA_SASL_PASSWORD: stack.kafka.password, BOOKSHELF_CONSUL_TOKEN: wrong.token }),
        line: /^bookshelf: consul lock: permission denied by the agent at 127\.0\.0\.1:\d+ \(check the ACL token\)/,
      },
    ];

    it.each(failures)(
      '$what: one stderr line, a non-zero exit, at once, no secret',
      async ({ what, args, env, line }) => {
        const started = Date.now();
        const proc = cli(what, [...args(), '--connect-timeout', String(CONNECT_TIMEOUT_MS)], env());
        const code = await proc.exited;
        expect(code, proc.output()).not.toBe(0);
        expect(Date.now() - started, proc.output()).toBeLessThan(CLI_REFUSED_WITHIN_MS);
        const lines = proc
          .stderr()
          .split('\n')
          .filter((l) => l.trim() !== '');
        expect(lines, proc.output()).toHaveLength(1);
        expect(lines[0]).toMatch(line);
        expect(proc.output()).not.toMatch(/^\s+at /m);
        expectNoSecret(proc.output(), `the output of "${what}"`);
      },
      90_000,
    );

    it('no CLI run of this file printed a secret (stdout and stderr, debug level)', () => {
      expect(runs.length).toBeGreaterThan(0); // (all of them in a whole run: failures.length + 4)
      for (const { what, proc } of runs) expectNoSecret(proc.output(), `the output of "${what}"`);
    });
  });
});

/** Publishes three events to a fresh topic and reads them back through a consumer group. */
async function roundTrip(bus: Awaited<ReturnType<typeof createEventBus>>): Promise<void> {
  const topic = uniqueName('secured');
  const seen: Envelope[] = [];
  try {
    await bus.publish(
      topic,
      [1, 2, 3].map((seq) => newEvent({ type: 'book-added', key: `k${seq}`, data: { seq } })),
    );
    const sub = await bus.subscribe({ topics: [topic], group: uniqueName('g'), handler: (e) => void seen.push(e) });
    await waitFor(() => seen.length === 3, { timeoutMs: 30_000, what: 'three events consumed' });
    await sub.close();
    expect(seen.map((e) => (e.data as { seq: number }).seq).sort()).toEqual([1, 2, 3]);
  } finally {
    await bus.close();
  }
}

function secret(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** A token Consul has never issued, in its shape. */
function randomUUIDLike(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The base64 lines of a PEM private key (any one of them printed would leak part of it). */
function keyLines(pem: string): string[] {
  return pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'));
}

function readPem(path: string): string {
  return readFileSync(path, 'utf8');
}
