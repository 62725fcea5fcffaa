// platform/errors.ts directly (not platform/index.ts): the catalogue loads no transport or server code.
import { defineErrorCatalogue } from '../../platform/errors.js';

/** The library's error catalogue (catalog and patrons). Recognise errors by `code`, never by message. */
export const LIBRARY_ERRORS = defineErrorCatalogue({
  name: 'LibraryError',
  prefix: 'LIB_ERR_',
  codes: {
    /** `POST /patrons/login`: no registered patron has this first name, last name and library ID. */
    LIB_ERR_LOGIN_FAILED: { status: 401, title: 'Login failed', retriable: false },
  },
});

export const LibraryError = LIBRARY_ERRORS.Error;
export type LibraryError = InstanceType<typeof LibraryError>;
export const isLibraryError = LIBRARY_ERRORS.is;
