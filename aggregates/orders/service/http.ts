import { z } from 'zod';
import { isRestError, problem, type RestError } from '../../../restlib/index.js';
import { ORDERS_ERROR_HTTP_STATUS, isOrdersError, type OrdersError } from '../index.js';
import { readYourWritesHeaders } from '../../../platform/index.js';

/** An OrdersError as the problem+json answer its code maps to (400, 404, 409, 422), naming every field. */
export function ordersProblem(err: OrdersError): RestError {
  return problem(ORDERS_ERROR_HTTP_STATUS[err.code], err.code, err.message, {
    errors: err.issues.map((issue) => ({ path: issue.field, message: issue.message })),
  });
}

/** Rethrows domain errors as problems; anything else unchanged. */
export function asProblem(err: unknown): unknown {
  if (isRestError(err)) return err;
  return isOrdersError(err) ? ordersProblem(err) : err;
}

/** Request headers every orders route accepts: the caller's write watermark (read-your-writes). */
export const afterHeaders = z.object(readYourWritesHeaders);

/** `{id}` path parameter; the domain checks the id's shape (ORD_ERR_VALIDATION) and existence (404). */
export const idParams = z.object({ id: z.string().min(1).max(200) });

/** Runs async tasks one after another, in call order: one decision at a time per process. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
