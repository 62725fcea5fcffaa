/** Test helpers for discolib: the registry contract suite and a switchable readiness server. Not for production code. */
export { describeRegistry, type RegistryContractOptions } from './describeRegistry.js';
export { startReadyServer, type ReadyServer } from './readyServer.js';
export { eventually, uniqueServiceName } from './eventually.js';
