import { z } from 'zod';

/**
 * Prices and balances: non-negative, at most two decimals. The cap keeps an order total (100 products) well
 * inside the safe integer range when counted in cents.
 */
export const MAX_MONEY = 10_000_000_000;

export const moneySchema = z
  .number()
  .nonnegative()
  .max(MAX_MONEY)
  // `multipleOf` (float-safe in zod) is the rule the OpenAPI document states, and the one checked.
  .multipleOf(0.01, 'must have at most two decimals');

export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

export function fromCents(cents: number): number {
  return cents / 100;
}

/** `a - b` without binary floating point drift (0.3 - 0.1 is 0.2 here). */
export function subtractMoney(a: number, b: number): number {
  return fromCents(toCents(a) - toCents(b));
}
