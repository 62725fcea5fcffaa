import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DestinationStream, Logger } from 'pino';
import { z } from 'zod';
import { createLogger, type LogLevel } from './logger.js';
import { openapiTransform, openapiTransformObject } from './openapi.js';
import { frameworkProblem, problemPlugin } from './problem.js';
import { healthPlugin, type ReadinessCheck } from './readiness.js';
import { Registry } from 'prom-client';
import { metricsPlugin, metricsRegistry } from './metrics.js';
import { tracingPlugin } from './tracing.js';

/** A fastify app whose routes take zod schemas (bodies, params, querystrings, responses). */
export type RestApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** The longest path segment the router takes (fastify's default is 100); a longer one is 414. */
export const MAX_PARAM_LENGTH = 1024;

export interface ServerOptions {
  /** Service name: the logs' `service` field and the OpenAPI title. */
  name: string;
  version?: string;
  description?: string;
  /** Largest accepted body in bytes; default 1 MiB. Larger bodies get 413 REST_ERR_BODY_TOO_LARGE. */
  bodyLimit?: number;
  /** A logger to use (a child is taken); otherwise one is made from `logLevel` and `logStream`. */
  logger?: Logger;
  logLevel?: LogLevel;
  logStream?: DestinationStream;
  /** What `/ready` asks; default: always ready. */
  readiness?: ReadinessCheck;
  /** `/ready` answers 503 when the check takes longer; default 5000 ms. */
  readinessTimeoutMs?: number;
  /** Serve the OpenAPI document and UI at `/docs` (JSON at `/docs/json`); default true. */
  docs?: boolean;
  /** Header carrying the request id in and out; default `x-request-id`. */
  requestIdHeader?: string;
  /** Serve Prometheus metrics at `/metrics` from this registry; default the process's (`metricsRegistry()`). */
  metrics?: Registry | false;
}

const fn = <T>() => z.custom<T>((v) => typeof v === 'function', { message: 'must be a function' });

const optionsSchema = z
  .object({
    name: z.string().min(1),
    version: z.string().min(1).default('0.0.0'),
    description: z.string().optional(),
    bodyLimit: z.number().int().positive().default(DEFAULT_BODY_LIMIT),
    logger: z
      .custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).child === 'function')
      .optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    logStream: z
      .custom<DestinationStream>((v) => typeof (v as DestinationStream | undefined)?.write === 'function')
      .optional(),
    readiness: fn<ReadinessCheck>().default(() => () => ({ ready: true })),
    readinessTimeoutMs: z.number().int().positive().default(5000),
    docs: z.boolean().default(true),
    requestIdHeader: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'must be a lower-case header name')
      .default('x-request-id'),
    metrics: z.union([z.instanceof(Registry), z.literal(false)]).optional(),
  })
  .strict();

/** An OpenAPI security scheme (`components.securitySchemes`), e.g. `{ type: 'http', scheme: 'bearer' }`. */
export type SecurityScheme =
  | { type: 'http'; scheme: string; bearerFormat?: string; description?: string }
  | { type: 'apiKey'; name: string; in: 'header' | 'query' | 'cookie'; description?: string };

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Adds a security scheme to the OpenAPI document's `components.securitySchemes` (before `ready`), so
     * routes may name it in `schema.security`. Apps not built by `buildServer` have no OpenAPI document to add to.
     */
    declareSecurityScheme?: (name: string, scheme: SecurityScheme) => void;
  }
}

const PROBES = /^\/(health|ready|metrics)(\?|$)/;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The fastify app of every service, not listening yet: request ids, pino with redaction, zod validation,
 * problem+json errors, `/health`, `/ready`, OpenAPI at `/docs`. Add routes to the returned app, then
 * `runService({ app, ... })` (or `app.inject()` in tests).
 */
export async function buildServer(options: ServerOptions): Promise<RestApp> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TypeError(`buildServer: ${issue.path.join('.')} ${issue.message}`);
  }
  const opts = Object.freeze(parsed.data);
  const logger: FastifyBaseLogger =
    opts.logger ?? createLogger({ name: opts.name, level: opts.logLevel, stream: opts.logStream });
  const header = opts.requestIdHeader;

  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: opts.bodyLimit,
    requestIdHeader: false,
    // Health probes (Consul asks every few seconds) would drown the request log.
    logController: new LogController({ disableRequestLogging: (req: { url?: string }) => PROBES.test(req.url ?? '') }),
    genReqId: (req) => {
      const given = req.headers[header];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Longer path segments answer 414 problem+json (`frameworkProblem`); shorter ones meet the route's schema.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkProblem(header),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (req, reply) => {
    reply.header(header, req.id);
  });
  await app.register(tracingPlugin, { service: opts.name });
  await app.register(problemPlugin, { bodyLimit: opts.bodyLimit });
  if (opts.metrics !== false) {
    await app.register(metricsPlugin, { service: opts.name, registry: opts.metrics ?? metricsRegistry() });
  }

  // Filled by plugins (the gateway's bearer auth) through `declareSecurityScheme`; read when the document is built.
  const components: { securitySchemes?: Record<string, SecurityScheme> } = {};
  app.decorate('declareSecurityScheme', (name: string, scheme: SecurityScheme) => {
    components.securitySchemes = { ...components.securitySchemes, [name]: scheme };
  });
  if (opts.docs) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: opts.name,
          version: opts.version,
          ...(opts.description ? { description: opts.description } : {}),
        },
        components,
      },
      transform: openapiTransform,
      transformObject: openapiTransformObject,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }
  await app.register(healthPlugin, { readiness: opts.readiness, timeoutMs: opts.readinessTimeoutMs, owner: app });
  return app;
}
