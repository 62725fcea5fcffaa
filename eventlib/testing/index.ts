/** Test support for eventlib: the one contract suite every adapter runs. Never imported by production code. */
export { describeEventBus } from './contract.js';
export type { BusContext, BusOverrides, EventBusContractOptions, MakeBus } from './contract.js';
export { gate, uniqueName, waitFor } from './wait.js';
