import type { Logger } from 'pino';
import type { LendingConfig } from '../domain/index.js';
import type { LendingTopics } from '../wire.js';

/** Counters a worker reports on its status route and in logs. */
export interface WorkerStats {
  /** Commands whose events this worker appended. */
  decided: number;
  /** Redelivered or repeated commands whose requestId was already decided (nothing appended). */
  duplicates: number;
  /** Commands that can never succeed (invalid payload, shelving mismatch): dead-lettered. */
  deadLettered: number;
  /** Redis only: optimistic transactions retried because another worker changed a key this decision read. */
  conflicts: number;
}

/** A running lending worker, whatever the transport. */
export interface LendingWorker {
  readonly name: string;
  readonly transport: 'kafka' | 'memory' | 'redis';
  stats(): Readonly<WorkerStats>;
  /** Ready once the state is rebuilt (Kafka, memory) or the group exists (Redis). */
  ready(): boolean;
  /**
   * Resolves with the reason when the worker cannot go on (its log vanished on the server, Redis data loss): it
   * has stopped taking commands rather than decide on an empty state.
   */
  readonly failed?: Promise<string>;
  /** Stops taking commands, finishes the one in flight, disconnects. Idempotent. */
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** Unique worker name: the consumer name in the group and the name of the instance lock. */
  name: string;
  topics: LendingTopics;
  config: LendingConfig;
  clock: () => Date;
  log: Logger;
}

export const newStats = (): WorkerStats => ({ decided: 0, duplicates: 0, deadLettered: 0, conflicts: 0 });
