import { streamIdOrder } from './consumer/progress.js';
import type { Position } from './port.js';

/**
 * Read-your-writes across services: a writer returns the positions of the events it appended as a token
 * (HTTP header `bookshelf-position`); a reader passes the token back (`bookshelf-after`) and a view waits until
 * it has applied those positions before answering.
 *
 * Token: entries joined by `,`, each `<topic, URI-encoded>/<partition>/<offset>`. Offsets are Kafka offsets
 * (`"42"`), Redis stream ids (`"1700000000000-3"`) or memory sequence numbers.
 */
export const POSITION_HEADER = 'bookshelf-position';
export const AFTER_HEADER = 'bookshelf-after';

const OFFSET = /^\d+(-\d+)?$/;
const MAX_ENTRIES = 256;

export function encodePositions(positions: readonly Position[]): string {
  return positions.map((p) => `${encodeURIComponent(p.topic)}/${p.partition}/${p.offset}`).join(',');
}

/** Parses a token; throws a RangeError naming the bad entry (callers answer 400). */
export function decodePositions(token: string): Position[] {
  const entries = token.split(',').filter((e) => e.trim() !== '');
  if (entries.length > MAX_ENTRIES) throw new RangeError(`position token has more than ${MAX_ENTRIES} entries`);
  return entries.map((entry) => {
    const [topic, partition, offset, extra] = entry.trim().split('/');
    if (!topic || partition === undefined || offset === undefined || extra !== undefined) {
      throw new RangeError(`bad position "${entry}": expected <topic>/<partition>/<offset>`);
    }
    if (!/^\d+$/.test(partition) || !OFFSET.test(offset)) throw new RangeError(`bad position "${entry}"`);
    let name: string;
    try {
      name = decodeURIComponent(topic);
    } catch {
      throw new RangeError(`bad position "${entry}": topic is not URI-encoded`);
    }
    return { topic: name, partition: Number(partition), offset };
  });
}

/** Keeps the highest position per topic-partition: what a gateway has written so far. */
export function positionWatermark() {
  const high = new Map<string, Position>();
  return {
    advance(positions: readonly Position[]): void {
      for (const p of positions) {
        const key = `${p.topic}\u0000${p.partition}`;
        const cur = high.get(key);
        if (!cur || streamIdOrder(p.offset, cur.offset) > 0) high.set(key, p);
      }
    },
    /** Positions of `topics` only (a view cares about the topics it reads). */
    of(topics?: readonly string[]): Position[] {
      const all = [...high.values()];
      return topics ? all.filter((p) => topics.includes(p.topic)) : all;
    },
  };
}
