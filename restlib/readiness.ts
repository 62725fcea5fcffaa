import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { RestError } from './errors.js';
import { problemSchema, sendProblem } from './problem.js';

export interface Readiness {
  ready: boolean;
  /** Per-dependency details shown in the answer (e.g. `{ bus: 'connected', lag: 0 }`). */
  checks?: Record<string, unknown>;
  /** Why it is not ready, for people: the 503 detail reads `not ready: <detail>`. */
  detail?: string;
}

export type ReadinessCheck = () => Readiness | Promise<Readiness>;

interface Gate {
  shuttingDown: boolean;
}

const gates = new WeakMap<object, Gate>();

/** Makes `/ready` answer 503 from now on (first step of shutdown). Idempotent; no-op on apps not built here. */
export function markNotReady(app: FastifyInstance): void {
  const gate = gates.get(app);
  if (gate) gate.shuttingDown = true;
}

/** True once shutdown has started for an app built by `buildServer`. */
export function isShuttingDown(app: FastifyInstance): boolean {
  return gates.get(app)?.shuttingDown ?? false;
}

const readyBody = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.unknown()).optional() });

/** `GET /health` (the process is alive) and `GET /ready` (the service can do its job). */
export const healthPlugin = fp<{ readiness: ReadinessCheck; timeoutMs: number; owner: FastifyInstance }>(
  async (instance, { readiness, timeoutMs, owner }) => {
    const gate: Gate = { shuttingDown: false };
    gates.set(owner, gate);
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.addHook('preClose', async () => {
      gate.shuttingDown = true;
    });

    app.get(
      '/health',
      {
        schema: {
          summary: 'Liveness: the process answers',
          tags: ['operations'],
          response: { 200: z.object({ status: z.literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/ready',
      {
        schema: {
          summary: 'Readiness: dependencies connected and views caught up',
          tags: ['operations'],
          response: { 200: readyBody, 503: problemSchema },
        },
      },
      async (req, reply) => {
        const answer = await readinessAnswer(gate, readiness, timeoutMs);
        if (answer instanceof RestError) {
          req.log.debug({ detail: answer.message }, 'not ready');
          return sendProblem(reply, answer);
        }
        return answer;
      },
    );
  },
  { name: 'bookshelf-health', fastify: '5.x' },
);

/** The 200 body, or the RestError to answer 503 with: shutting down, not ready, threw, or took too long. */
async function readinessAnswer(
  gate: Gate,
  readiness: ReadinessCheck,
  timeoutMs: number,
): Promise<z.infer<typeof readyBody> | RestError> {
  if (gate.shuttingDown) return new RestError('REST_ERR_UNAVAILABLE', 'shutting down');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`readiness check took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  let result: Readiness;
  try {
    result = await Promise.race([Promise.resolve().then(readiness), timeout]);
  } catch (err) {
    return new RestError('REST_ERR_UNAVAILABLE', `not ready: ${(err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  if (gate.shuttingDown) return new RestError('REST_ERR_UNAVAILABLE', 'shutting down');
  if (!result.ready) {
    return new RestError(
      'REST_ERR_UNAVAILABLE',
      result.detail ? `not ready: ${result.detail}` : 'not ready',
      result.checks ? { extensions: { checks: result.checks } } : {},
    );
  }
  return { status: 'ready', ...(result.checks ? { checks: result.checks } : {}) };
}
