// How the challenge looks on the log: commands and events as envelopes, keyed by reader (a reader's commands and
// events share a partition, so the engine can run one owner per partition).
import { createEventRegistry, newEvent, type Envelope } from 'bookshelf/eventlib';
import type { DeciderWire } from 'bookshelf/platform';
import { ChallengeError, type ChallengeCommand, type ChallengeEvent } from './challenge.js';

export const TOPICS = { commands: 'challenge-commands', events: 'challenge-events' } as const;
const EVENT_TYPES = new Set(['challenge-joined', 'book-logged', 'challenge-completed']);

export const challengeWire: DeciderWire<ChallengeCommand, ChallengeEvent, ChallengeError> = {
  command(envelope) {
    const data = envelope.data as Record<string, unknown>;
    if ((envelope.type === 'join' || envelope.type === 'log-book') && typeof data.reader === 'string')
      return { ...(data as object), type: envelope.type } as ChallengeCommand;
    return new ChallengeError('CHAL_ERR_INVALID', `not a challenge command: ${envelope.type}`);
  },
  event: (envelope) =>
    EVENT_TYPES.has(envelope.type)
      ? ({ ...(envelope.data as object), type: envelope.type } as ChallengeEvent)
      : undefined,
  envelopes: (events, causedBy) =>
    events.map(({ type, ...data }) => newEvent({ type, key: causedBy.key, data, producer: 'challenge', causedBy })),
  describe: (err) => err.message,
};

/** What the view accepts from the events topic (anything else is skipped, and counted). */
export function challengeRegistry() {
  return createEventRegistry({ unknownTypes: 'pass' });
}

export const command = (c: ChallengeCommand): Envelope =>
  newEvent({ type: c.type, key: c.reader, data: { ...c }, producer: 'example' });
