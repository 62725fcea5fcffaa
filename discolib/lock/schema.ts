import { z } from 'zod';
import { pemList } from '../schema.js';
import { DEFAULT_LOCK_TTL_MS } from './port.js';

const common = {
  /** What the lock guards (a worker name...): 1-200 characters, no spaces or "/". Named in messages. */
  name: z.string().regex(/^[^\s/]{1,200}$/, 'must be 1-200 characters without spaces or "/"'),
  /**
   * Where the lock lives in its store; two acquisitions conflict when their keys are equal. Defaults: memory
   * `<name>`, Redis `bookshelf:lock:<name>`, Consul KV `bookshelf/lock/<name>`.
   */
  key: z
    .string()
    .regex(/^[^\s/][^\s]{0,511}$/, 'must be 1-512 characters without spaces, not starting with "/"')
    .optional(),
  /** Take the lock even when another holder has it; that holder's `lost` resolves. */
  force: z.boolean().default(false),
  /** How long the lock outlives its holder's last heartbeat (renewed every ttl/3). Unused by the memory lock. */
  ttlMs: z.int().min(100).max(86_400_000).default(DEFAULT_LOCK_TTL_MS),
  /** What the lock is, in the held error: `lending worker name` -> `lending worker name "w1" is in use ...`. */
  label: z.string().min(1).max(100).default('lock'),
  /** What holds it, in messages: `worker` -> `in use by another running worker`, `taken over by another worker`. */
  holderLabel: z.string().min(1).max(100).default('instance'),
};

export const instanceLockOptionsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('memory'), ...common }).strict(),
  z
    .object({
      kind: z.literal('redis'),
      ...common,
      url: z.string().regex(/^rediss?:\/\/\S+$/, 'must be redis://host:port or rediss://...'),
      db: z.int().min(0).max(1_000_000).optional(),
      /** ACL user and password; never logged. */
      username: z.string().min(1).optional(),
      password: z.string().optional(),
      /** TLS (also implied by a `rediss://` URL): `true`, or `{ ca }` to trust a private CA's PEM certificates. */
      tls: z.union([z.boolean(), z.object({ ca: pemList.optional() }).strict()]).default(false),
      /** How long acquiring waits for Redis to answer (refusals retried meanwhile) before DISCO_ERR_UNAVAILABLE. */
      connectTimeoutMs: z.int().min(100).max(600_000).default(10_000),
    })
    .strict(),
  z
    .object({
      kind: z.literal('consul'),
      ...common,
      addr: z
        .string()
        .regex(/^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:8500 or [::1]:8500'),
      /** HTTPS to the agent. */
      secure: z.boolean().default(false),
      /** PEM certificates to trust for HTTPS instead of the system's (a private CA). */
      ca: pemList.optional(),
      /** ACL token sent as `X-Consul-Token`; never logged. */
      token: z.string().regex(/^\S+$/, 'must be a non-empty word without spaces').optional(),
      /** How long each request to the agent may take (acquiring and heartbeats): an agent that never answers fails. */
      requestTimeoutMs: z.int().min(100).max(600_000).default(5_000),
    })
    .strict(),
]);

export type InstanceLockOptions = z.input<typeof instanceLockOptionsSchema>;
export type NormalizedLockOptions = z.output<typeof instanceLockOptionsSchema>;
export type MemoryLockOptions = Extract<NormalizedLockOptions, { kind: 'memory' }>;
export type RedisLockOptions = Extract<NormalizedLockOptions, { kind: 'redis' }>;
export type ConsulLockOptions = Extract<NormalizedLockOptions, { kind: 'consul' }>;
