import { z } from 'zod';
import { DiscoError } from './errors.js';
import type { ServiceInstance } from './port.js';

const UNIT_NS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

/** Milliseconds in a Go-style duration (`1m30s`, `500ms`), the format Consul uses; `undefined` when malformed. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(n) * UNIT_NS[unit!]!;
  return ms;
}

const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: 'must be a duration such as 500ms, 5s or 1m',
});
const token = z.string().regex(/^\S+$/, 'must be a non-empty word without spaces');

export const serviceNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    'must be non-empty: letters, digits, "-", "_" or "." (DNS needs letters, digits and "-")',
  );

export const registrationSchema = z
  .object({
    name: serviceNameSchema,
    id: token,
    address: z
      .string()
      .min(1, 'must not be empty')
      .refine(
        (a) => !['0.0.0.0', '::', '[::]'].includes(a),
        'must be an address other processes can reach, not a wildcard',
      ),
    port: z.number().int().min(1).max(65535),
    tags: z.array(token),
    meta: z.record(z.string(), z.string()).default({}),
    check: z
      .object({
        path: z.string().startsWith('/').default('/ready'),
        interval: duration.default('5s'),
        timeout: duration.default('2s'),
        deregisterAfter: duration.default('1m'),
      })
      .strict()
      .default({ path: '/ready', interval: '5s', timeout: '2s', deregisterAfter: '1m' }),
  })
  .strict();

export type NormalizedRegistration = z.output<typeof registrationSchema>;

export const discoverQuerySchema = z
  .object({
    name: serviceNameSchema,
    tags: z.array(token).min(1, 'must list at least one tag; omit tags to match any').optional(),
  })
  .strict();

export type NormalizedQuery = z.output<typeof discoverQuerySchema>;

/** One PEM text or several; each must hold a certificate. */
export const pemList = z
  .union([z.string(), z.array(z.string()).min(1).readonly()])
  .transform((v): string[] => (typeof v === 'string' ? [v] : [...v]))
  .pipe(z.array(z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be PEM certificates' })));

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:8500');

export const registryOptionsSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('memory'),
      /** `probe`: GET the check path like Consul does (default); `passing`: every registered instance is passing. */
      health: z.enum(['probe', 'passing']).default('probe'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('consul'),
      addr: hostPort,
      /** ACL token sent as `X-Consul-Token`; never logged. */
      token: token.optional(),
      /** HTTPS to the agent. */
      secure: z.boolean().default(false),
      /** PEM certificates to trust for HTTPS instead of the system's (a private CA). */
      ca: pemList.optional(),
      /** How often the agent's service list is checked for registrations it forgot (agent restart). */
      resyncIntervalMs: z.number().int().min(100).default(3000),
      /** Timeout of ordinary (non-blocking) agent requests. */
      requestTimeoutMs: z.number().int().min(100).default(5000),
      /** How long `connectRegistry` waits for the agent to answer at start-up (refusals retried meanwhile). */
      connectTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
      /** Longest wait of one blocking query used by `watch`. */
      watchWait: duration.default('30s'),
    })
    .strict(),
]);

export type RegistryOptions = z.input<typeof registryOptionsSchema>;
export type NormalizedRegistryOptions = z.output<typeof registryOptionsSchema>;
export type MemoryRegistryOptions = Extract<NormalizedRegistryOptions, { kind: 'memory' }>;
export type ConsulRegistryOptions = Extract<NormalizedRegistryOptions, { kind: 'consul' }>;

/** Parses `value` or throws DISCO_ERR_INVALID with one line naming the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length > 0 ? `${issue.path.join('.')} ` : '';
  throw new DiscoError('DISCO_ERR_INVALID', `${what}: ${path}${issue.message}`.trim(), { cause: result.error });
}

/** True when `instance` carries every tag in `tags` (no tags = match). */
export function hasEveryTag(instance: { tags: readonly string[] }, tags: readonly string[] | undefined): boolean {
  return tags === undefined || tags.every((t) => instance.tags.includes(t));
}

export function byId(a: ServiceInstance, b: ServiceInstance): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A stable text form of an instance list, to tell real changes from repeats. */
export function fingerprint(instances: readonly ServiceInstance[]): string {
  return JSON.stringify(instances.map((i) => [i.id, i.address, i.port, i.tags, Object.entries(i.meta).sort()]));
}
