import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  decodeSession,
  DEV_SESSION_SECRET,
  encodeSession,
  SESSION_MAX_AGE_S,
  sessionSecret,
} from '../../../gateway/library/session.js';

const log = pino({ level: 'silent' });
const ada = { libraryId: 'L-1001', firstName: 'Ada', lastName: 'Lovelace', role: 'patron' as const };

describe('library sessions', () => {
  it('the secret comes from BOOKSHELF_SESSION_SECRET; the fixed dev secret only in embedded mode', () => {
    const secret = 'x'.repeat(40);
    expect(sessionSecret({ BOOKSHELF_SESSION_SECRET: secret }, false, log)).toBe(secret);
    expect(sessionSecret({ BOOKSHELF_SESSION_SECRET: secret }, true, log)).toBe(secret);
    expect(() => sessionSecret({ BOOKSHELF_SESSION_SECRET: 'short' }, false, log)).toThrow(/at least 32/);
    expect(sessionSecret({}, true, log)).toBe(DEV_SESSION_SECRET);
    const random = sessionSecret({}, false, log);
    expect(random).not.toBe(DEV_SESSION_SECRET);
    expect(sessionSecret({}, false, log)).not.toBe(random);
  });

  it('a session decodes until its max age; garbage decodes to nothing', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const value = encodeSession(ada, now);
    expect(decodeSession(value, now)).toEqual(ada);
    expect(decodeSession(value, new Date(now.getTime() + (SESSION_MAX_AGE_S - 1) * 1000))).toEqual(ada);
    expect(decodeSession(value, new Date(now.getTime() + (SESSION_MAX_AGE_S + 1) * 1000))).toBeUndefined();
    expect(decodeSession('not-base64-json', now)).toBeUndefined();
    expect(decodeSession(Buffer.from('{"v":1}').toString('base64url'), now)).toBeUndefined();
  });
});
