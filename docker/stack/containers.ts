import type { StartedKafkaContainer } from '@testcontainers/kafka';
import type { StartedRedisContainer } from '@testcontainers/redis';
import { freePorts } from './ports.js';
import { consulHasLeader, waitUntil } from './process.js';
import { redisFsyncOf } from './local.js';
import { StackError, type StackAddresses } from './types.js';

export const IMAGES = {
  kafka: 'confluentinc/cp-kafka:8.0.0',
  redis: 'redis:7.4-alpine',
  consul: 'hashicorp/consul:1.19.2',
} as const;

/** True when testcontainers finds a Docker engine that answers. */
export async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** Kafka (KRaft), Redis and Consul in containers. Throws when an image cannot be pulled or a container fails. */
export async function startContainerStack(): Promise<{ addresses: StackAddresses; stop(): Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { RedisContainer } = await import('@testcontainers/redis');
  const started: { stop(): Promise<unknown> }[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((c) => c.stop()));
  };
  const consulPorts = await freePorts(6);
  try {
    const track = async <C extends { stop(): Promise<unknown> }>(p: Promise<C>): Promise<C> => {
      const c = await p;
      started.push(c);
      return c;
    };
    // allSettled, not all: a container still starting when another fails must be tracked to be stopped.
    const results = await Promise.allSettled([
      track(new KafkaContainer(IMAGES.kafka).withKraft().start()),
      // AOF on, as everywhere else Redis runs: it is the event log on this transport.
      track(
        new RedisContainer(IMAGES.redis)
          .withCommand(['redis-server', '--save', '', '--appendonly', 'yes', '--appendfsync', redisFsyncOf()])
          .start(),
      ),
      // Host networking, so the agent's HTTP checks reach services listening on the host's 127.0.0.1.
      new GenericContainer(IMAGES.consul)
        .withNetworkMode('host')
        .withCommand([
          'agent',
          '-dev',
          '-bind=127.0.0.1',
          '-client=127.0.0.1',
          `-http-port=${consulPorts[0]}`,
          `-dns-port=${consulPorts[1]}`,
          `-grpc-port=${consulPorts[2]}`,
          '-grpc-tls-port=-1',
          `-server-port=${consulPorts[3]}`,
          `-serf-lan-port=${consulPorts[4]}`,
          `-serf-wan-port=${consulPorts[5]}`,
          '-log-level=warn',
        ])
        .withWaitStrategy(Wait.forLogMessage('Consul agent running!'))
        .start()
        .then((c) => track(Promise.resolve(c))),
    ] as const);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [kafka, redis] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      StartedKafkaContainer,
      StartedRedisContainer,
    ];
    const consulAddr = `127.0.0.1:${consulPorts[0]}`;
    await waitUntil('Consul', () => consulHasLeader(consulAddr), { timeoutMs: 60_000 });
    return {
      addresses: {
        kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
        redisUrl: redis.getConnectionUrl(),
        consulAddr,
        consulDnsPort: consulPorts[1]!,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw new StackError(`containers could not start: ${String(err)}`, 'STACK_ERR_DOCKER', { cause: err });
  }
}
