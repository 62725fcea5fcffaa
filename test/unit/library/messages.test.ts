import { describe, expect, it } from 'vitest';
import { borrowMessage, returnMessage } from '../../../gateway/library/messages.js';

const base = { requestId: 'r', user: 'L-1001' };

describe('library pages: why a borrow was refused', () => {
  it('accepted -> success with the due date', () => {
    const m = borrowMessage(
      {
        status: 200,
        body: {
          status: 'accepted',
          outcome: {
            type: 'books-lent',
            data: { ...base, books: [{ book: 'emma', due: '2026-03-15', from: 'shelf' }], skipped: [], held: 1 },
          },
        },
      },
      'emma',
      'Emma',
    );
    expect(m).toEqual({ kind: 'success', text: 'You borrowed “Emma”. It is due on 2026-03-15.' });
  });

  it('denied: too many books, no free copy, already held; queued; service down', () => {
    const denied = (cause: 'too many books' | 'none of the requested books is available', reason?: string) =>
      borrowMessage(
        {
          status: 200,
          body: {
            status: 'denied',
            outcome: {
              type: 'lending-denied',
              data: {
                ...base,
                cause,
                requested: ['emma'],
                found: [],
                skipped: reason ? [{ book: 'emma', reason: reason as 'unavailable' }] : [],
                held: 5,
                limit: 5,
              },
            },
          },
        },
        'emma',
        'Emma',
      );
    expect(denied('too many books').text).toMatch(/refused: you already hold 5 books and the limit is 5/);
    expect(denied('none of the requested books is available', 'unavailable').text).toMatch(
      /refused: no copy of “Emma” is free/,
    );
    expect(denied('none of the requested books is available', 'already-held').text).toMatch(
      /you already have a copy of “Emma”/,
    );
    expect(borrowMessage({ status: 202, body: {} }, 'emma', 'Emma').kind).toBe('info');
    expect(borrowMessage({ status: 503, body: undefined }, 'emma', 'Emma')).toMatchObject({ kind: 'error' });
  });

  it('return: returned or not held', () => {
    const answer = (books: string[]) => ({
      status: 200,
      body: {
        status: 'returned',
        outcome: { type: 'books-returned' as const, data: { ...base, books, ignored: [], held: 0 } },
      },
    });
    expect(returnMessage(answer(['emma']), 'emma', 'Emma').kind).toBe('success');
    expect(returnMessage(answer([]), 'emma', 'Emma').kind).toBe('info');
  });
});
