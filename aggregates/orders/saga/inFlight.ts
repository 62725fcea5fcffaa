import type { OrdersState } from '../state.js';
import { recordedSagaOutcomes } from './evolve.js';
import { SAGA_MOVING_ENDS } from './steps.js';

export type SagasInFlightState = Pick<OrdersState, 'sagas' | 'reservations' | 'charges'>;

/**
 * The orders whose saga is still moving stock or money: started (`order-created`) and none of the outcomes that
 * end the moves (`endsMoving` in `ORDER_SAGA_STEPS`: `stock-reservation-failed`, `customer-charged`,
 * `stock-released`) recorded yet. Pure, computed from the state alone; an order deleted meanwhile still counts
 * (its steps run on). The shop takes no absolute stock or balance write while this is not empty (README.md,
 * "Concurrency"). Scans every saga: O(orders).
 */
export function sagasInFlight(state: SagasInFlightState): ReadonlySet<string> {
  const inFlight = new Set<string>();
  for (const orderId of state.sagas.keys()) {
    if (!recordedSagaOutcomes(state, orderId).some((outcome) => SAGA_MOVING_ENDS.has(outcome))) inFlight.add(orderId);
  }
  return inFlight;
}
