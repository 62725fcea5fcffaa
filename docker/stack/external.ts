import { StackError, type StackAddresses } from './types.js';

const VARS = ['KAFKA_BROKERS', 'CONSUL_HTTP_ADDR', 'REDIS_URL'] as const;

/** True when the environment names every piece of existing infrastructure. */
export function externalConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return VARS.every((v) => Boolean(env[v]));
}

export function externalAddresses(env: NodeJS.ProcessEnv = process.env): StackAddresses {
  const missing = VARS.filter((v) => !env[v]);
  if (missing.length > 0) {
    throw new StackError(`BOOKSHELF_INFRA=external needs ${missing.join(', ')} in the environment`, 'STACK_ERR_CONFIG');
  }
  const consulAddr = env.CONSUL_HTTP_ADDR!.replace(/^https?:\/\//, '');
  const dnsPort = Number(env.CONSUL_DNS_PORT ?? 8600);
  if (!Number.isInteger(dnsPort) || dnsPort <= 0 || dnsPort > 65535) {
    throw new StackError(`CONSUL_DNS_PORT must be a port number, got "${env.CONSUL_DNS_PORT}"`, 'STACK_ERR_CONFIG');
  }
  return { kafkaBrokers: env.KAFKA_BROKERS!, consulAddr, consulDnsPort: dnsPort, redisUrl: env.REDIS_URL! };
}
