import { z } from 'zod';

/** Kafka topic / Redis stream names a service accepts. */
export const topicNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be 1-200 letters, digits, ".", "_" or "-"');

export const identitySchema = z.object({
  name: z.string().min(1),
  id: z.string().min(1),
  tags: z.array(z.string()),
});

export const groupSchema = z.string().regex(/^\S{1,200}$/, 'must be a word without spaces');

/** Validates a service's options at construction (TypeError naming every problem) and freezes them. */
export function validOptions<S extends z.ZodType>(schema: S, options: unknown, service: string): Readonly<z.output<S>> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw new TypeError(`${service}: invalid options: ${z.prettifyError(parsed.error)}`);
  return Object.freeze(parsed.data);
}
