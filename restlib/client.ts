import { pino } from 'pino';
import { Agent, request } from 'undici';
import { z } from 'zod';
import type { LoggerLike, ServiceInstance, ServiceRegistry, WatchHandle } from '../discolib/index.js';
import { RestError } from './errors.js';
import { traceClientAttempt } from './tracing.js';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'POST' | 'PATCH' | 'OPTIONS';

const IDEMPOTENT = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
/** The connection was never made: nothing was sent, so even a POST may go to another instance. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);
/** The connection broke or the answer was late: the request may have been applied. */
const MAYBE_SENT = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export interface ServiceClientOptions {
  registry: ServiceRegistry;
  /** Service name to discover. */
  service: string;
  /** Only instances carrying every tag. */
  tags?: string[];
  /** Per attempt: longest wait for the whole answer (headers and body); default 5000 ms. */
  timeoutMs?: number;
  /** Per attempt: longest wait for the TCP connection; default 1000 ms. */
  connectTimeoutMs?: number;
  /** Instances tried per request at most; default 3. */
  maxAttempts?: number;
  /** An instance that failed is tried last for this long; default 5000 ms. */
  cooldownMs?: number;
  /**
   * When the registry suddenly knows no instance (a Consul agent that restarted empty, before the services
   * re-registered), keep using the last known ones for this long; default 10000 ms, 0 = never.
   */
  staleGraceMs?: number;
  logger?: LoggerLike;
}

export interface ClientRequest {
  method?: HttpMethod;
  /** Path and optional query string, e.g. `/books?limit=5`. */
  path: string;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  signal?: AbortSignal;
}

export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The instance that answered. */
  instance: ServiceInstance;
  text(): string;
  json<T = unknown>(): T;
}

const optionsSchema = z
  .object({
    registry: z.custom<ServiceRegistry>((v) => typeof (v as ServiceRegistry | undefined)?.discover === 'function', {
      message: 'must be a ServiceRegistry',
    }),
    service: z.string().min(1),
    tags: z.array(z.string().min(1)).min(1).optional(),
    timeoutMs: z.number().int().positive().default(5000),
    connectTimeoutMs: z.number().int().positive().default(1000),
    maxAttempts: z.number().int().min(1).max(10).default(3),
    cooldownMs: z.number().int().min(0).default(5000),
    staleGraceMs: z.number().int().min(0).max(600_000).default(10_000),
    logger: z.custom<LoggerLike>((v) => typeof (v as LoggerLike | undefined)?.child === 'function').optional(),
  })
  .strict();

type Attempt =
  | { kind: 'response'; response: ClientResponse }
  | { kind: 'error'; error: unknown; sent: 'no' | 'maybe'; timeout: boolean };

/**
 * HTTP client for one service found through the registry: keeps the passing instances fresh with `watch`,
 * picks them round-robin, and fails over to the next instance on connection errors and timeouts. Idempotent
 * methods (GET, HEAD, PUT, DELETE, OPTIONS) are retried on any such failure and on a 503 answer; POST and PATCH
 * only when the connection was never made (nothing was sent).
 */
export class ServiceClient {
  readonly #opts: z.output<typeof optionsSchema>;
  readonly #log: LoggerLike;
  readonly #agent: Agent;
  readonly #failedAt = new Map<string, number>();
  #instances: ServiceInstance[] = [];
  /** The last non-empty list, and since when the registry has answered empty (see staleGraceMs). */
  #lastKnown: ServiceInstance[] = [];
  #emptySince: number | undefined;
  #watch: WatchHandle | undefined;
  #next = 0;
  #closed = false;

  constructor(options: ServiceClientOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new TypeError(`ServiceClient: ${issue.path.join('.')} ${issue.message}`);
    }
    this.#opts = Object.freeze(parsed.data);
    this.#log = (this.#opts.logger ?? pino({ level: 'silent' })).child({ lib: 'restlib', client: this.#opts.service });
    this.#agent = new Agent({
      connect: { timeout: this.#opts.connectTimeoutMs },
      // The per-attempt AbortSignal below is the real timeout (undici's own timers tick about once a second).
      headersTimeout: this.#opts.timeoutMs + 1000,
      bodyTimeout: this.#opts.timeoutMs + 1000,
    });
  }

  get(path: string, init: Omit<ClientRequest, 'path' | 'method' | 'body'> = {}) {
    return this.request({ ...init, method: 'GET', path });
  }
  post(path: string, body: unknown, init: Omit<ClientRequest, 'path' | 'method' | 'body'> = {}) {
    return this.request({ ...init, method: 'POST', path, body });
  }
  put(path: string, body: unknown, init: Omit<ClientRequest, 'path' | 'method' | 'body'> = {}) {
    return this.request({ ...init, method: 'PUT', path, body });
  }
  delete(path: string, init: Omit<ClientRequest, 'path' | 'method' | 'body'> = {}) {
    return this.request({ ...init, method: 'DELETE', path });
  }

  /** The passing instances currently known (after the first request). */
  instances(): ServiceInstance[] {
    return [...this.#instances];
  }

  async request(req: ClientRequest): Promise<ClientResponse> {
    if (this.#closed)
      throw new RestError('REST_ERR_UPSTREAM_UNAVAILABLE', `client for ${this.#opts.service} is closed`, {
        retriable: false,
      });
    const method = req.method ?? 'GET';
    const { list, stale } = await this.#current();
    const candidates = this.#order(list);
    const attempts = candidates.slice(0, this.#opts.maxAttempts);
    let last: Attempt | undefined;
    for (const [i, instance] of attempts.entries()) {
      last = await this.#attempt(instance, method, req);
      const more = i < attempts.length - 1;
      if (last.kind === 'response') {
        if (last.response.status === 503 && IDEMPOTENT.has(method) && more) {
          this.#log.debug({ instance: instance.id }, '503: trying another instance');
          continue;
        }
        this.#failedAt.delete(instance.id);
        return last.response;
      }
      this.#failedAt.set(instance.id, Date.now());
      const retry = last.sent === 'no' || IDEMPOTENT.has(method);
      this.#log.warn({ instance: instance.id, err: last.error, failover: retry && more }, 'request to instance failed');
      if (!retry) break;
    }
    if (last?.kind === 'response') return last.response;
    const where = `${method} ${req.path} to ${this.#opts.service}`;
    if (stale && last?.sent === 'no') {
      throw new RestError(
        'REST_ERR_NO_INSTANCE',
        `no passing instance of ${this.#opts.service} (the last known ones do not answer)`,
        { cause: last.error },
      );
    }
    if (last?.timeout) throw new RestError('REST_ERR_UPSTREAM_TIMEOUT', `${where} timed out`, { cause: last.error });
    throw new RestError('REST_ERR_UPSTREAM_UNAVAILABLE', `${where} failed on every instance tried`, {
      cause: last?.error,
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch?.close();
    await this.#agent.close();
  }

  /** One attempt in a CLIENT span, whose `traceparent` goes out with the request (`tracing.ts`). */
  #attempt(instance: ServiceInstance, method: HttpMethod, req: ClientRequest): Promise<Attempt> {
    const headers: Record<string, string> = { ...req.headers };
    const url = `http://${instance.address}:${instance.port}${req.path}`;
    return traceClientAttempt(
      { method, service: this.#opts.service, url },
      headers,
      () => this.#send(instance, method, { ...req, headers }),
      (a) => (a.kind === 'response' ? { status: a.response.status } : { error: a.error }),
    );
  }

  async #send(instance: ServiceInstance, method: HttpMethod, req: ClientRequest): Promise<Attempt> {
    const headers: Record<string, string> = { ...req.headers };
    let body: string | Buffer | undefined;
    if (req.body !== undefined) {
      if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) body = req.body;
      else {
        body = JSON.stringify(req.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    const host = instance.address.includes(':') ? `[${instance.address}]` : instance.address;
    const deadline = AbortSignal.timeout(this.#opts.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
    try {
      const res = await request(`http://${host}:${instance.port}${req.path}`, {
        dispatcher: this.#agent,
        method,
        headers,
        body,
        signal,
      });
      const buffer = Buffer.from(await res.body.arrayBuffer());
      return {
        kind: 'response',
        response: {
          status: res.statusCode,
          headers: res.headers,
          body: buffer,
          instance,
          text: () => buffer.toString('utf8'),
          json: <T>() => JSON.parse(buffer.toString('utf8')) as T,
        },
      };
    } catch (error) {
      if (req.signal?.aborted) throw error;
      const code = errorCode(error);
      const timeout = deadline.aborted || TIMEOUT.has(code);
      const sent = NOT_SENT.has(code) && !deadline.aborted ? 'no' : 'maybe';
      if (!timeout && !NOT_SENT.has(code) && !MAYBE_SENT.has(code))
        this.#log.debug({ code }, 'unclassified request error');
      return { kind: 'error', error, sent, timeout };
    }
  }

  /** The instances to try: the registry's, or within the grace after it went empty, the last known ones. */
  async #current(): Promise<{ list: ServiceInstance[]; stale: boolean }> {
    if (!this.#watch) {
      this.#watch = this.#opts.registry.watch(this.#opts.service, (list) =>
        this.#known(list.filter((i) => this.#matches(i))),
      );
    }
    if (this.#instances.length > 0) return { list: this.#instances, stale: false };
    if (this.#withinGrace()) return { list: this.#lastKnown, stale: true };
    let found: ServiceInstance[];
    try {
      found = await this.#opts.registry.discover({
        name: this.#opts.service,
        ...(this.#opts.tags ? { tags: this.#opts.tags } : {}),
      });
    } catch (err) {
      if (this.#withinGrace()) return { list: this.#lastKnown, stale: true };
      throw new RestError('REST_ERR_NO_INSTANCE', `cannot discover ${this.#opts.service}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.#known(found);
    if (this.#instances.length > 0) return { list: this.#instances, stale: false };
    if (this.#withinGrace()) return { list: this.#lastKnown, stale: true };
    throw new RestError(
      'REST_ERR_NO_INSTANCE',
      `no passing instance of ${this.#opts.service}${this.#opts.tags ? ` with tags ${this.#opts.tags.join(',')}` : ''}`,
    );
  }

  #known(list: ServiceInstance[]): void {
    this.#instances = list;
    if (list.length > 0) {
      this.#lastKnown = list;
      this.#emptySince = undefined;
    } else if (this.#lastKnown.length > 0) {
      this.#emptySince ??= Date.now();
    }
  }

  #withinGrace(): boolean {
    return (
      this.#lastKnown.length > 0 &&
      this.#emptySince !== undefined &&
      Date.now() - this.#emptySince < this.#opts.staleGraceMs
    );
  }

  #matches(instance: ServiceInstance): boolean {
    return (this.#opts.tags ?? []).every((t) => instance.tags.includes(t));
  }

  /** Round-robin from the next position; instances that failed recently go last. */
  #order(list: ServiceInstance[]): ServiceInstance[] {
    const start = this.#next++ % list.length;
    const rotated = [...list.slice(start), ...list.slice(0, start)];
    const now = Date.now();
    const cooling = (i: ServiceInstance) => now - (this.#failedAt.get(i.id) ?? -Infinity) < this.#opts.cooldownMs;
    return [...rotated.filter((i) => !cooling(i)), ...rotated.filter(cooling)];
  }
}

function errorCode(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return '';
}

/** A client for one service; see ServiceClient. */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  return new ServiceClient(options);
}
