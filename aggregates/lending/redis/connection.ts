import { z } from 'zod';

/**
 * How the lending worker's instance lock reaches Redis (the seed's `-a host:port --db --password --tls`, or a URL); the
 * worker itself runs on the event bus's connections.
 */
export const RedisTargetSchema = z
  .object({
    url: z.string().regex(/^rediss?:\/\/\S+$/, 'must be redis://host:port or rediss://...'),
    db: z.int().min(0).max(1_000_000).optional(),
    /** ACL user (Redis 6+); the URL's user when absent. */
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    /** TLS (also implied by `rediss://`): `true`, or `{ ca }` to trust a private CA's PEM certificates. */
    tls: z.union([z.boolean(), z.object({ ca: z.array(z.string()).optional() })]).optional(),
    /** How long a connection may take to answer at start (`--connect-timeout`); default 10 s. */
    connectTimeoutMs: z.int().min(100).max(600_000).optional(),
  })
  .readonly();
export type RedisTarget = z.infer<typeof RedisTargetSchema>;
