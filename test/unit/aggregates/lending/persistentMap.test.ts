import { describe, expect, it } from 'vitest';
import { PersistentMap } from '../../../../aggregates/lending/domain/index.js';

describe('PersistentMap', () => {
  it('sets, gets, deletes without changing earlier versions', () => {
    const empty = PersistentMap.empty<number>();
    const one = empty.set('a', 1);
    const two = one.set('b', 2);
    const changed = two.set('a', 10);
    const removed = changed.delete('b');
    expect([empty.size, one.size, two.size, changed.size, removed.size]).toEqual([0, 1, 2, 2, 1]);
    expect([one.get('a'), two.get('a'), changed.get('a'), removed.get('a')]).toEqual([1, 1, 10, 10]);
    expect(two.has('b')).toBe(true);
    expect(removed.has('b')).toBe(false);
    expect(empty.get('a')).toBeUndefined();
  });

  it('returns the same map when nothing changes', () => {
    const map = PersistentMap.empty<number>().set('a', 1);
    expect(map.set('a', 1)).toBe(map);
    expect(map.delete('zzz')).toBe(map);
  });

  it('update sets, or deletes on undefined', () => {
    const map = PersistentMap.from([['a', 1]]);
    expect(map.update('a', (v) => (v ?? 0) + 1).get('a')).toBe(2);
    expect(map.update('a', () => undefined).has('a')).toBe(false);
    expect(map.update('new', (v) => (v === undefined ? 7 : v)).get('new')).toBe(7);
  });

  it('keeps many keys (hash collisions across buckets) like a Map does', () => {
    const reference = new Map<string, number>();
    let map = PersistentMap.empty<number>();
    const versions: PersistentMap<number>[] = [];
    for (let i = 0; i < 5000; i++) {
      const key = `k${(i * 7919) % 3001}`;
      if (i % 5 === 4) {
        reference.delete(key);
        map = map.delete(key);
      } else {
        reference.set(key, i);
        map = map.set(key, i);
      }
      if (i === 100) versions.push(map);
    }
    expect(map.size).toBe(reference.size);
    expect(new Map(map)).toEqual(reference);
    expect([...map.keys()].sort()).toEqual([...reference.keys()].sort());
    expect([...map.values()].sort()).toEqual([...reference.values()].sort());
    expect(versions[0]?.size).toBeLessThanOrEqual(101);
  });
});
