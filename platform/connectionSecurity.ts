import { readFileSync } from 'node:fs';
import { ConfigError } from '../restlib/index.js';

/** TLS to a server: `ca` holds the PEM certificates to trust instead of the system's (a private CA). */
export interface TlsConfig {
  readonly ca?: readonly string[];
}

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export const KAFKA_SASL_MECHANISMS: readonly KafkaSaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

export interface KafkaSaslConfig {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  readonly password: string;
}

/** The credentials and TLS settings of the connections to Kafka, Redis and Consul, as flags and env vars give them. */
export interface SecurityInput {
  kafkaSaslMechanism?: string | undefined;
  kafkaSaslUsername?: string | undefined;
  kafkaSaslPassword?: string | undefined;
  kafkaSaslPasswordFile?: string | undefined;
  kafkaTls?: boolean | undefined;
  kafkaCaFile?: string | undefined;
  redisUsername?: string | undefined;
  redisPassword?: string | undefined;
  redisPasswordFile?: string | undefined;
  redisCaFile?: string | undefined;
  consulToken?: string | undefined;
  consulTokenFile?: string | undefined;
  consulCaFile?: string | undefined;
}

/** What `connectionSecurity` makes of it: secrets read from their files, CA files read and checked. */
export interface ConnectionSecurity {
  readonly kafka: { readonly sasl?: KafkaSaslConfig; readonly tls?: TlsConfig };
  readonly redis: { readonly username?: string; readonly password?: string; readonly tls?: TlsConfig };
  readonly consul: { readonly token?: string; readonly ca?: readonly string[] };
}

/** The flag of each input, for messages. */
export const SECURITY_FLAGS: Readonly<Record<keyof SecurityInput, string>> = {
  kafkaSaslMechanism: '--kafka-sasl-mechanism',
  kafkaSaslUsername: '--kafka-sasl-username',
  kafkaSaslPassword: '--kafka-sasl-password',
  kafkaSaslPasswordFile: '--kafka-sasl-password-file',
  kafkaTls: '--kafka-tls',
  kafkaCaFile: '--kafka-ca-file',
  redisUsername: '--redis-username',
  redisPassword: '--redis-password',
  redisPasswordFile: '--redis-password-file',
  redisCaFile: '--redis-ca-file',
  consulToken: '--consul-token',
  consulTokenFile: '--consul-token-file',
  consulCaFile: '--consul-ca-file',
};

/** Each secret and the file that may hold it instead (give one of the two). */
export const SECRET_FILES = [
  ['kafkaSaslPassword', 'kafkaSaslPasswordFile'],
  ['redisPassword', 'redisPasswordFile'],
  ['consulToken', 'consulTokenFile'],
] as const satisfies readonly (readonly [keyof SecurityInput, keyof SecurityInput])[];

/**
 * Reads the secret files and the CA files and checks what belongs together: a SASL user needs a password and the
 * other way round, a secret comes from its value or its file (not both), a CA file holds PEM certificates and no
 * private key. A CA file turns TLS on. Every problem is one ConfigError line naming the flag, never a secret.
 */
export function connectionSecurity(
  input: SecurityInput,
  flags: Readonly<Record<keyof SecurityInput, string>> = SECURITY_FLAGS,
): ConnectionSecurity {
  const fail = (key: keyof SecurityInput, message: string) =>
    new ConfigError('REST_ERR_CONFIG_INVALID', `${flags[key]} ${message}`, { option: key, source: flags[key] });
  for (const [value, file] of SECRET_FILES) {
    if (input[value] !== undefined && input[file] !== undefined) {
      throw new ConfigError('REST_ERR_CONFIG_USAGE', `give ${flags[value]} or ${flags[file]}, not both`, {
        option: value,
      });
    }
  }
  const secret = (value: keyof SecurityInput, file: keyof SecurityInput, trimAll: boolean): string | undefined => {
    const direct = input[value];
    if (typeof direct === 'string') return direct;
    const path = input[file];
    if (typeof path !== 'string') return undefined;
    const text = readText(path, (why) => fail(file, `cannot be read: ${why}`));
    // A file written by `echo` ends in a newline that is not part of the secret.
    const read = trimAll ? text.trim() : text.replace(/\r?\n$/, '');
    if (read === '') throw fail(file, `names an empty file (${path})`);
    return read;
  };
  const ca = (key: keyof SecurityInput): string[] | undefined => {
    const path = input[key];
    if (typeof path !== 'string') return undefined;
    const text = readText(path, (why) => fail(key, `cannot be read: ${why}`));
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
      throw fail(key, `(${path}) holds a private key: give the CA's certificate only`);
    }
    const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    if (!certs) throw fail(key, `(${path}) holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return certs.map((c) => `${c}\n`);
  };

  const username = input.kafkaSaslUsername;
  const password = secret('kafkaSaslPassword', 'kafkaSaslPasswordFile', false);
  if (username !== undefined && password === undefined) {
    throw fail(
      'kafkaSaslUsername',
      `needs a password: BOOKSHELF_KAFKA_SASL_PASSWORD or ${flags.kafkaSaslPasswordFile} (or ${flags.kafkaSaslPassword})`,
    );
  }
  if (password !== undefined && username === undefined) {
    throw fail(
      input.kafkaSaslPassword !== undefined ? 'kafkaSaslPassword' : 'kafkaSaslPasswordFile',
      'needs a user: add --kafka-sasl-username',
    );
  }
  const mechanism = (input.kafkaSaslMechanism ?? 'scram-sha-512') as KafkaSaslMechanism;
  if (!KAFKA_SASL_MECHANISMS.includes(mechanism)) {
    throw fail('kafkaSaslMechanism', `must be ${KAFKA_SASL_MECHANISMS.join(', ')} (got ${JSON.stringify(mechanism)})`);
  }
  const kafkaCa = ca('kafkaCaFile');
  const kafkaTls: TlsConfig | undefined = kafkaCa ? { ca: kafkaCa } : input.kafkaTls ? {} : undefined;

  const redisPassword = secret('redisPassword', 'redisPasswordFile', false);
  const redisCa = ca('redisCaFile');
  const consulToken = secret('consulToken', 'consulTokenFile', true);
  if (consulToken !== undefined && /\s/.test(consulToken)) {
    throw fail(input.consulToken !== undefined ? 'consulToken' : 'consulTokenFile', 'must be a word without spaces');
  }
  const consulCa = ca('consulCaFile');

  return deepFreeze({
    kafka: {
      ...(username !== undefined && password !== undefined ? { sasl: { mechanism, username, password } } : {}),
      ...(kafkaTls ? { tls: kafkaTls } : {}),
    },
    redis: {
      ...(input.redisUsername !== undefined ? { username: input.redisUsername } : {}),
      ...(redisPassword !== undefined ? { password: redisPassword } : {}),
      ...(redisCa ? { tls: { ca: redisCa } } : {}),
    },
    consul: {
      ...(consulToken !== undefined ? { token: consulToken } : {}),
      ...(consulCa ? { ca: consulCa } : {}),
    },
  });
}

function readText(path: string, fail: (why: string) => Error): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw fail(e.code === 'ENOENT' ? `no such file ${path}` : `${e.code ?? 'error'} on ${path}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
