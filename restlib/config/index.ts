export {
  exitOnConfigProblem,
  loadConfig,
  loadConfigOrExit,
  SOURCE_RANK,
  type ConfigHooks,
  type ConfigInput,
  type ConfigOf,
  type ConfigResult,
  type ExitIo,
  type ExtraOptions,
  type ExtraValues,
  type ServiceConfig,
  type ServiceDefaults,
  type ServiceSpec,
  type ValueSource,
} from './load.js';
export { ConfigError, type ConfigErrorCode } from './errors.js';
export { SERVICE_OPTIONS, splitList, WILDCARD_ADDRESSES, type OptionSpec } from './options.js';
