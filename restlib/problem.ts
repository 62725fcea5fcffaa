import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RestError, isRestError, type FieldError, type RestErrorCode } from './errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The `application/problem+json` document (RFC 9457) every error answer carries. */
export const problemSchema = z
  .object({
    type: z.string().describe('URI naming the kind of problem; one per code'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('stable error code, e.g. REST_ERR_VALIDATION'),
    instance: z.string().optional().describe('the request path'),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  // The id puts it once in the OpenAPI document's `components.schemas`; every error answer references it.
  .meta({
    id: 'Problem',
    description: 'application/problem+json (RFC 9457) with a stable `code`',
    examples: [
      {
        type: 'urn:bookshelf:problem:REST_ERR_VALIDATION',
        title: 'Invalid request',
        status: 400,
        detail: 'body.title: Too small: expected string to have >=1 characters',
        code: 'REST_ERR_VALIDATION',
        instance: '/bookshelf/books',
        requestId: '0b6f3c1e-8a52-4d1b-9c61-2f0f6a9d7e10',
        errors: [{ path: 'body.title', message: 'Too small: expected string to have >=1 characters' }],
      },
    ],
  });

export type ProblemDocument = z.infer<typeof problemSchema>;

export function problemType(code: string): string {
  return `urn:bookshelf:problem:${code}`;
}

/** The problem document for an error (any error: unknown ones become REST_ERR_INTERNAL without details). */
export function toProblem(err: RestError, req?: Pick<FastifyRequest, 'url' | 'id'>): ProblemDocument {
  return {
    ...(err.extensions ?? {}),
    type: problemType(err.code),
    title: err.title,
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(req ? { instance: req.url.split('?')[0], requestId: String(req.id) } : {}),
    ...(err.errors ? { errors: err.errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, err: RestError): FastifyReply {
  if (err.code === 'REST_ERR_UNAVAILABLE' || err.code === 'REST_ERR_NO_INSTANCE') reply.header('retry-after', '1');
  return reply
    .status(err.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(toProblem(err, reply.request)));
}

const rest = (code: RestErrorCode, detail: string, extra: { errors?: FieldError[]; cause?: unknown } = {}) =>
  new RestError(code, detail, extra);

/** The code of a 4xx/503 fastify (or a plugin) raises with only a status. */
export const CODE_BY_STATUS: Readonly<Record<number, RestErrorCode>> = {
  401: 'REST_ERR_UNAUTHENTICATED',
  403: 'REST_ERR_FORBIDDEN',
  404: 'REST_ERR_NOT_FOUND',
  405: 'REST_ERR_METHOD_NOT_ALLOWED',
  409: 'REST_ERR_CONFLICT',
  413: 'REST_ERR_BODY_TOO_LARGE',
  414: 'REST_ERR_URI_TOO_LONG',
  415: 'REST_ERR_UNSUPPORTED_MEDIA_TYPE',
  422: 'REST_ERR_UNPROCESSABLE',
  429: 'REST_ERR_TOO_MANY_REQUESTS',
  503: 'REST_ERR_UNAVAILABLE',
};

function fieldPath(context: string | undefined, instancePath: string | undefined): string {
  const parts = (instancePath ?? '').split('/').filter(Boolean);
  return [context ?? 'body', ...parts].join('.');
}

/** Maps anything a route or fastify throws to a RestError. Unknown errors keep their secrets to the log. */
export function toRestError(error: unknown, bodyLimit: number): RestError {
  if (isRestError(error)) return error;
  const err = (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as Partial<FastifyError> & {
    retriable?: unknown;
  };
  if (hasZodFastifySchemaValidationErrors(error) || Array.isArray(err.validation)) {
    const issues = (err.validation ?? []).map<FieldError>((v) => ({
      path: fieldPath(err.validationContext, v.instancePath),
      message: v.message ?? 'is invalid',
    }));
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    return rest('REST_ERR_VALIDATION', first ? `${first.path}: ${first.message}${more}` : 'the request is invalid', {
      errors: issues,
      cause: error,
    });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return rest('REST_ERR_BODY_TOO_LARGE', `the body is larger than the limit of ${bodyLimit} bytes`, {
        cause: error,
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return rest('REST_ERR_BAD_JSON', 'the body is not valid JSON', { cause: error });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return rest('REST_ERR_BAD_JSON', 'the body is empty but content-type says JSON', { cause: error });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return rest('REST_ERR_UNSUPPORTED_MEDIA_TYPE', 'this content-type is not accepted; send application/json', {
        cause: error,
      });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return rest('REST_ERR_BAD_REQUEST', 'content-length does not match the body', { cause: error });
    default:
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    if (error instanceof SyntaxError)
      return rest('REST_ERR_BAD_JSON', 'the body could not be parsed', { cause: error });
    return rest(CODE_BY_STATUS[status] ?? 'REST_ERR_BAD_REQUEST', err.message ?? 'bad request', { cause: error });
  }
  if (status === 503 || (err.retriable === true && typeof err.code === 'string')) {
    const code = typeof err.code === 'string' ? ` (${err.code})` : '';
    return rest('REST_ERR_UNAVAILABLE', `a dependency is temporarily unavailable${code}; try again`, { cause: error });
  }
  return rest('REST_ERR_INTERNAL', 'internal error; the request id identifies it in the logs', { cause: error });
}

/**
 * Fastify's `frameworkErrors`: errors the router raises before any hook runs (a path segment longer than
 * `maxParamLength`, a malformed percent-encoding) answered as problem+json like every other error.
 */
export function frameworkProblem(requestIdHeader: string) {
  return (error: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    void reply.header(requestIdHeader, String(req.id));
    const restError =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? rest('REST_ERR_URI_TOO_LONG', 'a path segment is longer than this server accepts', { cause: error })
        : error.code === 'FST_ERR_BAD_URL'
          ? rest('REST_ERR_BAD_REQUEST', 'the path is not a valid URL (bad percent-encoding?)', { cause: error })
          : toRestError(error, Number.POSITIVE_INFINITY);
    req.log.info({ code: restError.code, detail: restError.message }, 'request rejected');
    void sendProblem(reply, restError);
  };
}

/** A fastify route path (`/books/:id`, `/docs/*`) as a regular expression over request paths. */
function routePattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** Error and not-found handlers answering problem+json; registered once, at the root. */
export const problemPlugin = fp<{ bodyLimit: number }>(
  async (app: FastifyInstance, { bodyLimit }) => {
    app.setErrorHandler((error, req, reply) => {
      const restError = toRestError(error, bodyLimit);
      if (restError.code === 'REST_ERR_INTERNAL') req.log.error({ err: error, code: restError.code }, 'request failed');
      else if (restError.status >= 500) req.log.warn({ err: error, code: restError.code }, 'request failed');
      else req.log.info({ code: restError.code, detail: restError.message }, 'request rejected');
      return sendProblem(reply, restError);
    });
    // The methods each route pattern answers, so a path that exists with another method is 405 with `Allow`.
    const routes: { pattern: RegExp; methods: Set<string> }[] = [];
    app.addHook('onRoute', (route) => {
      const pattern = routePattern(route.url ?? route.path);
      let entry = routes.find((r) => r.pattern.source === pattern.source);
      if (!entry) routes.push((entry = { pattern, methods: new Set() }));
      for (const m of [route.method].flat()) entry.methods.add(String(m).toUpperCase());
    });
    const notFound = (req: FastifyRequest, reply: FastifyReply) => {
      const path = req.url.split('?')[0]!;
      const allowed = new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => [...r.methods]));
      if (allowed.size > 0 && !allowed.has(req.method)) {
        void reply.header('allow', [...allowed].sort().join(', '));
        return sendProblem(reply, rest('REST_ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}`));
      }
      return sendProblem(reply, rest('REST_ERR_NOT_FOUND', `no route for ${req.method} ${path}`));
    };
    // Answered before the body is read: a QUERY or POST to no route is 404/405, not "missing content-type".
    app.addHook('onRequest', async (req, reply) => {
      if (req.is404) return notFound(req, reply);
    });
    app.setNotFoundHandler(notFound);
  },
  { name: 'bookshelf-problem', fastify: '5.x' },
);
