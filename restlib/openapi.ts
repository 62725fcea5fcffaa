import type { SwaggerTransform } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { REST_ERROR_CODES, type RestErrorCode } from './errors.js';
import { CODE_BY_STATUS, PROBLEM_CONTENT_TYPE, problemType } from './problem.js';

/** Where the shared problem+json schema lives in the document (`problemSchema` carries this id). */
export const PROBLEM_REF = '#/components/schemas/Problem';

/** The code each documented error status answers with (the route's own codes share the status and the schema). */
const CODE_OF: Record<number, RestErrorCode> = {
  ...CODE_BY_STATUS,
  400: 'REST_ERR_VALIDATION',
  500: 'REST_ERR_INTERNAL',
  502: 'REST_ERR_UPSTREAM_UNAVAILABLE',
  504: 'REST_ERR_UPSTREAM_TIMEOUT',
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The error statuses a route can answer, from its shape: every route 400 (query, headers, a bad URL), 500 and
 * 502-504 (the gateway's upstreams; any service 503 while not ready or closing); a path parameter adds 404 and
 * 414 (longer than the router takes); a body 413 and 415; a write 401/403 (API keys), 404, 409, 422 (the
 * domain's rules) and 429.
 */
export function errorStatuses(method: string, url: string, schema: { body?: unknown }): number[] {
  const statuses = new Set([400, 500, 502, 503, 504]);
  if (url.includes(':') || url.includes('{')) for (const s of [404, 414]) statuses.add(s);
  if (schema.body !== undefined) for (const s of [413, 415]) statuses.add(s);
  if (WRITES.has(method.toUpperCase())) for (const s of [401, 403, 404, 409, 422, 429]) statuses.add(s);
  return [...statuses].sort((a, b) => a - b);
}

/** An example problem document for `status` on `path`. */
export function problemExample(status: number, path: string): Record<string, unknown> {
  const code = CODE_OF[status] ?? 'REST_ERR_BAD_REQUEST';
  const { title } = REST_ERROR_CODES[code];
  return {
    type: problemType(code),
    title,
    status,
    detail: `${title.toLowerCase()} (example)`,
    code,
    instance: path,
    requestId: '0b6f3c1e-8a52-4d1b-9c61-2f0f6a9d7e10',
  };
}

/** The OpenAPI response object of an error status: problem+json, the shared schema, an example. */
export function problemResponse(status: number, path: string) {
  const code = CODE_OF[status] ?? 'REST_ERR_BAD_REQUEST';
  return {
    description: `${REST_ERROR_CODES[code].title} (problem+json; \`code\` names the cause)`,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: PROBLEM_REF }, example: problemExample(status, path) } },
  };
}

/** A zod schema with one example (JSON Schema `examples`, shown in the OpenAPI document and the UI). */
export function withExample<T extends z.ZodType>(schema: T, example: z.output<T>): T {
  return schema.meta({ examples: [example] });
}

/**
 * Marks every open object of a body schema as refusing a `__proto__` key, as the JSON parser does
 * (`onProtoPoisoning: 'error'` answers 400 REST_ERR_BAD_JSON), so the document promises no more than is taken.
 */
function withoutProtoKeys(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutProtoKeys);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = withoutProtoKeys(v);
  if (out.type === 'object' && out.additionalProperties !== false && out.propertyNames === undefined) {
    out.propertyNames = { not: { const: '__proto__' } };
  }
  return out;
}

/**
 * The OpenAPI transform of every service (`buildServer`): zod schemas to JSON Schema
 * (fastify-type-provider-zod), then the error answers the route can give (`errorStatuses`) added as
 * problem+json responses referencing `components.schemas.Problem`. A status the route documents itself is kept.
 */
export const openapiTransform: SwaggerTransform = (input) => {
  const out = jsonSchemaTransform(input) as {
    schema: Record<string, unknown> & { hide?: boolean; response?: Record<string, unknown> };
    url: string;
  };
  if (!out.schema || out.schema.hide) return out;
  const method = [input.route.method].flat()[0] ?? 'GET';
  const path = input.url.replace(/:(\w+)/g, '{$1}');
  if (out.schema.body) out.schema.body = withoutProtoKeys(out.schema.body);
  const response: Record<string, unknown> = { ...out.schema.response };
  for (const status of errorStatuses(String(method), input.url, input.schema ?? {})) {
    const own = response[status];
    response[status] =
      own && typeof own === 'object' && 'content' in own ? own : problemResponse(status, path.replace(/[{}]/g, ''));
  }
  return { ...out, schema: { ...out.schema, response } };
};

/**
 * The document-wide transform: zod schemas with an `id` into `components.schemas`, less the `<id>Input` copies
 * nothing references (the Problem schema is only ever an answer).
 */
export const openapiTransformObject: typeof jsonSchemaTransformObject = (input) => {
  const doc = jsonSchemaTransformObject(input);
  const components = (doc as { components?: { schemas?: Record<string, unknown> } }).components;
  const schemas = components?.schemas;
  if (!schemas) return doc;
  const text = JSON.stringify({ ...doc, components: { ...components, schemas: {} } });
  for (const name of Object.keys(schemas)) {
    if (name.endsWith('Input') && name.slice(0, -5) in schemas && !text.includes(`/schemas/${name}"`)) {
      delete schemas[name];
    }
  }
  return doc;
};
