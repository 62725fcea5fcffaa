/** Test helpers for discolib: the registry and instance-lock contract suites, a switchable readiness server. Not for production code. */
export { describeRegistry, type RegistryContractOptions } from './describeRegistry.js';
export {
  describeInstanceLock,
  type InstanceLockContractOptions,
  type LockRequest,
  type MakeLock,
} from './describeInstanceLock.js';
export { startReadyServer, type ReadyServer } from './readyServer.js';
export { eventually, uniqueServiceName } from './eventually.js';
