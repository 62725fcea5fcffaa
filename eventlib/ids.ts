import { createHash, randomUUID } from 'node:crypto';

/** A random RFC 4122 version 4 uuid. */
export function newEventId(): string {
  return randomUUID();
}

/**
 * A stable uuid (RFC 4122 version 5 layout, SHA-1 of the parts) for things that must get the same id every time
 * they are derived: a raw message wrapped by an ingest rule, or its dead-letter record. Redelivery then yields the
 * same id, so consumers that dedupe by event id stay correct.
 */
export function stableEventId(...parts: readonly (string | number)[]): string {
  const bytes = createHash('sha1').update(parts.join('\u0000')).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
