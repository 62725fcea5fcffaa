import { describe, expect, it } from 'vitest';
import { DomainError, defineErrorCatalogue, domainProblem } from '../../../platform/index.js';
import { isRestError, toProblem } from '../../../restlib/index.js';

const SHOP = defineErrorCatalogue({
  name: 'ShopError',
  prefix: 'SHOP_ERR_',
  codes: {
    SHOP_ERR_CLOSED: { status: 503, title: 'Shop closed', retriable: true },
    SHOP_ERR_NO_SUCH_ITEM: { status: 404, title: 'No such item', retriable: false },
  },
});
const ShopError = SHOP.Error;

describe('defineErrorCatalogue', () => {
  it('gives an error class with the code, field, issues, and the status, title and retriable of its code', () => {
    const cause = new Error('db said no');
    const err = new ShopError('SHOP_ERR_CLOSED', 'the shop is closed', { cause });
    expect(err).toBeInstanceOf(ShopError);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'ShopError',
      code: 'SHOP_ERR_CLOSED',
      message: 'the shop is closed',
      field: '',
      issues: [],
      retriable: true,
      status: 503,
      title: 'Shop closed',
      cause,
    });
    expect(Object.isFrozen(err.issues)).toBe(true);
  });

  it('defaults the issues to the one field named, and keeps the issues given', () => {
    expect(new ShopError('SHOP_ERR_NO_SUCH_ITEM', 'no item 7', { field: 'id' }).issues).toEqual([
      { field: 'id', message: 'no item 7' },
    ]);
    const issues = [
      { field: 'items[0]', message: 'no item 7' },
      { field: 'items[2]', message: 'no item 9' },
    ];
    expect(new ShopError('SHOP_ERR_NO_SUCH_ITEM', 'no item 7', { field: 'items[0]', issues }).issues).toEqual(issues);
  });

  it('recognises its errors by code, also plain copies of them, and nothing else', () => {
    const err = new ShopError('SHOP_ERR_CLOSED', 'closed');
    expect(SHOP.is(err)).toBe(true);
    expect(SHOP.is(err, 'SHOP_ERR_CLOSED')).toBe(true);
    expect(SHOP.is(err, 'SHOP_ERR_NO_SUCH_ITEM')).toBe(false);
    expect(SHOP.is({ code: 'SHOP_ERR_CLOSED', message: 'from another module copy' })).toBe(true);
    expect(SHOP.is({ code: 'ORD_ERR_NOT_FOUND' })).toBe(false);
    expect(SHOP.is(new Error('x'))).toBe(false);
    expect(SHOP.is(null)).toBe(false);
    expect(SHOP.is('SHOP_ERR_CLOSED')).toBe(false);
  });

  it('lists its codes and their HTTP statuses', () => {
    expect(SHOP.codeList).toEqual(['SHOP_ERR_CLOSED', 'SHOP_ERR_NO_SUCH_ITEM']);
    expect(SHOP.statuses).toEqual({ SHOP_ERR_CLOSED: 503, SHOP_ERR_NO_SUCH_ITEM: 404 });
    expect(SHOP.status('SHOP_ERR_NO_SUCH_ITEM')).toBe(404);
    expect(Object.isFrozen(SHOP.codes)).toBe(true);
  });

  it('refuses a code outside its prefix, a status that is not an error, and an unknown code', () => {
    const spec = { status: 400, title: 'x', retriable: false };
    expect(() => defineErrorCatalogue({ name: 'E', prefix: 'A_ERR_', codes: { B_ERR_X: spec } })).toThrow(/A_ERR_/);
    expect(() => defineErrorCatalogue({ name: 'E', prefix: 'A_', codes: { A_x: spec } })).toThrow(/upper case/);
    expect(() => defineErrorCatalogue({ name: 'E', prefix: 'A_', codes: { A_X: { ...spec, status: 200 } } })).toThrow(
      /status 200/,
    );
    expect(() => defineErrorCatalogue({ name: 'E', prefix: 'A_', codes: {} })).toThrow(/no codes/);
    expect(() => new ShopError('SHOP_ERR_NOPE' as 'SHOP_ERR_CLOSED', 'x')).toThrow(TypeError);
  });
});

describe('domainProblem', () => {
  it('answers with the status, title and code of the catalogue, the message, and one entry per issue', () => {
    const err = new ShopError('SHOP_ERR_NO_SUCH_ITEM', 'no item 7', { field: 'items[0].id' });
    const problem = domainProblem(err);
    expect(isRestError(problem)).toBe(true);
    expect(problem.cause).toBe(err);
    expect(toProblem(problem)).toEqual({
      type: 'urn:bookshelf:problem:SHOP_ERR_NO_SUCH_ITEM',
      title: 'No such item',
      status: 404,
      code: 'SHOP_ERR_NO_SUCH_ITEM',
      detail: 'no item 7',
      errors: [{ path: 'items[0].id', message: 'no item 7' }],
    });
    expect(toProblem(domainProblem(new ShopError('SHOP_ERR_CLOSED', 'closed')))).not.toHaveProperty('errors');
  });

  it('can answer with another code (its title then from restlib) and place the fields in the request', () => {
    const err = new ShopError('SHOP_ERR_NO_SUCH_ITEM', 'no item 7', { field: 'id' });
    const problem = domainProblem(err, { code: 'REST_ERR_VALIDATION', path: (field) => `body.${field}` });
    expect(toProblem(problem)).toMatchObject({
      status: 404,
      code: 'REST_ERR_VALIDATION',
      title: 'Invalid request',
      errors: [{ path: 'body.id', message: 'no item 7' }],
    });
  });
});
