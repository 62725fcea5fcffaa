import { z } from 'zod';
import { LendingError } from './errors.js';

/** Rules the lending decision depends on. Build it with `lendingConfig()`: validated, defaulted, frozen. */
export interface LendingConfig {
  /** Most books one user may hold at a time (SPEC §6: 5). */
  readonly limit: number;
  /** Copies of a book that has no entry in `copiesByBook` (SPEC §6: 1). */
  readonly copiesPerBook: number;
  /** Per-book override of `copiesPerBook`; 0 means the library owns the title but no lendable copy. */
  readonly copiesByBook: Readonly<Record<string, number>>;
  /** Loan period: due date = today (UTC, from the injected clock) + loanDays. */
  readonly loanDays: number;
  /** Copies the automated storage holds; returns beyond it go to shelving. */
  readonly storageCapacity: number;
}

export type LendingConfigInput = Partial<LendingConfig>;

const count = (max: number) => z.number().int().min(0).max(max);

export const LendingConfigSchema = z.strictObject({
  limit: count(10_000).min(1).default(5),
  copiesPerBook: count(1_000_000).min(1).default(1),
  copiesByBook: z.record(z.string().min(1), count(1_000_000)).default({}),
  loanDays: count(36_500).min(1).default(14),
  storageCapacity: count(1_000_000_000).default(20),
});

export const DEFAULT_LENDING_CONFIG: LendingConfig = lendingConfig();

/** Validates, defaults and freezes the lending rules. Throws `LEND_ERR_CONFIG` naming the bad field. */
export function lendingConfig(input: LendingConfigInput = {}): LendingConfig {
  const parsed = LendingConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field =
      issue?.code === 'unrecognized_keys' ? issue.keys.join(',') : (issue?.path.map(String).join('.') ?? '');
    throw new LendingError('LEND_ERR_CONFIG', `invalid lending config ${field}: ${issue?.message ?? 'invalid'}`, {
      field,
      cause: parsed.error,
    });
  }
  const { copiesByBook, ...rest } = parsed.data;
  return Object.freeze({ ...rest, copiesByBook: Object.freeze({ ...copiesByBook }) });
}

/** Copies of `book` the library owns under `config`. */
export function copiesOf(config: LendingConfig, book: string): number {
  return Object.hasOwn(config.copiesByBook, book) ? (config.copiesByBook[book] ?? 0) : config.copiesPerBook;
}
