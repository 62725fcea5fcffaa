import type { GenericContainer, Wait } from 'testcontainers';
import type { StartedRedisContainer } from '@testcontainers/redis';
import { freePorts } from './ports.js';
import { consulHasLeader, waitUntil } from './process.js';
import { redisFsyncOf } from './local.js';
import { StackError, type StackAddresses } from './types.js';

export const IMAGES = {
  // The same image as docker/compose.yaml and the same Kafka as the local processes (docker/local).
  kafka: 'apache/kafka:4.1.1',
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
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const { RedisContainer } = await import('@testcontainers/redis');
  const started: { stop(): Promise<unknown> }[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((c) => c.stop()));
  };
  // Kafka advertises the address clients dial, so its host port is picked before the container starts.
  const ports = await freePorts(7);
  const consulPorts = ports.slice(0, 6);
  const kafkaPort = ports[6]!;
  try {
    const dockerHost = (await getContainerRuntimeClient()).info.containerRuntime.host;
    const track = async <C extends { stop(): Promise<unknown> }>(p: Promise<C>): Promise<C> => {
      const c = await p;
      started.push(c);
      return c;
    };
    // allSettled, not all: a container still starting when another fails must be tracked to be stopped.
    const results = await Promise.allSettled([
      track(kafkaContainer(new GenericContainer(IMAGES.kafka), Wait, dockerHost, kafkaPort).start()),
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
    const redis = (results[1] as PromiseFulfilledResult<StartedRedisContainer>).value;
    const consulAddr = `127.0.0.1:${consulPorts[0]}`;
    await waitUntil('Consul', () => consulHasLeader(consulAddr), { timeoutMs: 60_000 });
    return {
      addresses: {
        kafkaBrokers: `${dockerHost}:${kafkaPort}`,
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

/**
 * apache/kafka as a single KRaft node (broker and controller), configured like docker/compose.yaml's: the
 * broker listens on 9092 in the container, published on `hostPort` of the Docker host and advertised there.
 */
export function kafkaContainer(container: GenericContainer, wait: typeof Wait, host: string, hostPort: number) {
  return container
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment(kafkaEnvironment(host, hostPort))
    .withWaitStrategy(wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(180_000);
}

/** The KRaft settings of docker/compose.yaml's Kafka, with one listener advertised at `host:port`. */
export function kafkaEnvironment(host: string, port: number): Record<string, string> {
  return {
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
  };
}
