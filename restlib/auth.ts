import { createHash, timingSafeEqual } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ConfigError } from './config/errors.js';
import { RestError } from './errors.js';

/**
 * Who may call a route, in its `config.access`:
 * - `open`: anyone (the default of GET, HEAD and OPTIONS routes);
 * - `write`: a valid API key or JWT (the default of every other method);
 * - `admin`: a valid API key, or a JWT carrying the admin scope (`bookshelf:admin`);
 * - `session`: not checked here, the route checks its own session and CSRF token (HTML form routes).
 */
export type RouteAccess = 'open' | 'write' | 'admin' | 'session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** See `RouteAccess`; unset: `open` for GET, HEAD, OPTIONS, `write` otherwise. */
    access?: RouteAccess;
  }
}

/** One API key: the name it is logged and audited by, and the key itself (never logged). */
export interface ApiKey {
  readonly name: string;
  readonly key: string;
}

/** JWT verification (@fastify/jwt): an HMAC secret or a public key (PEM), with the claims a token must carry. */
export interface JwtOptions {
  /** HS256/384/512 shared secret. */
  secret?: Buffer;
  /** RS*, PS*, ES* or EdDSA public key, PEM. */
  publicKey?: Buffer;
  /** Accepted `iss` values; unset: any. */
  issuer?: readonly string[];
  /** Accepted `aud` values; unset: any. */
  audience?: readonly string[];
}

export interface BearerAuthOptions {
  apiKeys: readonly ApiKey[];
  jwt?: JwtOptions | undefined;
  /** The scope (`scope` or `scp` claim) a JWT needs on `admin` routes; default `bookshelf:admin`. */
  adminScope?: string;
  /** `WWW-Authenticate` realm; default `bookshelf`. */
  realm?: string;
}

/** Name of the OpenAPI security scheme the protected operations name. */
export const BEARER_SCHEME = 'bearerAuth';
export const DEFAULT_ADMIN_SCOPE = 'bookshelf:admin';
/** What an API key may be made of (RFC 6750 b64token), and its shortest length. */
const KEY = /^[A-Za-z0-9\-._~+/]+=*$/;
const MIN_KEY_LENGTH = 16;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * API keys from a keys file or a comma-separated env value: one key per entry, optionally `name:key`; blank
 * entries and `#` comments are skipped. `source` names where they came from in error messages, which never quote
 * a key. Unnamed keys are called `key-<n>` (their position).
 */
export function parseApiKeys(entries: readonly string[], source: string): ApiKey[] {
  const keys: ApiKey[] = [];
  entries.forEach((entry, i) => {
    const line = entry.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    const where = `${source} entry ${i + 1}`;
    const colon = line.indexOf(':');
    const name = colon >= 0 ? line.slice(0, colon).trim() : `key-${keys.length + 1}`;
    const key = colon >= 0 ? line.slice(colon + 1).trim() : line;
    if (!NAME.test(name)) throw invalid(`${where}: the name must be letters, digits, "_", ".", "@" or "-"`);
    if (!KEY.test(key)) throw invalid(`${where}: a key is letters, digits and -._~+/ (no spaces)`);
    if (key.length < MIN_KEY_LENGTH) throw invalid(`${where}: a key needs at least ${MIN_KEY_LENGTH} characters`);
    if (keys.some((k) => k.name === name)) throw invalid(`${where}: the name "${name}" is used twice`);
    if (keys.some((k) => k.key === key)) throw invalid(`${where}: the same key is listed twice`);
    keys.push(Object.freeze({ name, key }));
  });
  return keys;
}

const invalid = (message: string) => new ConfigError('REST_ERR_CONFIG_INVALID', message);
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * A matcher over API keys that keeps only their SHA-256 digests and compares in constant time: the presented
 * token's digest against every key's with `crypto.timingSafeEqual` (equal lengths, no early exit), so neither the
 * time taken nor a short-circuit tells how much of a key was right or which key was tried.
 */
export function apiKeyMatcher(keys: readonly ApiKey[]): (token: string) => string | undefined {
  const digests = keys.map((k) => ({ name: k.name, digest: digest(k.key) }));
  return (token) => {
    const presented = digest(token);
    let found: string | undefined;
    for (const k of digests) if (timingSafeEqual(presented, k.digest) && found === undefined) found = k.name;
    return found;
  };
}

/** The access rule of a route: its `config.access`, else `open` for GET, HEAD, OPTIONS and `write` otherwise. */
export function routeAccess(method: string, access: RouteAccess | undefined): RouteAccess {
  if (access) return access;
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) ? 'open' : 'write';
}

/** `Bearer <token>` -> the token; anything else -> undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer +([^\s]+) *$/i.exec(header ?? '');
  return m?.[1];
}

function scopesOf(payload: unknown): string[] {
  const p = (payload ?? {}) as { scope?: unknown; scp?: unknown };
  if (typeof p.scope === 'string') return p.scope.split(' ').filter(Boolean);
  if (Array.isArray(p.scp)) return p.scp.filter((s): s is string => typeof s === 'string');
  if (typeof p.scp === 'string') return p.scp.split(' ').filter(Boolean);
  return [];
}

function jwtProblem(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'FAST_JWT_EXPIRED') return 'the token has expired';
  if (code === 'FAST_JWT_INACTIVE') return 'the token is not valid yet';
  if (code === 'FAST_JWT_INVALID_CLAIM_VALUE' || code === 'FAST_JWT_INVALID_CLAIM_TYPE')
    return 'the token is not for this gateway (issuer or audience)';
  if (code === 'FAST_JWT_MISSING_REQUIRED_CLAIM') return 'the token lacks a claim this gateway needs (exp, iss, aud)';
  return 'the token is not valid';
}

/**
 * Bearer authentication for a whole app (register it before the routes): a request to a `write` or `admin` route
 * (see `RouteAccess`) needs `Authorization: Bearer <credential>`, an API key or, when `jwt` is set, a JWT.
 * Missing or invalid -> 401 `REST_ERR_UNAUTHENTICATED` with `WWW-Authenticate: Bearer`; a valid JWT without the
 * admin scope on an admin route -> 403 `REST_ERR_FORBIDDEN`. The answer comes before the body is read. Protected
 * operations name the `bearerAuth` scheme in the OpenAPI document. Credentials are never logged: the request's
 * log lines carry the key's name (`principal`), and restlib's logger redacts the authorization header.
 */
export const bearerAuthPlugin = fp<BearerAuthOptions>(
  async (app: FastifyInstance, opts) => {
    const match = apiKeyMatcher(opts.apiKeys);
    const realm = opts.realm ?? 'bookshelf';
    const adminScope = opts.adminScope ?? DEFAULT_ADMIN_SCOPE;
    const jwt = opts.jwt;
    if (jwt) {
      if (!jwt.secret === !jwt.publicKey) throw new TypeError('bearerAuthPlugin: jwt needs a secret or a public key');
      await app.register(fastifyJwt, {
        secret: jwt.secret ?? { public: jwt.publicKey! },
        verify: {
          // A claim that is absent is not checked by fast-jwt: the ones the gateway checks must be there.
          requiredClaims: ['exp', ...(jwt.issuer ? ['iss'] : []), ...(jwt.audience ? ['aud'] : [])],
          ...(jwt.secret ? { algorithms: ['HS256', 'HS384', 'HS512'] } : {}),
          ...(jwt.issuer ? { allowedIss: [...jwt.issuer] } : {}),
          ...(jwt.audience ? { allowedAud: [...jwt.audience] } : {}),
        },
      });
    }
    app.declareSecurityScheme?.(BEARER_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description: `An API key (--api-keys-file, BOOKSHELF_API_KEYS)${jwt ? ` or a JWT of the identity provider (admin routes: scope ${adminScope})` : ''}`,
    });

    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat().map(String);
      const access = routeAccess(methods[0] ?? 'GET', route.config?.access);
      if ((access === 'write' || access === 'admin') && route.schema && !route.schema.hide) {
        route.schema = { ...route.schema, security: [{ [BEARER_SCHEME]: [] }] };
      }
    });

    const refuse = (reply: FastifyReply, status: 401 | 403, detail: string, error?: string) => {
      const params = [`realm="${realm}"`, ...(error ? [`error="${error}"`] : [])].join(', ');
      void reply.header('www-authenticate', `Bearer ${params}`);
      return new RestError(status === 401 ? 'REST_ERR_UNAUTHENTICATED' : 'REST_ERR_FORBIDDEN', detail);
    };

    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.routeOptions.url === undefined) return; // no route: the 404/405 answer says so
      const access = routeAccess(req.method, req.routeOptions.config.access);
      if (access === 'open' || access === 'session') return;
      const token = bearerToken(req.headers.authorization);
      if (!token) throw refuse(reply, 401, `${req.method} ${req.routeOptions.url} needs Authorization: Bearer <key>`);
      const keyName = match(token);
      if (keyName !== undefined) {
        req.log = req.log.child({ principal: keyName });
        return;
      }
      if (!jwt || !JWT_SHAPE.test(token)) throw refuse(reply, 401, 'the API key is not valid', 'invalid_token');
      let payload: unknown;
      try {
        payload = app.jwt.verify(token);
      } catch (err) {
        throw refuse(reply, 401, jwtProblem(err), 'invalid_token');
      }
      const sub = (payload as { sub?: unknown }).sub;
      req.log = req.log.child({ principal: `jwt:${typeof sub === 'string' ? sub : '?'}` });
      if (access === 'admin' && !scopesOf(payload).includes(adminScope)) {
        throw refuse(reply, 403, `this route needs the ${adminScope} scope`, 'insufficient_scope');
      }
    });
  },
  { name: 'bookshelf-bearer-auth', fastify: '5.x' },
);
