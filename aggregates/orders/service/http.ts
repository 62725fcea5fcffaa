import { z } from 'zod';
import { readYourWritesHeaders } from '../../../platform/index.js';

/** Request headers every orders route accepts: the caller's write watermark (read-your-writes). */
export const afterHeaders = z.object(readYourWritesHeaders);

/** `{id}` path parameter; the domain checks the id's shape (ORD_ERR_VALIDATION) and existence (404). */
export const idParams = z.object({ id: z.string().min(1).max(200) });
