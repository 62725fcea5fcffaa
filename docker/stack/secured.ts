import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import {
  ensureJava,
  KAFKA_JVM_FLAGS,
  KAFKA_SINGLE_NODE_PROPERTIES,
  once,
  startReaper,
  writeKafkaLog4j,
} from './local.js';
import { cacheDir, scriptsDir } from './paths.js';
import { freePort } from './ports.js';
import { execFileAsync, runScript, spawnGroup, stopGroup, waitUntil } from './process.js';
import { consulBinaryCheck, kafkaLibsCheck } from './scriptResult.js';
import { StackError } from './types.js';

/**
 * Kafka, Redis and Consul that require credentials and TLS (SPEC §9, issue 17), as local processes like
 * startLocalStack's, for the tests that prove the clients work against them and keep their secrets:
 *
 * - a CA made for the run (openssl) and one server certificate for 127.0.0.1 / localhost, signed by it;
 * - Kafka (KRaft) with one SASL_SSL listener (SCRAM-SHA-512, users made at format time) for clients and between
 *   brokers, a PKCS12 keystore and truststore; the controller listener stays PLAINTEXT on loopback;
 * - Redis on a TLS port only, the `default` user off and one ACL user with a password;
 * - Consul on HTTPS only, ACLs on with `default_policy = "deny"`, and a token of a policy that is enough for the
 *   services (register and discover, the worker lock's KV and sessions) next to the management token.
 *
 * Every secret is random, written only to files of the run's folder (mode 0600), never on a command line.
 */
export interface SecuredStack {
  kafka: {
    /** `127.0.0.1:<port>` of the SASL_SSL listener. */
    brokers: string;
    mechanism: 'scram-sha-512';
    username: string;
    password: string;
  };
  redis: {
    /** `rediss://127.0.0.1:<port>`, without credentials. */
    url: string;
    username: string;
    password: string;
  };
  consul: {
    /** `127.0.0.1:<port>` of the HTTPS API. */
    addr: string;
    /** `https://127.0.0.1:<port>`. */
    url: string;
    dnsPort: number;
    /** Registers and discovers services, holds the worker lock (KV `bookshelf/`, sessions); nothing else. */
    token: string;
    managementToken: string;
  };
  tls: {
    /** The CA that signed every server's certificate (PEM). */
    caFile: string;
    caPem: string;
    /** Another CA that signed nothing here: trusting it instead must fail. */
    otherCaFile: string;
    /** The servers' private key (PEM), to check it is never printed. */
    serverKeyPem: string;
  };
  /** Every password, token and private key of the stack. */
  secrets: readonly string[];
  dataDir: string;
  logs: { kafka: string; redis: string; consul: string };
  pgids: number[];
  /** Stops everything this started and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

export interface SecuredStackOptions {
  /** Stop everything when this process exits, even on a crash or an interrupt (tests). */
  reapWithOwner?: boolean;
  /** Progress, a line per step (default: stderr, prefixed `[bookshelf-infra]`). */
  progress?: (line: string) => void;
}

/** The ACL policy of the services' token: what registering, discovering and the worker lock need. */
export const SERVICES_POLICY = [
  'service_prefix "" { policy = "write" }',
  'node_prefix "" { policy = "read" }',
  'agent_prefix "" { policy = "read" }',
  'key_prefix "bookshelf/" { policy = "write" }',
  'session_prefix "" { policy = "write" }',
].join('\n');

export async function startSecuredStack(opts: SecuredStackOptions = {}): Promise<SecuredStack> {
  const began = Date.now();
  const say = opts.progress ?? ((line: string) => process.stderr.write(`[bookshelf-infra] ${line}\n`));
  const step =
    <T>(done: (value: T) => string) =>
    (value: T) => {
      say(`${done(value)} (${((Date.now() - began) / 1000).toFixed(1)}s)`);
      return value;
    };
  await ensureJava();
  await Promise.all(
    [
      ['openssl', ['version']],
      ['keytool', ['-help']],
    ].map(([tool, args]) =>
      execFileAsync(tool as string, args as string[]).catch(() => {
        throw new StackError(`${tool as string} is required for the secured stack's certificates`, 'STACK_ERR_TOOL');
      }),
    ),
  );
  const scripts = scriptsDir();
  await runScript(join(scripts, 'ensure-tools.sh'), 'none');
  const [kafkaLibs, consulBin] = await Promise.all([
    runScript(join(scripts, 'fetch-kafka.sh'), kafkaLibsCheck),
    runScript(join(scripts, 'build-consul.sh'), consulBinaryCheck),
  ]);
  mkdirSync(join(cacheDir(), 'run'), { recursive: true });
  const dataDir = mkdtempSync(join(cacheDir(), 'run', 'secured-'));
  chmodSync(dataDir, 0o700);

  const pgids: number[] = [];
  const pgidFile = join(dataDir, 'pgids');
  writeFileSync(pgidFile, '');
  const track = (pgid: number) => {
    pgids.push(pgid);
    appendFileSync(pgidFile, `${pgid}\n`);
  };
  const reaper = opts.reapWithOwner ? startReaper(pgidFile, dataDir) : undefined;
  const stop = once(async () => {
    await Promise.all(pgids.map((g) => stopGroup(g)));
    if (reaper !== undefined) {
      try {
        process.kill(-reaper, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    const tls = await makeCertificates(join(dataDir, 'tls')).then(step(() => 'test CA and server certificate made'));
    const [kafka, redis, consul] = await Promise.all([
      startSecuredKafka(kafkaLibs, join(dataDir, 'kafka'), tls, track).then(
        step((k) => `Kafka answers on SASL_SSL ${k.brokers}`),
      ),
      startSecuredRedis(join(dataDir, 'redis'), tls, track).then(step((r) => `Redis answers on ${r.url}`)),
      startSecuredConsul(consulBin, join(dataDir, 'consul'), tls, track).then(
        step((c) => `Consul answers on ${c.url} (ACLs, default deny)`),
      ),
    ]);
    return {
      kafka: { brokers: kafka.brokers, mechanism: 'scram-sha-512', username: kafka.username, password: kafka.password },
      redis: { url: redis.url, username: redis.username, password: redis.password },
      consul: {
        addr: consul.addr,
        url: consul.url,
        dnsPort: consul.dnsPort,
        token: consul.token,
        managementToken: consul.managementToken,
      },
      tls: { caFile: tls.caFile, caPem: tls.caPem, otherCaFile: tls.otherCaFile, serverKeyPem: tls.keyPem },
      secrets: [
        kafka.password,
        kafka.brokerPassword,
        tls.storePassword,
        redis.password,
        consul.token,
        consul.managementToken,
        tls.keyPem,
      ],
      dataDir,
      logs: { kafka: kafka.log, redis: redis.log, consul: consul.log },
      pgids,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A secret that is easy to grep for and safe in every config syntax used here (letters and digits). */
function secret(prefix: string): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** Writes a file only this user may read. */
function writePrivate(path: string, text: string): string {
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

interface Certificates {
  dir: string;
  caFile: string;
  caPem: string;
  otherCaFile: string;
  certFile: string;
  keyFile: string;
  keyPem: string;
  keystore: string;
  truststore: string;
  storePassword: string;
}

/** A CA, a server certificate for 127.0.0.1 and localhost signed by it, PKCS12 stores for Kafka, another CA. */
async function makeCertificates(dir: string): Promise<Certificates> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (name: string) => join(dir, name);
  const openssl = (args: string[]) =>
    execFileAsync('openssl', args, { cwd: dir }).catch((err: unknown) => {
      throw new StackError(`openssl ${args[0]} failed: ${String(err)}`, 'STACK_ERR_SETUP', { cause: err });
    });
  const newCa = (name: string, cn: string) =>
    openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${cn}`]
        .concat(['-keyout', f(`${name}.key`), '-out', f(`${name}.pem`)])
        .concat(['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']),
    );
  await Promise.all([
    newCa('ca', 'bookshelf test CA'),
    newCa('other-ca', 'another test CA'),
    openssl(
      ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key')].concat([
        '-out',
        f('server.csr'),
      ]),
    ),
  ]);
  writeFileSync(
    f('server.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n' +
      'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  await openssl(
    ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial'].concat([
      '-days',
      '2',
      '-extfile',
      f('server.ext'),
      '-out',
      f('server.pem'),
    ]),
  );
  const storePassword = secret('store');
  const passFile = writePrivate(f('store.pass'), `${storePassword}\n`);
  await openssl(
    ['pkcs12', '-export', '-in', f('server.pem'), '-inkey', f('server.key'), '-certfile', f('ca.pem')].concat([
      '-name',
      'server',
      '-out',
      f('server.p12'),
      '-passout',
      `file:${passFile}`,
    ]),
  );
  await execFileAsync('keytool', [
    '-importcert',
    '-noprompt',
    '-alias',
    'ca',
    '-file',
    f('ca.pem'),
    '-keystore',
    f('truststore.p12'),
    '-storetype',
    'PKCS12',
    '-storepass:file',
    passFile,
  ]).catch((err: unknown) => {
    throw new StackError(`keytool -importcert failed: ${String(err)}`, 'STACK_ERR_SETUP', { cause: err });
  });
  for (const key of ['ca.key', 'other-ca.key', 'server.key', 'server.p12', 'truststore.p12']) chmodSync(f(key), 0o600);
  return {
    dir,
    caFile: f('ca.pem'),
    caPem: readFileSync(f('ca.pem'), 'utf8'),
    otherCaFile: f('other-ca.pem'),
    certFile: f('server.pem'),
    keyFile: f('server.key'),
    keyPem: readFileSync(f('server.key'), 'utf8'),
    keystore: f('server.p12'),
    truststore: f('truststore.p12'),
    storePassword,
  };
}

async function startSecuredKafka(libs: string, dir: string, tls: Certificates, track: (pgid: number) => void) {
  mkdirSync(join(dir, 'data'), { recursive: true, mode: 0o700 });
  const [port, controllerPort] = [await freePort(), await freePort()];
  const username = 'bookshelf';
  const password = secret('kafka');
  const brokerPassword = secret('broker');
  const props = writePrivate(
    join(dir, 'server.properties'),
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
      `listeners=SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      'inter.broker.listener.name=SASL_SSL',
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL',
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule ' +
        `required username="broker" password="${brokerPassword}";`,
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.location=${tls.keystore}`,
      `ssl.keystore.password=${tls.storePassword}`,
      `ssl.key.password=${tls.storePassword}`,
      'ssl.truststore.type=PKCS12',
      `ssl.truststore.location=${tls.truststore}`,
      `ssl.truststore.password=${tls.storePassword}`,
      'ssl.client.auth=none',
      `log.dirs=${join(dir, 'data')}`,
      ...KAFKA_SINGLE_NODE_PROPERTIES,
      '',
    ].join('\n'),
  );
  const log4j = writeKafkaLog4j(dir);
  const cp = `${libs}/*`;
  // The SCRAM users go into the cluster's bootstrap metadata. StorageTool takes them only as arguments: the
  // passwords are on this one short-lived command line (a test machine's own processes).
  await execFileAsync('java', [
    '-cp',
    cp,
    `-Dlog4j2.configurationFile=${log4j}`,
    'kafka.tools.StorageTool',
    'format',
    '--standalone',
    `--cluster-id=${randomBytes(16).toString('base64url')}`,
    '-c',
    props,
    '--add-scram',
    `SCRAM-SHA-512=[name=${username},password=${password}]`,
    '--add-scram',
    `SCRAM-SHA-512=[name=broker,password=${brokerPassword}]`,
  ]).catch((err: unknown) => {
    const message = String(err).replaceAll(password, '***').replaceAll(brokerPassword, '***');
    throw new StackError(`formatting Kafka storage failed: ${message}`, 'STACK_ERR_START');
  });
  const log = join(dir, 'kafka.log');
  const brokers = `127.0.0.1:${port}`;
  const pid = spawnGroup(
    'java',
    [...KAFKA_JVM_FLAGS, `-Dlog4j2.configurationFile=${log4j}`, '-cp', cp, 'kafka.Kafka', props],
    log,
  );
  track(pid);
  const { Kafka, logLevel } = await import('kafkajs');
  await waitUntil(
    'Kafka (SASL_SSL)',
    async () => {
      if (!readFileSync(log, 'utf8').includes('Kafka Server started')) return false;
      const admin = new Kafka({
        brokers: [brokers],
        clientId: 'bookshelf-secured-stack',
        logLevel: logLevel.NOTHING,
        ssl: { ca: [tls.caPem] },
        sasl: { mechanism: 'scram-sha-512', username, password },
        retry: { retries: 0 },
        connectionTimeout: 2_000,
        requestTimeout: 5_000,
      }).admin();
      try {
        await admin.connect();
        await admin.listTopics();
        return true;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    { timeoutMs: 120_000, pid, logFile: log },
  );
  return { brokers, username, password, brokerPassword, log };
}

async function startSecuredRedis(dir: string, tls: Certificates, track: (pgid: number) => void) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const port = await freePort();
  const username = 'bookshelf';
  const password = secret('redis');
  const conf = writePrivate(
    join(dir, 'redis.conf'),
    [
      'port 0',
      `tls-port ${port}`,
      'bind 127.0.0.1',
      `tls-cert-file ${tls.certFile}`,
      `tls-key-file ${tls.keyFile}`,
      `tls-ca-cert-file ${tls.caFile}`,
      'tls-auth-clients no',
      'user default off',
      `user ${username} on >${password} ~* &* +@all`,
      `dir ${dir}`,
      'appendonly yes',
      'appendfsync everysec',
      'save ""',
      'daemonize no',
      '',
    ].join('\n'),
  );
  const log = join(dir, 'redis.log');
  const pid = spawnGroup('redis-server', [conf], log);
  track(pid);
  const cli = ['-p', String(port), '--tls', '--cacert', tls.caFile, '--user', username, '--no-auth-warning', 'ping'];
  await waitUntil(
    'Redis (TLS, ACL)',
    async () =>
      (await execFileAsync('redis-cli', cli, { env: { ...process.env, REDISCLI_AUTH: password } })).stdout.trim() ===
      'PONG',
    { timeoutMs: 60_000, pid, logFile: log },
  );
  return { url: `rediss://127.0.0.1:${port}`, username, password, log };
}

async function startSecuredConsul(bin: string, dir: string, tls: Certificates, track: (pgid: number) => void) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const [https, dns, grpc, server, serfLan, serfWan] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const managementToken = randomUUID();
  const config = writePrivate(
    join(dir, 'secured.json'),
    JSON.stringify(
      {
        acl: {
          enabled: true,
          default_policy: 'deny',
          enable_token_persistence: false,
          tokens: { initial_management: managementToken, agent: managementToken },
        },
        ports: { http: -1, https, dns, grpc, grpc_tls: -1, server, serf_lan: serfLan, serf_wan: serfWan },
        tls: {
          defaults: {
            ca_file: tls.caFile,
            cert_file: tls.certFile,
            key_file: tls.keyFile,
            verify_incoming: false,
            verify_outgoing: false,
          },
        },
      },
      null,
      2,
    ),
  );
  const log = join(dir, 'consul.log');
  const addr = `127.0.0.1:${https}`;
  const pid = spawnGroup(
    bin,
    [
      'agent',
      '-dev',
      '-node=bookshelf-secured',
      '-bind=127.0.0.1',
      '-advertise=127.0.0.1',
      '-client=127.0.0.1',
      `-config-file=${config}`,
      '-log-level=warn',
    ],
    log,
  );
  track(pid);
  const api = (method: string, path: string, body?: unknown) =>
    consulApi(addr, tls.caPem, managementToken, method, path, body);
  // Ready once a leader is elected and the ACL system knows the management token (a moment after the election).
  await waitUntil(
    'Consul (HTTPS, ACLs)',
    async () => {
      const leader = await api('GET', '/v1/status/leader');
      return leader.status === 200 && leader.body.length > 2 && (await api('GET', '/v1/acl/token/self')).status === 200;
    },
    { timeoutMs: 60_000, pid, logFile: log },
  );
  const policy = await api('PUT', '/v1/acl/policy', { Name: 'bookshelf-services', Rules: SERVICES_POLICY });
  if (policy.status !== 200) {
    throw new StackError(`Consul refused the services policy: ${policy.status} ${policy.body}`, 'STACK_ERR_START');
  }
  const created = await api('PUT', '/v1/acl/token', {
    Description: 'bookshelf services (tests)',
    Policies: [{ Name: 'bookshelf-services' }],
  });
  if (created.status !== 200) {
    throw new StackError(`Consul refused the services token: ${created.status}`, 'STACK_ERR_START');
  }
  const token = (JSON.parse(created.body) as { SecretID: string }).SecretID;
  return { addr, url: `https://${addr}`, dnsPort: dns, token, managementToken, log };
}

/** One request to Consul's HTTPS API, trusting `ca`. */
function consulApi(
  addr: string,
  ca: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  const at = addr.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: addr.slice(0, at),
        port: Number(addr.slice(at + 1)),
        method,
        path,
        ca,
        headers: { 'X-Consul-Token': token, 'content-type': 'application/json' },
        timeout: 5_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from Consul at ${addr}`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
