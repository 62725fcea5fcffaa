import { z } from 'zod';

/**
 * Outcome events of the lending aggregate: plain `{ type, data }` objects. The service layer wraps them into
 * envelopes (SPEC §2) with `version: LENDING_EVENT_VERSION` and the key `LENDING_EVENT_KEY`.
 * Every request gets exactly one of `books-lent` / `lending-denied`; every return gets `books-returned`
 * (possibly with no books), followed by `books-stored` and/or `books-sent-to-shelving` when copies came back.
 */
export const LENDING_EVENT_TYPES = [
  'books-lent',
  'lending-denied',
  'books-returned',
  'books-stored',
  'books-sent-to-shelving',
  'books-shelved',
] as const;
export type LendingEventType = (typeof LENDING_EVENT_TYPES)[number];

export const LENDING_EVENT_VERSION = 1;
/** Envelope key for every lending event: one ordered log (see the consistency design in index.ts). */
export const LENDING_EVENT_KEY = 'lending';

export const DENIAL_CAUSES = {
  noneAvailable: 'none of the requested books is available',
  tooMany: 'too many books',
} as const;
export type DenialCause = (typeof DENIAL_CAUSES)[keyof typeof DENIAL_CAUSES];

/** Where a lent copy was taken from. Storage first (it frees capacity), then the shelves, then the shelving cart. */
export type CopySource = 'storage' | 'shelf' | 'shelving';
/** Why a requested book was not granted. */
export type SkipReason = 'unavailable' | 'already-held';

export interface LentBook {
  readonly book: string;
  /** ISO date `yyyy-mm-dd` (UTC). */
  readonly due: string;
  readonly from: CopySource;
}
export interface SkippedBook {
  readonly book: string;
  readonly reason: SkipReason;
}

export interface BooksLentData {
  readonly requestId: string;
  readonly user: string;
  /** The books granted, in request order (duplicates collapsed). Never empty. */
  readonly books: readonly LentBook[];
  readonly skipped: readonly SkippedBook[];
  /** Books the user holds after this grant. */
  readonly held: number;
}
export interface LendingDeniedData {
  readonly requestId: string;
  readonly user: string;
  readonly cause: DenialCause;
  /** The requested books after collapsing duplicates, in request order. */
  readonly requested: readonly string[];
  /** Books that had a free copy (reserved during the decision, all released by the denial). */
  readonly found: readonly string[];
  readonly skipped: readonly SkippedBook[];
  /** Books the user holds (unchanged by a denial). */
  readonly held: number;
  readonly limit: number;
}
export interface BooksReturnedData {
  readonly requestId: string;
  readonly user: string;
  /** Books really returned (the user held them), in request order. May be empty. */
  readonly books: readonly string[];
  /** Requested books the user did not hold: ignored. */
  readonly ignored: readonly string[];
  /** Books the user holds after the return. */
  readonly held: number;
}
/** Returned copies placed in the automated storage (up to its capacity). */
export interface BooksStoredData {
  readonly requestId: string;
  readonly books: readonly string[];
}
/** Returned copies that did not fit in storage: a shelving batch identified by the return's requestId. */
export interface BooksSentToShelvingData {
  readonly requestId: string;
  readonly books: readonly string[];
}
/** The shelving batch `requestId` is back on the shelves (copies lent from the cart meanwhile are left out). */
export interface BooksShelvedData {
  readonly requestId: string;
  readonly books: readonly string[];
}

export type BooksLent = { readonly type: 'books-lent'; readonly data: BooksLentData };
export type LendingDenied = { readonly type: 'lending-denied'; readonly data: LendingDeniedData };
export type BooksReturned = { readonly type: 'books-returned'; readonly data: BooksReturnedData };
export type BooksStored = { readonly type: 'books-stored'; readonly data: BooksStoredData };
export type BooksSentToShelving = { readonly type: 'books-sent-to-shelving'; readonly data: BooksSentToShelvingData };
export type BooksShelved = { readonly type: 'books-shelved'; readonly data: BooksShelvedData };

export type LendingEvent = BooksLent | LendingDenied | BooksReturned | BooksStored | BooksSentToShelving | BooksShelved;
/** The event that answers a request or a return: what `outcomeOf` gives back. */
export type LendingOutcome = BooksLent | LendingDenied | BooksReturned;

const id = z.string().min(1);
const ids = z.array(id);
const count = z.number().int().min(0);
const skipped = z.array(z.object({ book: id, reason: z.enum(['unavailable', 'already-held']) }));
const batch = z.object({ requestId: id, books: ids });

/** zod schemas of the event payloads (version 1), for registering the types with eventlib. */
export const LendingEventDataSchemas = {
  'books-lent': z.object({
    requestId: id,
    user: id,
    books: z
      .array(
        z.object({
          book: id,
          due: z.iso.date(),
          from: z.enum(['storage', 'shelf', 'shelving']),
        }),
      )
      .min(1),
    skipped,
    held: count,
  }) satisfies z.ZodType<BooksLentData>,
  'lending-denied': z.object({
    requestId: id,
    user: id,
    cause: z.enum([DENIAL_CAUSES.noneAvailable, DENIAL_CAUSES.tooMany]),
    requested: ids,
    found: ids,
    skipped,
    held: count,
    limit: count,
  }) satisfies z.ZodType<LendingDeniedData>,
  'books-returned': z.object({
    requestId: id,
    user: id,
    books: ids,
    ignored: ids,
    held: count,
  }) satisfies z.ZodType<BooksReturnedData>,
  'books-stored': batch satisfies z.ZodType<BooksStoredData>,
  'books-sent-to-shelving': batch satisfies z.ZodType<BooksSentToShelvingData>,
  'books-shelved': batch satisfies z.ZodType<BooksShelvedData>,
} as const satisfies Record<LendingEventType, z.ZodType>;

export function isLendingEventType(type: string): type is LendingEventType {
  return (LENDING_EVENT_TYPES as readonly string[]).includes(type);
}

/** Narrows a `{ type, data }` message (e.g. an envelope) to a lending event, validating the payload. */
export function parseLendingEvent(message: {
  readonly type: string;
  readonly data: unknown;
}): LendingEvent | undefined {
  if (!isLendingEventType(message.type)) return undefined;
  const parsed = LendingEventDataSchemas[message.type].safeParse(message.data);
  return parsed.success ? ({ type: message.type, data: parsed.data } as LendingEvent) : undefined;
}
