import { describe, expect, it } from 'vitest';
import { ProcessedOffsets, numericOffsetOrder, streamIdOrder } from '../../../eventlib/consumer/progress.js';

describe('offset orders', () => {
  it('compare Kafka offsets numerically (not as strings) and Redis ids by time then sequence', () => {
    expect(numericOffsetOrder('9', '10')).toBeLessThan(0);
    expect(numericOffsetOrder('10', '10')).toBe(0);
    expect(streamIdOrder('1700000000000-9', '1700000000000-10')).toBeLessThan(0);
    expect(streamIdOrder('1700000000001-0', '1700000000000-10')).toBeGreaterThan(0);
    expect(streamIdOrder('5', '12')).toBeLessThan(0);
  });
});

describe('ProcessedOffsets', () => {
  const at = (offset: string, partition = 0) => ({ topic: 't', partition, offset });

  it('treats everything before a start offset as processed, per partition', () => {
    const p = new ProcessedOffsets(numericOffsetOrder);
    expect(p.hasProcessed(at('0'))).toBe(false);
    p.startAt('t', 0, '5');
    expect(p.hasProcessed(at('4'))).toBe(true);
    expect(p.hasProcessed(at('5'))).toBe(false);
    expect(p.hasProcessed(at('0', 1))).toBe(false);
    p.startAt('t', 1, '0');
    expect(p.hasProcessed(at('0', 1))).toBe(false);
  });

  it('counts a position once applied, never while in flight, and not when abandoned', () => {
    const p = new ProcessedOffsets(streamIdOrder);
    p.begin(at('100-0'));
    expect(p.inFlight()).toBe(1);
    expect(p.hasProcessed(at('100-0'))).toBe(false);
    p.end(at('100-0'), false);
    expect(p.hasProcessed(at('100-0'))).toBe(false);
    p.begin(at('200-0'));
    p.end(at('200-0'), true);
    expect(p.hasProcessed(at('150-3'))).toBe(true);
    // A reclaimed older entry in flight is not processed even though a newer one is.
    p.begin(at('100-0'));
    expect(p.hasProcessed(at('100-0'))).toBe(false);
    p.end(at('100-0'), true);
    expect(p.hasProcessed(at('100-0'))).toBe(true);
    expect(p.highest('t', 0)).toBe('200-0');
  });

  it('wakes waiters on every change', async () => {
    const p = new ProcessedOffsets(numericOffsetOrder);
    const woken = p.changes.wait();
    p.begin(at('1'));
    p.end(at('1'), true);
    await expect(woken).resolves.toBeUndefined();
  });
});
