import {
  AFTER_HEADER,
  decodePositions,
  encodePositions,
  positionWatermark,
  POSITION_HEADER,
} from '../eventlib/index.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IDEMPOTENCY_KEY_HEADER } from '../platform/index.js';
import { createServiceClient, type HttpMethod, type ServiceClient } from '../restlib/index.js';
import type { ServiceRegistry } from '../discolib/index.js';
import type { Logger } from 'pino';

/**
 * The gateway's view of the services behind it: one discovery-aware client per service (instances kept fresh by
 * a registry watch), and the high-water mark of the writes this gateway made, forwarded on reads so a client
 * that reads after its write sees it (read-your-writes).
 */
/** The request id travels upstream, so the service logs and answers (problem+json `requestId`) with the caller's. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Request headers a call carries on to the service: the caller's request id, and a write's idempotency key (the
 * service keeps it in the log).
 */
export function forwardedHeaders(req: Pick<FastifyRequest, 'headers' | 'id'> | undefined): Record<string, string> {
  const key = req?.headers[IDEMPOTENCY_KEY_HEADER];
  return {
    ...(req ? { [REQUEST_ID_HEADER]: String(req.id) } : {}),
    ...(typeof key === 'string' ? { [IDEMPOTENCY_KEY_HEADER]: key } : {}),
  };
}

export function upstreams(registry: ServiceRegistry, log: Logger) {
  const clients = new Map<string, ServiceClient>();
  const written = positionWatermark();
  const client = (service: string): ServiceClient => {
    let c = clients.get(service);
    if (!c) {
      c = createServiceClient({ registry, service, logger: log });
      clients.set(service, c);
    }
    return c;
  };

  /** Sends the upstream answer on as it came (status, content type, body); problem+json passes through. */
  const relay = (reply: FastifyReply, res: { status: number; headers: Record<string, unknown>; body: Buffer }) => {
    const type = res.headers['content-type'];
    if (typeof type === 'string') void reply.type(type);
    const token = res.headers[POSITION_HEADER];
    if (typeof token === 'string') {
      written.advance(decodePositions(token));
      void reply.header(POSITION_HEADER, token);
    }
    return reply.code(res.status).send(res.body.length ? res.body : undefined);
  };

  /** The headers of a write: the write watermark and what the caller's request carries on (its key). */
  const writeHeaders = (req?: Pick<FastifyRequest, 'headers' | 'id'>): Record<string, string> => {
    const after = encodePositions(written.of());
    return { ...forwardedHeaders(req), ...(after ? { [AFTER_HEADER]: after } : {}) };
  };

  return {
    client,
    /** Forwards a read, asking the view to include every write made through this gateway. */
    async read(reply: FastifyReply, service: string, path: string) {
      const after = encodePositions(written.of());
      const headers = { [REQUEST_ID_HEADER]: String(reply.request.id), ...(after ? { [AFTER_HEADER]: after } : {}) };
      const res = await client(service).get(path, { headers });
      return relay(reply, res);
    },
    writeHeaders,
    /** Forwards a write (with the caller's idempotency key) and remembers where its events landed. */
    async write(reply: FastifyReply, service: string, path: string, body: unknown, req?: FastifyRequest) {
      const res = await client(service).post(path, body, { headers: writeHeaders(req ?? reply.request) });
      return relay(reply, res);
    },
    /** Forwards any method (PUT, DELETE, ...) like `write`; positions it returns are remembered. */
    async forward(
      reply: FastifyReply,
      service: string,
      method: HttpMethod,
      path: string,
      body?: unknown,
      req?: FastifyRequest,
    ) {
      const res = await client(service).request({
        method,
        path,
        ...(body === undefined ? {} : { body }),
        headers: writeHeaders(req ?? reply.request),
      });
      return relay(reply, res);
    },
    /** Instances currently known per service, for readiness details. */
    known(): Record<string, number> {
      return Object.fromEntries([...clients].map(([name, c]) => [name, c.instances().length]));
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}

export type Upstreams = ReturnType<typeof upstreams>;
