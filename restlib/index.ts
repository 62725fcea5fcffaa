export {
  buildServer,
  DEFAULT_BODY_LIMIT,
  MAX_PARAM_LENGTH,
  type RestApp,
  type SecurityScheme,
  type ServerOptions,
} from './server.js';
export {
  apiKeyMatcher,
  BEARER_SCHEME,
  bearerAuthPlugin,
  bearerToken,
  DEFAULT_ADMIN_SCOPE,
  parseApiKeys,
  routeAccess,
  type ApiKey,
  type BearerAuthOptions,
  type JwtOptions,
  type RouteAccess,
} from './auth.js';
export { REST_ERROR_CODES, RestError, isRestError, problem, type FieldError, type RestErrorCode } from './errors.js';
export {
  errorStatuses,
  openapiTransform,
  PROBLEM_REF,
  problemExample,
  problemResponse,
  withExample,
} from './openapi.js';
export { codePoints, text, type TextOptions } from './text.js';
export { PROBLEM_CONTENT_TYPE, problemSchema, toProblem, type ProblemDocument } from './problem.js';
export { isShuttingDown, markNotReady, type Readiness, type ReadinessCheck } from './readiness.js';
export {
  createLogger,
  defaultLogFormat,
  loggerOptions,
  REDACT_PATHS,
  type LogFormat,
  type LogLevel,
  type LoggerSettings,
} from './logger.js';
export {
  createServiceLifecycle,
  onShutdownSignals,
  runService,
  type RunningService,
  type RunServiceOptions,
  type ServiceIdentity,
  type ServiceLifecycle,
  type ServiceRunOptions,
  type ShutdownHook,
  type ShutdownReport,
  type ShutdownStep,
  type StartedService,
} from './lifecycle.js';
export {
  createServiceClient,
  ServiceClient,
  type ClientRequest,
  type ClientResponse,
  type HttpMethod,
  type ServiceClientOptions,
} from './client.js';
export * from './config/index.js';
export { metricsRegistry } from './metrics.js';
