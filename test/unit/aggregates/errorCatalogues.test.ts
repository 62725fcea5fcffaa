import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../../platform/index.js';
import { ORDERS_ERRORS } from '../../../aggregates/orders/index.js';
import { LENDING_ERRORS } from '../../../aggregates/lending/domain/index.js';
import { BOOKSHELF_ERRORS } from '../../../aggregates/bookshelf/decide.js';
import { LIBRARY_ERRORS } from '../../../aggregates/library/errors.js';

describe('the domain error catalogues (platform defineErrorCatalogue)', () => {
  it('keep every code and its status', () => {
    const statuses = Object.assign(
      {},
      ...[ORDERS_ERRORS, LENDING_ERRORS, BOOKSHELF_ERRORS, LIBRARY_ERRORS].map((c) => c.statuses),
    ) as Record<string, number>;
    expect(statuses).toEqual({
      ORD_ERR_VALIDATION: 400,
      ORD_ERR_NOT_FOUND: 404,
      ORD_ERR_CONFLICT: 409,
      ORD_ERR_UNKNOWN_REFERENCE: 422,
      ORD_ERR_STATUS_OWNED_BY_SAGA: 409,
      LEND_ERR_VALIDATION: 400,
      LEND_ERR_CONFIG: 500,
      LEND_ERR_SHELVING_MISMATCH: 422,
      BOOK_ERR_NOT_FOUND: 404,
      LIB_ERR_LOGIN_FAILED: 401,
    });
  });

  it('make errors every domainProblem takes, none of them retriable', () => {
    for (const catalogue of [ORDERS_ERRORS, LENDING_ERRORS, BOOKSHELF_ERRORS, LIBRARY_ERRORS]) {
      for (const code of catalogue.codeList) {
        const err = new catalogue.Error(code as never, 'x');
        expect(isDomainError(err)).toBe(true);
        expect(err.retriable).toBe(false);
        expect(err.name).toBe(catalogue.name);
      }
    }
    expect(isDomainError(new Error('x'))).toBe(false);
  });
});
