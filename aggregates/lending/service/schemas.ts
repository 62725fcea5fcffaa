import { z } from 'zod';
import { LendingInputSchema } from '../domain/index.js';

/** Body of `POST /requests` and `POST /returns`. */
export const LendingBodySchema = LendingInputSchema;

export const QueuedSchema = z.object({
  requestId: z.string(),
  kind: z.enum(['request', 'return']),
  status: z.literal('pending'),
});
export type Queued = z.infer<typeof QueuedSchema>;
