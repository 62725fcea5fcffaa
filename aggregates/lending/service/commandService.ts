import type { PlatformDeps, ServiceComponent, ComponentIdentity } from '../../../platform/index.js';
import {
  domainProblem,
  idempotencyKeyHeader,
  keyedRequest,
  markWritten,
  startKeyedWrites,
} from '../../../platform/index.js';
import { z } from 'zod';
import { lendingRegistry, type LendingTopics } from '../wire.js';
import { ensureLendingTopics, queueLending } from './queue.js';
import { LendingBodySchema, QueuedSchema } from './schemas.js';

export interface LendingCommandServiceOptions {
  identity: ComponentIdentity;
  topics: LendingTopics;
}

/**
 * `lending` (command side): `POST /requests` and `POST /returns` `{ user, books }` -> 202 `{ requestId }` once the
 * command is durably on `lending-commands`; bad input -> 400 problem+json and nothing queued. A retry with the
 * same `Idempotency-Key` answers the same request id and queues nothing. The lending worker
 * decides; the outcome is read from `lendingview` (`GET /requests/{id}`).
 */
export async function lendingCommandService(
  deps: PlatformDeps,
  opts: LendingCommandServiceOptions,
): Promise<ServiceComponent> {
  await ensureLendingTopics(deps.bus, opts.topics);
  const keyed = await startKeyedWrites(deps.bus, {
    topics: [opts.topics.commands],
    group: `${opts.identity.id}.keys`,
    registry: lendingRegistry(),
    log: deps.log,
  });
  const route = (kind: 'request' | 'return') => ({
    schema: {
      summary: kind === 'request' ? 'Request books' : 'Return books',
      tags: ['lending'],
      headers: z.object(idempotencyKeyHeader),
      body: LendingBodySchema,
      response: { 202: QueuedSchema },
    },
  });
  return {
    identity: opts.identity,
    description: 'Lending (command side): queues book requests and returns for the lending worker',
    routes(app) {
      for (const [path, kind] of [
        ['/requests', 'request'],
        ['/returns', 'return'],
      ] as const) {
        app.post(path, route(kind), async (req, reply) => {
          const written = await keyed.run(keyedRequest(req), async (stamp) => {
            const queued = await queueLending(deps.bus, opts.topics, kind, req.body, {
              producer: opts.identity.id,
              clock: deps.clock,
              correlationId: req.id,
              stamp,
            });
            if (!queued.ok) {
              // The same rule as the route's body schema: one code for both, whichever catches it.
              throw domainProblem(queued.error, { code: 'REST_ERR_VALIDATION', path: (field) => `body.${field}` });
            }
            return { events: queued.events, positions: queued.positions };
          });
          const requestId = (written.events[0]!.data as { requestId: string }).requestId;
          markWritten(reply, written.positions);
          return reply.code(202).send({ requestId, kind, status: 'pending' as const });
        });
      }
    },
    readiness: () => keyed.model.readiness(),
    failed: keyed.model.failed,
    stop: () => keyed.stop(),
  };
}
