import { z } from 'zod';
import { splitList, type OptionSpec } from '../../restlib/index.js';
import { GATEWAY_DOMAINS, gatewayModules, gatewayService, loadGatewaySecurity } from '../../gateway/service.js';
import { identityOf, serviceEntry } from './catalog.js';

const path = z.string().min(1, 'must be a file path');
const words = z.preprocess(splitList, z.array(z.string().min(1)).min(1, 'must name at least one value'));

/**
 * Who may write through the gateway and how library sessions are sealed (issue 17): the gateway's flags, which
 * `bookshelf start` and `bookshelf up` take too and pass on to their gateway.
 */
export const GATEWAY_SECURITY_OPTIONS = {
  apiKeysFile: {
    flag: '--api-keys-file <path>',
    description:
      'require an API key (Authorization: Bearer <key>) on every write and admin route: one key per line, "#" comments, optionally name:key',
    env: ['BOOKSHELF_API_KEYS_FILE'],
    schema: path,
  },
  apiKeys: {
    flag: '--api-keys <keys>',
    description: 'API keys, comma separated, optionally name:key (prefer the env var or the file: flags show in ps)',
    env: ['BOOKSHELF_API_KEYS'],
    schema: z.string().min(1),
    secret: true,
  },
  jwtSecretFile: {
    flag: '--jwt-secret-file <path>',
    description: 'also accept JWTs signed with this HMAC secret (HS256/384/512) instead of an API key',
    env: ['BOOKSHELF_JWT_SECRET_FILE'],
    schema: path,
  },
  jwtPublicKeyFile: {
    flag: '--jwt-public-key-file <path>',
    description: "also accept JWTs signed by this PEM public key's private key (RS*, PS*, ES*, EdDSA)",
    env: ['BOOKSHELF_JWT_PUBLIC_KEY_FILE'],
    schema: path,
  },
  jwtIssuer: {
    flag: '--jwt-issuer <issuers...>',
    description: 'a JWT must come from one of these issuers (iss claim)',
    env: ['BOOKSHELF_JWT_ISSUER'],
    schema: words,
  },
  jwtAudience: {
    flag: '--jwt-audience <audiences...>',
    description: 'a JWT must be for one of these audiences (aud claim)',
    env: ['BOOKSHELF_JWT_AUDIENCE'],
    schema: words,
  },
  sessionKeyFile: {
    flag: '--session-key-file <path>',
    description:
      'key of the library sessions (32 bytes, base64 or hex, one per line: the first seals, all open); default: a key made at start (logins end at restart)',
    env: ['BOOKSHELF_SESSION_KEY_FILE'],
    schema: path,
  },
  sessionKey: {
    flag: '--session-key <key>',
    description:
      'key of the library sessions, 32 bytes as base64 or hex (prefer the env var or the file: flags show in ps)',
    env: ['BOOKSHELF_SESSION_KEY', 'BOOKSHELF_SESSION_SECRET'],
    schema: z.string().min(1),
    secret: true,
  },
} as const satisfies Record<string, OptionSpec>;

export const GATEWAY_SERVICE = serviceEntry({
  command: ['gateway'],
  spec: {
    program: 'bookshelf gateway',
    description: 'gateway: the public HTTP routes of every domain, forwarded to services found through the registry',
    defaults: { name: 'gateway', id: 'gateway1', tags: ['gateway'], port: 8000 },
    options: {
      domains: {
        flag: '--domains <domains...>',
        description: `domains to route, space separated (env: spaces or commas): ${GATEWAY_DOMAINS.join(', ')}; /ready waits for a passing instance of each of their services (library brings lending)`,
        env: ['BOOKSHELF_GATEWAY_DOMAINS'],
        schema: z.preprocess(
          splitList,
          z
            .array(z.enum(GATEWAY_DOMAINS as [string, ...string[]], { error: `must be ${GATEWAY_DOMAINS.join(', ')}` }))
            .min(1, 'must name at least one domain'),
        ),
        default: [...GATEWAY_DOMAINS],
      },
      ...GATEWAY_SECURITY_OPTIONS,
    },
  },
  create: async (deps, c) =>
    gatewayService(deps, {
      identity: identityOf(c),
      modules: gatewayModules(c.domains),
      security: await loadGatewaySecurity(c),
    }),
});
