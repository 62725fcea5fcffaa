// platform/errors.ts directly (not platform/index.ts): the pure core loads no transport or server code.
import { defineErrorCatalogue, type DomainIssue } from '../../../platform/errors.js';

/**
 * Error catalogue of the lending domain and its worker. Recognise errors by `code`, never by message. None is
 * retriable: the same command fails the same way again. Returned (not thrown) by `decide`,
 * `validateLendingInput` and `parseLendingCommand`; thrown only by `lendingConfig` and the worker lock.
 */
export const LENDING_ERRORS = defineErrorCatalogue({
  name: 'LendingError',
  prefix: 'LEND_ERR_',
  codes: {
    /** A command or input failed validation; `field` names the first bad field. HTTP 400, CLI exit 2. */
    LEND_ERR_VALIDATION: { status: 400, title: 'Invalid lending input', retriable: false },
    /** The lending rules (limit, copies, loan days, storage capacity) are invalid. A startup error. */
    LEND_ERR_CONFIG: { status: 500, title: 'Invalid lending configuration', retriable: false },
    /** A `shelve` command names books that differ from the shelving batch the aggregate sent. Dead-lettered. */
    LEND_ERR_SHELVING_MISMATCH: { status: 422, title: 'Shelving report does not match its batch', retriable: false },
  },
});

export const LENDING_ERROR_CODES = LENDING_ERRORS.codeList;
export type LendingErrorCode = (typeof LENDING_ERROR_CODES)[number];

/** Path of the bad field (`user`, `books`, `books[3]`, `requestId`, `input`) and what is wrong with it. */
export type LendingIssue = DomainIssue;

/** `new LendingError(code, message, { field?, issues?, cause? })`. */
export const LendingError = LENDING_ERRORS.Error;
export type LendingError = InstanceType<typeof LendingError>;

/** True for any lending error, by code (works across module copies and after structured cloning). */
export const isLendingError = LENDING_ERRORS.is;
