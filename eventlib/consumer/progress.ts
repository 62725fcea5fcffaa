import type { Position } from '../port.js';

/** Orders two offsets of one partition: negative, zero or positive. */
export type OffsetOrder = (a: string, b: string) => number;

/** Kafka offsets and memory sequence numbers: decimal integers. */
export const numericOffsetOrder: OffsetOrder = (a, b) => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Redis stream ids `<ms>-<seq>`. */
export const streamIdOrder: OffsetOrder = (a, b) => {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return numericOffsetOrder(am, bm) || numericOffsetOrder(as, bs);
};

/** Wakes everyone waiting for "something changed" (progress, assignment, end of log). */
export class ChangeSignal {
  #waiters: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * What one subscription has applied, per topic-partition: the highest processed offset (everything at or below it
 * is done, by this subscription or by its group before it took the partition over), minus the entries still in
 * flight (Redis may process a reclaimed older entry after newer ones).
 */
export class ProcessedOffsets {
  readonly #order: OffsetOrder;
  readonly #highest = new Map<string, string>();
  readonly #inFlight = new Set<string>();
  readonly changes = new ChangeSignal();

  constructor(order: OffsetOrder) {
    this.#order = order;
  }

  /** Everything before `nextOffset` counts as processed (the group's committed position when taking a partition). */
  startAt(topic: string, partition: number, nextOffset: string): void {
    const before = BigInt(nextOffset) - 1n;
    if (before >= 0n) this.#raise(topic, partition, before.toString());
    this.changes.notify();
  }

  begin(position: Position): void {
    this.#inFlight.add(partitionKey(position.topic, position.partition) + '\u0000' + position.offset);
  }

  /** The outcome of `position` is applied (or it was abandoned when `applied` is false). */
  end(position: Position, applied: boolean): void {
    this.#inFlight.delete(partitionKey(position.topic, position.partition) + '\u0000' + position.offset);
    if (applied) this.#raise(position.topic, position.partition, position.offset);
    this.changes.notify();
  }

  highest(topic: string, partition: number): string | undefined {
    return this.#highest.get(partitionKey(topic, partition));
  }

  inFlight(): number {
    return this.#inFlight.size;
  }

  hasProcessed(position: Position): boolean {
    const highest = this.#highest.get(partitionKey(position.topic, position.partition));
    if (highest === undefined || this.#order(position.offset, highest) > 0) return false;
    return !this.#inFlight.has(partitionKey(position.topic, position.partition) + '\u0000' + position.offset);
  }

  #raise(topic: string, partition: number, offset: string): void {
    const key = partitionKey(topic, partition);
    const current = this.#highest.get(key);
    if (current === undefined || this.#order(offset, current) > 0) this.#highest.set(key, offset);
  }
}
