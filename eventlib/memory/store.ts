import type { Logger } from 'pino';
import { ChangeSignal } from '../consumer/progress.js';
import { Journal, type JournalLine } from './journal.js';

export interface StoredRecord {
  key: string | null;
  value: string;
  /** Append time, ms since the epoch. */
  timestamp: number;
}

/**
 * The memory adapter's log: topics of partitions of records, and each group's next offset per partition.
 * With a journal file every change is appended to it; records are written before `append` resolves, group
 * positions are coalesced and written within `flushIntervalMs` (and on close).
 */
export class MemoryStore {
  readonly #topics = new Map<string, StoredRecord[][]>();
  /** group -> topic -> next offset per partition. */
  readonly #positions = new Map<string, Map<string, number[]>>();
  readonly #journal: Journal | undefined;
  readonly #flushIntervalMs: number;
  #dirtyPositions = new Map<string, JournalLine>();
  #flushTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  readonly #log: Logger;
  /** Notified on every append and every position change. */
  readonly changes = new ChangeSignal();

  private constructor(journal: Journal | undefined, flushIntervalMs: number, log: Logger) {
    this.#journal = journal;
    this.#log = log;
    this.#flushIntervalMs = flushIntervalMs;
  }

  static async open(options: {
    file?: string | undefined;
    flushIntervalMs: number;
    log: Logger;
  }): Promise<MemoryStore> {
    if (!options.file) return new MemoryStore(undefined, options.flushIntervalMs, options.log);
    const { journal, lines } = await Journal.open(options.file, options.log);
    const store = new MemoryStore(journal, options.flushIntervalMs, options.log);
    for (const line of lines) store.#apply(line);
    options.log.debug({ file: options.file, lines: lines.length }, 'journal loaded');
    return store;
  }

  hasTopic(topic: string): boolean {
    return this.#topics.has(topic);
  }

  partitions(topic: string): number {
    return this.#topics.get(topic)?.length ?? 0;
  }

  /** Creates the topic if missing; an existing topic keeps its partitions. */
  async ensureTopic(topic: string, partitions: number): Promise<void> {
    if (this.#topics.has(topic)) return;
    const line: JournalLine = { t: 'topic', topic, partitions };
    await this.#journal?.append([line]);
    this.#apply(line);
  }

  /**
   * Appends records (the topic must exist) and resolves with their offsets. With a journal, records become visible
   * to consumers only once written, so nothing is consumed that a crash could take back.
   */
  async append(
    topic: string,
    records: readonly { partition: number; key: string | null; value: string }[],
  ): Promise<number[]> {
    const timestamp = Date.now();
    const lines: JournalLine[] = records.map((r) => ({
      t: 'rec',
      topic,
      p: r.partition,
      k: r.key,
      v: r.value,
      ts: timestamp,
    }));
    await this.#journal?.append(lines);
    const offsets = lines.map((line) => this.#apply(line));
    this.changes.notify();
    return offsets;
  }

  record(topic: string, partition: number, offset: number): StoredRecord | undefined {
    return this.#topics.get(topic)?.[partition]?.[offset];
  }

  /** Number of records in the partition (= the next offset). */
  end(topic: string, partition: number): number {
    return this.#topics.get(topic)?.[partition]?.length ?? 0;
  }

  /** The group's next offset, or undefined when it never started on this partition. */
  position(group: string, topic: string, partition: number): number | undefined {
    return this.#positions.get(group)?.get(topic)?.[partition];
  }

  /** Moves the group's next offset (only forwards). */
  commit(group: string, topic: string, partition: number, next: number): void {
    const current = this.position(group, topic, partition);
    if (current !== undefined && current >= next) return;
    const line: JournalLine = { t: 'pos', g: group, topic, p: partition, o: next };
    this.#apply(line);
    this.changes.notify();
    if (!this.#journal) return;
    this.#dirtyPositions.set(`${group}\u0000${topic}\u0000${partition}`, line);
    this.#flushTimer ??= setTimeout(() => void this.flush(), this.#flushIntervalMs);
  }

  /** Moves the group's next offset anywhere, also backwards (replay). */
  rewind(group: string, topic: string, partition: number, next: number): void {
    const line: JournalLine = { t: 'pos', g: group, topic, p: partition, o: next };
    this.#apply(line);
    this.changes.notify();
    if (!this.#journal) return;
    this.#dirtyPositions.set(`${group}\u0000${topic}\u0000${partition}`, line);
    this.#flushTimer ??= setTimeout(() => void this.flush(), this.#flushIntervalMs);
  }

  /** Writes pending group positions to the journal. */
  flush(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const lines = [...this.#dirtyPositions.values()];
    this.#dirtyPositions = new Map();
    if (lines.length > 0 && this.#journal) {
      this.#flushing = this.#journal.append(lines).catch((err: unknown) => {
        this.#log.error({ err }, 'could not write group positions to the journal; they will be redelivered');
      });
    }
    return this.#flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.#journal?.close();
  }

  /** Applies a line to the in-memory state; for records, returns the new offset. */
  #apply(line: JournalLine): number {
    switch (line.t) {
      case 'topic':
        if (!this.#topics.has(line.topic)) {
          this.#topics.set(
            line.topic,
            Array.from({ length: line.partitions }, () => []),
          );
        }
        return 0;
      case 'rec': {
        const partition = this.#topics.get(line.topic)?.[line.p];
        if (!partition) return -1;
        partition.push({ key: line.k, value: line.v, timestamp: line.ts });
        return partition.length - 1;
      }
      case 'pos': {
        let byTopic = this.#positions.get(line.g);
        if (!byTopic) this.#positions.set(line.g, (byTopic = new Map<string, number[]>()));
        let offsets = byTopic.get(line.topic);
        if (!offsets) byTopic.set(line.topic, (offsets = []));
        offsets[line.p] = line.o;
        return line.o;
      }
    }
  }
}
