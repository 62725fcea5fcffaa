import { describe, expect, it } from 'vitest';
import { copiesOf, DEFAULT_LENDING_CONFIG, lendingConfig } from '../../../../aggregates/lending/domain/index.js';

describe('lendingConfig', () => {
  it('defaults to SPEC §6: limit 5, one copy, 14 days, storage 20', () => {
    expect(DEFAULT_LENDING_CONFIG).toEqual({
      limit: 5,
      copiesPerBook: 1,
      copiesByBook: {},
      loanDays: 14,
      storageCapacity: 20,
    });
  });

  it('is frozen, overrides included', () => {
    const config = lendingConfig({ copiesByBook: { geb: 2 } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.copiesByBook)).toBe(true);
  });

  it('gives copies per book with overrides', () => {
    const config = lendingConfig({ copiesPerBook: 2, copiesByBook: { geb: 5, ghost: 0 } });
    expect([copiesOf(config, 'geb'), copiesOf(config, 'ghost'), copiesOf(config, 'other')]).toEqual([5, 0, 2]);
    expect(copiesOf(lendingConfig(), 'toString')).toBe(1);
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 2.5 }, 'limit'],
    [{ copiesPerBook: 0 }, 'copiesPerBook'],
    [{ loanDays: -1 }, 'loanDays'],
    [{ storageCapacity: -1 }, 'storageCapacity'],
    [{ copiesByBook: { geb: -1 } }, 'copiesByBook.geb'],
    [{ limt: 5 }, 'limt'],
  ])('rejects %j with LEND_ERR_CONFIG naming %s', (input, field) => {
    expect(() => lendingConfig(input as never)).toThrow(expect.objectContaining({ code: 'LEND_ERR_CONFIG', field }));
  });
});
