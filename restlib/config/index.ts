export {
  loadConfig,
  loadConfigOrExit,
  type BusConfig,
  type ConfigInput,
  type ConfigOf,
  type ConfigResult,
  type ExitIo,
  type ExtraOptions,
  type RegistryConfig,
  type ServiceConfig,
  type ServiceDefaults,
  type ServiceSpec,
} from './load.js';
export { ConfigError, type ConfigErrorCode } from './errors.js';
export { BASE_OPTIONS, splitList, type OptionSpec } from './options.js';
