// The platform layer: what every service of every domain shares above the libraries (SPEC §1).
export {
  DEFAULT_IDEMPOTENCY_RETENTION_MS,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_METADATA,
  IdempotencyKeySchema,
  IdempotencyLedger,
  idempotencyKeyHeader,
  idempotentWrites,
  keyReused,
  keyedRequest,
  stampIdempotency,
} from './idempotency.js';
export type {
  IdempotencyLedgerOptions,
  IdempotentWrites,
  IdempotentWritesOptions,
  KeyedRequest,
  RecordedWrite,
  WriteResult,
} from './idempotency.js';
export { startReadModel } from './readModel.js';
export type { ReadModel, ReadModelOptions } from './readModel.js';
export { startKeyedWrites } from './keyedWrites.js';
export type { KeyedWrites, KeyedWritesOptions } from './keyedWrites.js';
export type { ComponentIdentity, PlatformDeps, ServiceComponent } from './component.js';
export { afterOf, markWritten, readYourWrites, readYourWritesHeaders } from './readYourWrites.js';
export type { ReadYourWritesOptions } from './readYourWrites.js';
export {
  connectTimeoutSchema,
  DEFAULT_CONNECT_TIMEOUT_MS,
  loadPlatformConfig,
  loadPlatformConfigOrExit,
  PLATFORM_OPTIONS,
} from './config.js';
export type {
  BusConfig,
  PlatformConfig,
  PlatformConfigOf,
  PlatformServiceDefaults,
  PlatformServiceSpec,
  RegistryConfig,
} from './config.js';
export { openBus, openInfrastructure, openRegistry } from './infrastructure.js';
export { connectionSecurity, KAFKA_SASL_MECHANISMS, SECURITY_FLAGS } from './connectionSecurity.js';
export type {
  ConnectionSecurity,
  KafkaSaslConfig,
  KafkaSaslMechanism,
  SecurityInput,
  TlsConfig,
} from './connectionSecurity.js';
export { DomainError, defineErrorCatalogue, domainProblem, isDomainError } from './errors.js';
export type {
  DomainErrorClass,
  DomainErrorOptions,
  DomainIssue,
  DomainProblemOptions,
  ErrorCatalogue,
  ErrorCatalogueDefinition,
  ErrorCodeSpec,
} from './errors.js';
export { groupSchema, identitySchema, topicNameSchema, validOptions } from './serviceOptions.js';
export { startLogDecider } from './logDecider.js';
export type { Decider, DeciderStats, DeciderWire, LogDecider, LogDeciderOptions } from './logDecider.js';
export { instrumentBus, trackDecider, trackUpstreams } from './metrics.js';
