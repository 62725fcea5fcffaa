import { describe, expect, it } from 'vitest';
import {
  isLendingError,
  LENDING_INPUT_LIMITS,
  lendingCommand,
  parseLendingCommand,
  validateLendingInput,
  validateRequestId,
} from '../../../../aggregates/lending/domain/index.js';

function failureOf(input: unknown) {
  const result = validateLendingInput(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.error;
}

describe('validateLendingInput', () => {
  it('accepts a user and books, trimmed, duplicates kept for the domain to collapse', () => {
    expect(validateLendingInput({ user: ' ann ', books: ['geb', ' geb', 'dune'] })).toEqual({
      ok: true,
      value: { user: 'ann', books: ['geb', 'geb', 'dune'] },
    });
  });

  it.each([
    ['missing user', { books: ['geb'] }, 'user', 'user is required'],
    ['empty user', { user: '', books: ['geb'] }, 'user', 'user must not be empty'],
    ['blank user', { user: '   ', books: ['geb'] }, 'user', 'user must not be empty'],
    ['user of the wrong type', { user: 42, books: ['geb'] }, 'user', 'user must be a string'],
    ['user too long', { user: 'u'.repeat(201), books: ['geb'] }, 'user', 'user must be at most 200 characters'],
    ['user with a newline', { user: 'ann\nOK', books: ['geb'] }, 'user', 'user must not contain control characters'],
    ['missing books', { user: 'ann' }, 'books', 'books is required'],
    ['no books', { user: 'ann', books: [] }, 'books', 'books must name at least one book'],
    ['books not an array', { user: 'ann', books: 'geb' }, 'books', 'books must be an array of book ids'],
    ['a book of the wrong type', { user: 'ann', books: ['geb', 7] }, 'books[1]', 'book id must be a string'],
    ['an empty book id', { user: 'ann', books: [''] }, 'books[0]', 'book id must not be empty'],
    ['a book id too long', { user: 'ann', books: ['b'.repeat(201)] }, 'books[0]', 'book id must be at most 200'],
    [
      'an absurdly long list',
      { user: 'ann', books: Array.from({ length: 101 }, (_, i) => `b${i}`) },
      'books',
      'books must name at most 100 books',
    ],
  ])('rejects %s with LEND_ERR_VALIDATION naming the field', (_what, input, field, message) => {
    const error = failureOf(input);
    expect(error).toMatchObject({ code: 'LEND_ERR_VALIDATION', field, retriable: false });
    expect(error.message).toContain(message);
    expect(isLendingError(error)).toBe(true);
  });

  it.each([null, undefined, 'ann geb', 42, ['ann', 'geb']])('rejects %j as a whole input', (input) => {
    expect(failureOf(input)).toMatchObject({ code: 'LEND_ERR_VALIDATION', field: 'input' });
  });

  it('accepts the limits exactly', () => {
    const result = validateLendingInput({
      user: 'u'.repeat(LENDING_INPUT_LIMITS.maxUserLength),
      books: Array.from({ length: LENDING_INPUT_LIMITS.maxBooks }, () =>
        'b'.repeat(LENDING_INPUT_LIMITS.maxBookIdLength),
      ),
    });
    expect(result.ok).toBe(true);
  });

  it('lists every issue, the first one named by the error', () => {
    const error = failureOf({ user: '', books: [] });
    expect(error.issues.map((issue) => issue.field)).toEqual(['user', 'books']);
  });

  it('validates request ids', () => {
    expect(validateRequestId(' r1 ')).toEqual({ ok: true, value: 'r1' });
    expect(validateRequestId('')).toMatchObject({ ok: false, error: { field: 'requestId' } });
    const missing = validateRequestId(undefined);
    expect(missing.ok ? '' : missing.error.message).toContain('requestId is required');
  });
});

describe('parseLendingCommand', () => {
  it('accepts wire message types and command types', () => {
    const data = { requestId: 'r1', user: 'ann', books: ['geb'] };
    expect(parseLendingCommand({ type: 'lending-requested', data })).toEqual({ type: 'request', data });
    expect(parseLendingCommand({ type: 'return-requested', data })).toEqual({ type: 'return', data });
    expect(parseLendingCommand({ type: 'shelving-completed', data: { requestId: 'r1', books: ['geb'] } })).toEqual({
      type: 'shelve',
      data: { requestId: 'r1', books: ['geb'] },
    });
    expect(parseLendingCommand({ type: 'request', data })).toEqual({ type: 'request', data });
  });

  it('rejects unknown types and bad data with a field', () => {
    expect(parseLendingCommand({ type: 'book-read', data: {} })).toMatchObject({
      code: 'LEND_ERR_VALIDATION',
      field: 'type',
    });
    expect(parseLendingCommand({ type: 'lending-requested', data: 'x' })).toMatchObject({ field: 'data' });
    expect(parseLendingCommand({ type: 'lending-requested', data: { user: 'ann', books: ['a'] } })).toMatchObject({
      field: 'requestId',
    });
  });

  it('builds a command from validated input', () => {
    const input = validateLendingInput({ user: 'ann', books: ['geb'] });
    if (!input.ok) throw input.error;
    expect(lendingCommand('return', 'r9', input.value)).toEqual({
      type: 'return',
      data: { requestId: 'r9', user: 'ann', books: ['geb'] },
    });
  });
});
