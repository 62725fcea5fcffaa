import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Envelope, Position } from '../eventlib/index.js';
import { problem } from '../restlib/index.js';

/**
 * Idempotency keys (SPEC §6, draft-ietf-httpapi-idempotency-key-header): a client that retries a write with the
 * same `Idempotency-Key` (after a timeout, a 504, a broker restart) gets the first answer, and no second command
 * is appended. The key and a fingerprint of the request travel in the metadata of the events the write appends,
 * so the log itself remembers them: a restarted service rebuilds its ledger from the log and still recognises
 * the retry. A write that appends nothing (a no-op update) is not recorded; retrying it is again a no-op.
 */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Visible ASCII, 1-255 characters (a uuid is typical). */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 visible ASCII characters (a uuid, for example)');

/** For route schemas: the optional header, documented in OpenAPI. */
export const idempotencyKeyHeader = {
  [IDEMPOTENCY_KEY_HEADER]: IdempotencyKeySchema.optional().describe(
    'retry-safe writes: a retry with the same key gets the first answer and appends nothing',
  ),
};

/** Where a keyed write's key and request fingerprint are kept in each event's metadata. */
export const IDEMPOTENCY_METADATA = { key: 'idempotencyKey', request: 'idempotencyRequest' } as const;

export interface KeyedRequest {
  readonly key: string;
  /** Fingerprint of method, path and body: the same key with another request is refused. */
  readonly requestHash: string;
}

interface RequestLike {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: unknown;
}

/** The keyed request a write carries, or undefined without the header; a malformed key is 400. */
export function keyedRequest(req: RequestLike): KeyedRequest | undefined {
  const raw = req.headers[IDEMPOTENCY_KEY_HEADER];
  if (raw === undefined) return undefined;
  const parsed = IdempotencyKeySchema.safeParse(raw);
  if (!parsed.success) {
    throw problem(400, 'REST_ERR_VALIDATION', `header idempotency-key ${parsed.error.issues[0]!.message}`, {
      errors: [{ path: 'headers.idempotency-key', message: parsed.error.issues[0]!.message }],
    });
  }
  const path = req.url.split('?')[0];
  const requestHash = createHash('sha256')
    .update(`${req.method.toUpperCase()} ${path}\n${JSON.stringify(req.body ?? null)}`)
    .digest('base64url')
    .slice(0, 22);
  return { key: parsed.data, requestHash };
}

/** The events of a keyed write, each carrying its key and fingerprint; unchanged without a key. */
export function stampIdempotency<E extends Envelope>(events: readonly E[], keyed: KeyedRequest | undefined): E[] {
  if (keyed === undefined) return [...events];
  return events.map((e) => ({
    ...e,
    metadata: {
      ...e.metadata,
      [IDEMPOTENCY_METADATA.key]: keyed.key,
      [IDEMPOTENCY_METADATA.request]: keyed.requestHash,
    },
  }));
}

/** What one keyed write appended, as the log shows it. */
export interface RecordedWrite {
  readonly requestHash: string;
  readonly events: readonly Envelope[];
  readonly positions: readonly Position[];
  /** When its first event occurred (ms since the epoch). */
  readonly at: number;
}

export interface IdempotencyLedgerOptions {
  /** How long a key is remembered (IETF draft: keys expire). Default 24 h. */
  retentionMs?: number;
  now?: () => number;
}

export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;

/** Keys seen in the log (fed by a subscription on the service's own topic), with the events each appended. */
export class IdempotencyLedger {
  readonly #records = new Map<string, { requestHash: string; events: Envelope[]; positions: Position[]; at: number }>();
  readonly #retentionMs: number;
  readonly #now: () => number;
  #observed = 0;

  constructor(opts: IdempotencyLedgerOptions = {}) {
    this.#retentionMs = opts.retentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS;
    this.#now = opts.now ?? Date.now;
  }

  /** Records an event of a keyed write (events without a key are ignored). */
  observe(event: Envelope, position: Position): void {
    const key = event.metadata[IDEMPOTENCY_METADATA.key];
    if (typeof key !== 'string') return;
    const hash = event.metadata[IDEMPOTENCY_METADATA.request];
    const requestHash = typeof hash === 'string' ? hash : '';
    const found = this.#records.get(key);
    if (found && found.requestHash === requestHash) {
      if (!found.positions.some((p) => samePosition(p, position))) {
        found.events.push(event);
        found.positions.push(position);
      }
    } else {
      this.#records.set(key, { requestHash, events: [event], positions: [position], at: Date.parse(event.occurredAt) });
    }
    if (++this.#observed % 1024 === 0) this.#prune();
  }

  /** The write recorded under `key`, unless it is older than the retention. */
  lookup(key: string): RecordedWrite | undefined {
    const found = this.#records.get(key);
    if (found === undefined || this.#now() - found.at > this.#retentionMs) return undefined;
    return found;
  }

  get size(): number {
    return this.#records.size;
  }

  #prune(): void {
    const oldest = this.#now() - this.#retentionMs;
    for (const [key, record] of this.#records) if (record.at < oldest) this.#records.delete(key);
  }
}

function samePosition(a: Position, b: Position): boolean {
  return a.topic === b.topic && a.partition === b.partition && a.offset === b.offset;
}

/** What a write appended: its own events, or those of the first attempt when it is a retry. */
export interface WriteResult {
  readonly events: readonly Envelope[];
  readonly positions: readonly Position[];
  /** True when the answer comes from an earlier attempt with the same key. */
  readonly replayed: boolean;
}

/** A keyed request that reuses a key of another request: 422, never executed. */
export function keyReused(key: string) {
  return problem(
    422,
    'REST_ERR_IDEMPOTENCY_KEY_REUSED',
    `Idempotency-Key ${JSON.stringify(key)} was already used for a different request`,
  );
}

export interface IdempotentWritesOptions {
  ledger: IdempotencyLedger;
  /** Resolves once the ledger has seen everything in the log up to now (its subscription caught up). */
  settle: () => Promise<void>;
}

/**
 * Runs writes so that a keyed retry is answered from its first attempt: while the first is in flight the retry
 * waits for it; afterwards (also after a restart) the ledger, caught up with the log, holds its events.
 * `execute` gets the stamp to put on its events and returns what it appended; `settle` (default: the option)
 * brings the ledger up to the log's end before a key is looked up.
 */
export function idempotentWrites(opts: IdempotentWritesOptions) {
  const inFlight = new Map<string, { requestHash: string; result: Promise<WriteResult> }>();
  const replayed = (recorded: RecordedWrite): WriteResult => ({
    events: recorded.events,
    positions: recorded.positions,
    replayed: true,
  });

  return async function run(
    keyed: KeyedRequest | undefined,
    execute: (stamp: <E extends Envelope>(events: readonly E[]) => E[]) => Promise<Omit<WriteResult, 'replayed'>>,
    settle: () => Promise<void> = opts.settle,
  ): Promise<WriteResult> {
    if (keyed === undefined) return { ...(await execute((events) => [...events])), replayed: false };
    const running = inFlight.get(keyed.key);
    if (running) {
      if (running.requestHash !== keyed.requestHash) throw keyReused(keyed.key);
      return { ...(await running.result), replayed: true };
    }
    const result = (async (): Promise<WriteResult> => {
      await settle();
      const recorded = opts.ledger.lookup(keyed.key);
      if (recorded) {
        if (recorded.requestHash !== keyed.requestHash) throw keyReused(keyed.key);
        return replayed(recorded);
      }
      return { ...(await execute((events) => stampIdempotency(events, keyed))), replayed: false };
    })();
    inFlight.set(keyed.key, { requestHash: keyed.requestHash, result });
    try {
      return await result;
    } finally {
      inFlight.delete(keyed.key);
    }
  };
}

export type IdempotentWrites = ReturnType<typeof idempotentWrites>;
