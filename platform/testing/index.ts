/**
 * Test support for your own aggregates and adapters (`bookshelf/testing`; needs vitest): given/when/then for a
 * decider, and the contract suites every event-bus, registry and instance-lock adapter of Bookshelf passes.
 */
export { deciderSpec } from './deciderSpec.js';
export type { Decider as SpecDecider, DeciderSpec, DeciderSpecOptions, Then, When } from './deciderSpec.js';
export { describeEventBus, gate, uniqueName, waitFor } from '../../eventlib/testing/index.js';
export type { BusContext, BusOverrides, EventBusContractOptions, MakeBus } from '../../eventlib/testing/index.js';
export { describeInstanceLock, describeRegistry } from '../../discolib/testing/index.js';
export type {
  InstanceLockContractOptions,
  LockRequest,
  MakeLock,
  RegistryContractOptions,
} from '../../discolib/testing/index.js';
