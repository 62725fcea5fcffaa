import { hkdfSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError, parseApiKeys, type ApiKey, type JwtOptions } from '../restlib/index.js';

/** The security flags of the gateway (and of `bookshelf start` / `up`, which pass them on to it). */
export interface GatewaySecurityConfig {
  readonly apiKeysFile?: string | undefined;
  /** Comma-separated keys (`BOOKSHELF_API_KEYS`), each optionally `name:key`. */
  readonly apiKeys?: string | undefined;
  readonly jwtSecretFile?: string | undefined;
  readonly jwtPublicKeyFile?: string | undefined;
  readonly jwtIssuer?: readonly string[] | undefined;
  readonly jwtAudience?: readonly string[] | undefined;
  readonly sessionKeyFile?: string | undefined;
  /** `BOOKSHELF_SESSION_KEY`: 32 bytes as base64 or hex, or a passphrase of at least 32 characters. */
  readonly sessionKey?: string | undefined;
}

/** Failed library logins allowed per library card within the window, before the login answers 429. */
export interface LoginLimit {
  readonly attempts: number;
  readonly windowMs: number;
}

/** What the gateway enforces, loaded once at start (files read, keys decoded or generated). */
export interface GatewaySecurity {
  /** Keys that may call write and admin routes; none (and no `jwt`): those routes are open. */
  readonly apiKeys: readonly ApiKey[];
  /** Where the keys came from (`--api-keys-file keys.txt`, `BOOKSHELF_API_KEYS`), for the banner and the log. */
  readonly apiKeysFrom: readonly string[];
  readonly jwt: JwtOptions | undefined;
  /** Keys of the library's encrypted session cookie: the first encrypts, every one decrypts (rotation). */
  readonly sessionKeys: readonly Buffer[];
  /** Where the session key came from; undefined: made by this process (logins end when it stops). */
  readonly sessionKeyFrom: string | undefined;
  readonly loginLimit: LoginLimit;
}

export const DEFAULT_LOGIN_LIMIT: LoginLimit = Object.freeze({ attempts: 5, windowMs: 15 * 60_000 });
const SESSION_KEY_BYTES = 32;
const SESSION_KEY_RULE =
  'must be 32 bytes as base64 or hex (openssl rand -base64 32), or a passphrase of at least 32 characters';

/** True when write and admin routes need a credential (API keys or JWT configured). */
export const authRequired = (s: Pick<GatewaySecurity, 'apiKeys' | 'jwt'>): boolean =>
  s.apiKeys.length > 0 || s.jwt !== undefined;

/** Open routes, a session key of this process, the default login limit: the gateway when nothing is configured. */
export function gatewaySecurity(overrides: Partial<GatewaySecurity> = {}): GatewaySecurity {
  return Object.freeze({
    apiKeys: [],
    apiKeysFrom: [],
    jwt: undefined,
    sessionKeys: [randomBytes(SESSION_KEY_BYTES)],
    sessionKeyFrom: undefined,
    loginLimit: DEFAULT_LOGIN_LIMIT,
    ...overrides,
  });
}

const fail = (message: string, option: string) => new ConfigError('REST_ERR_CONFIG_INVALID', message, { option });

async function read(path: string, flag: string, option: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw fail(`${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'cannot be read'}`, option);
  }
}

/**
 * One session key from its text: 64 hex digits or base64 of 32 bytes is the key itself; any other text of at
 * least 32 characters is a passphrase, stretched to a key with HKDF-SHA256. Undefined when it is neither.
 */
export function sessionKeyFromText(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
    if (bytes.length === SESSION_KEY_BYTES) return bytes;
  }
  if (value.length < 32) return undefined;
  return Buffer.from(hkdfSync('sha256', value, 'bookshelf-library-session', 'session-key', SESSION_KEY_BYTES));
}

async function sessionKeys(c: GatewaySecurityConfig): Promise<{ keys: Buffer[]; from: string | undefined }> {
  if (c.sessionKeyFile !== undefined) {
    const file = await read(c.sessionKeyFile, '--session-key-file', 'sessionKeyFile');
    const from = `--session-key-file ${c.sessionKeyFile}`;
    // `npx @fastify/secure-session > key` writes the 32 bytes themselves.
    if (file.length === SESSION_KEY_BYTES && !/^[\x20-\x7e]*$/.test(file.toString('latin1'))) {
      return { keys: [file], from };
    }
    const lines = file
      .toString('utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    if (lines.length === 0) throw fail(`${from}: the file has no key`, 'sessionKeyFile');
    const keys = lines.map((line, i) => {
      const key = sessionKeyFromText(line);
      if (!key) throw fail(`${from}: key ${i + 1} ${SESSION_KEY_RULE}`, 'sessionKeyFile');
      return key;
    });
    return { keys, from };
  }
  if (c.sessionKey !== undefined) {
    const key = sessionKeyFromText(c.sessionKey);
    if (!key) throw fail(`BOOKSHELF_SESSION_KEY ${SESSION_KEY_RULE}`, 'sessionKey');
    return { keys: [key], from: 'BOOKSHELF_SESSION_KEY' };
  }
  return { keys: [randomBytes(SESSION_KEY_BYTES)], from: undefined };
}

async function jwtOptions(c: GatewaySecurityConfig): Promise<JwtOptions | undefined> {
  if (c.jwtSecretFile !== undefined && c.jwtPublicKeyFile !== undefined) {
    throw new ConfigError('REST_ERR_CONFIG_USAGE', 'choose --jwt-secret-file or --jwt-public-key-file, not both');
  }
  const claims = {
    ...(c.jwtIssuer?.length ? { issuer: [...c.jwtIssuer] } : {}),
    ...(c.jwtAudience?.length ? { audience: [...c.jwtAudience] } : {}),
  };
  if (c.jwtSecretFile !== undefined) {
    const secret = Buffer.from((await read(c.jwtSecretFile, '--jwt-secret-file', 'jwtSecretFile')).toString().trim());
    if (secret.length < 32)
      throw fail(`--jwt-secret-file ${c.jwtSecretFile}: the secret needs 32 bytes or more`, 'jwtSecretFile');
    return { secret, ...claims };
  }
  if (c.jwtPublicKeyFile !== undefined) {
    const publicKey = await read(c.jwtPublicKeyFile, '--jwt-public-key-file', 'jwtPublicKeyFile');
    if (!publicKey.toString().includes('-----BEGIN')) {
      throw fail(`--jwt-public-key-file ${c.jwtPublicKeyFile}: not a PEM public key`, 'jwtPublicKeyFile');
    }
    return { publicKey, ...claims };
  }
  if (Object.keys(claims).length > 0) {
    throw new ConfigError(
      'REST_ERR_CONFIG_USAGE',
      '--jwt-issuer and --jwt-audience need --jwt-secret-file or --jwt-public-key-file',
    );
  }
  return undefined;
}

/**
 * Reads the gateway's credentials once, at start: API keys from `--api-keys-file` (one per line, `#` comments,
 * optionally `name:key`) and `BOOKSHELF_API_KEYS` (comma-separated), the JWT secret or public key, and the
 * session key (or a new one of this process). A bad file or value is a ConfigError naming the flag, never a key.
 */
export async function loadGatewaySecurity(c: GatewaySecurityConfig): Promise<GatewaySecurity> {
  const apiKeys: ApiKey[] = [];
  const apiKeysFrom: string[] = [];
  if (c.apiKeysFile !== undefined) {
    const text = (await read(c.apiKeysFile, '--api-keys-file', 'apiKeysFile')).toString('utf8');
    const from = `--api-keys-file ${c.apiKeysFile}`;
    const keys = parseApiKeys(text.split(/\r?\n/), from);
    if (keys.length === 0) throw fail(`${from}: the file has no key (every write would be open)`, 'apiKeysFile');
    apiKeys.push(...keys);
    apiKeysFrom.push(from);
  }
  if (c.apiKeys !== undefined) {
    const keys = parseApiKeys(c.apiKeys.split(','), 'BOOKSHELF_API_KEYS').map((k) =>
      /^key-\d+$/.test(k.name) ? { ...k, name: `env-${k.name}` } : k,
    );
    if (keys.length === 0) throw fail('BOOKSHELF_API_KEYS has no key', 'apiKeys');
    for (const k of keys) {
      if (apiKeys.some((a) => a.name === k.name))
        throw fail(`BOOKSHELF_API_KEYS: the name "${k.name}" is used twice`, 'apiKeys');
    }
    apiKeys.push(...keys);
    apiKeysFrom.push('BOOKSHELF_API_KEYS');
  }
  const session = await sessionKeys(c);
  return Object.freeze({
    apiKeys: Object.freeze(apiKeys),
    apiKeysFrom: Object.freeze(apiKeysFrom),
    jwt: await jwtOptions(c),
    sessionKeys: Object.freeze(session.keys),
    sessionKeyFrom: session.from,
    loginLimit: DEFAULT_LOGIN_LIMIT,
  });
}

/** The banner's lines about who may write and how long library logins last. */
export function securityLines(
  s: Pick<GatewaySecurity, 'apiKeys' | 'apiKeysFrom' | 'jwt' | 'sessionKeyFrom'>,
): string[] {
  const jwt = s.jwt
    ? `JWTs ${s.jwt.secret ? 'signed with --jwt-secret-file' : 'signed by the --jwt-public-key-file key'}` +
      (s.jwt.issuer ? ` from ${s.jwt.issuer.join(' or ')}` : '')
    : '';
  const keys = s.apiKeys.length
    ? `${s.apiKeys.length} ${s.apiKeys.length === 1 ? 'key' : 'keys'} from ${s.apiKeysFrom.join(' and ')}`
    : '';
  const auth = authRequired(s)
    ? `API keys: on (${[keys, jwt].filter(Boolean).join('; ')}): writes and admin routes need Authorization: Bearer <key>`
    : 'API keys: off (every write is open; --api-keys-file to require them)';
  const session = s.sessionKeyFrom
    ? `Sessions: library logins are encrypted cookies, key from ${s.sessionKeyFrom}`
    : 'Sessions: a key made at start: library logins end at restart (--session-key-file keeps them)';
  return [auth, session];
}
