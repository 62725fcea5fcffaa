import type { Logger } from 'pino';
import type { EventBus, EventRegistry } from '../eventlib/index.js';
import { IdempotencyLedger, idempotentWrites, type IdempotentWrites } from './idempotency.js';
import { startReadModel, type ReadModel } from './readModel.js';

export interface KeyedWritesOptions {
  /** The topics the service writes: their log is where its keys are kept. */
  topics: string[];
  /** Names the replay subscription (one per instance). */
  group: string;
  registry: EventRegistry;
  log: Logger;
  retentionMs?: number;
}

export interface KeyedWrites {
  readonly run: IdempotentWrites;
  readonly model: ReadModel;
  stop(): Promise<void>;
}

/**
 * Idempotency keys for a service that keeps no other state: a replay subscription on the topics it writes feeds
 * the ledger, so a retry is recognised even after the service restarted. Services with a read model of their own
 * pass a ledger to it instead (`startReadModel({ ledger })`).
 */
export async function startKeyedWrites(bus: EventBus, opts: KeyedWritesOptions): Promise<KeyedWrites> {
  const ledger = new IdempotencyLedger(opts.retentionMs === undefined ? {} : { retentionMs: opts.retentionMs });
  const model = await startReadModel(bus, {
    topics: opts.topics,
    group: opts.group,
    registry: opts.registry,
    apply: () => false,
    ledger,
    log: opts.log,
  });
  return { run: idempotentWrites({ ledger, settle: () => model.settle() }), model, stop: () => model.stop() };
}
