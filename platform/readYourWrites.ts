import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { AFTER_HEADER, encodePositions, POSITION_HEADER, type Position } from '../eventlib/index.js';

/**
 * Read-your-writes across services (SPEC §7): a write answers with `bookshelf-position` (where its events
 * landed); the gateway sends the highest positions it wrote as `bookshelf-after` on reads, and a view waits until
 * it has applied them. These are the helpers every service uses for the two headers.
 */
export { AFTER_HEADER, POSITION_HEADER };

/** For route header schemas: the caller's write watermark, documented once. */
export const readYourWritesHeaders = {
  [AFTER_HEADER]: z
    .string()
    .max(8192)
    .optional()
    .describe('positions of the writes this read must see (the gateway sends it); the read waits for them'),
};

/** The `bookshelf-after` token of a request, if any. */
export function afterOf(req: Pick<FastifyRequest, 'headers'>): string | undefined {
  const token = req.headers[AFTER_HEADER];
  return typeof token === 'string' ? token : undefined;
}

/** Tells the caller where a write's events landed (nothing when it appended nothing). */
export function markWritten<R extends Pick<FastifyReply, 'header'>>(reply: R, positions: readonly Position[]): R {
  if (positions.length > 0) void reply.header(POSITION_HEADER, encodePositions(positions));
  return reply;
}

export interface ReadYourWritesOptions {
  /** How the service waits for a token's positions (a read model's `catchUp`). */
  catchUp: (afterToken: string | undefined) => Promise<void>;
}

/**
 * For a view: every GET route registered after it documents `bookshelf-after` and, before its handler runs, waits
 * until the service has applied the caller's writes (400 for a malformed token, 503 when it cannot catch up).
 */
const plugin: FastifyPluginAsync<ReadYourWritesOptions> = async (app, opts) => {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('GET')) return;
    const schema = (route.schema ?? {}) as { headers?: unknown };
    const headers = schema.headers;
    route.schema = {
      ...schema,
      headers: headers instanceof z.ZodObject ? headers.extend(readYourWritesHeaders) : z.object(readYourWritesHeaders),
    };
    const preHandler = async (req: FastifyRequest) => opts.catchUp(afterOf(req));
    const existing = route.preHandler;
    route.preHandler = existing === undefined ? preHandler : [preHandler, ...[existing].flat()];
  });
};

export const readYourWrites = fp(plugin, { name: 'bookshelf-read-your-writes', fastify: '5.x' });
