import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GenericContainer, Wait } from 'testcontainers';
import { describe, expect, it } from 'vitest';
import { IMAGES, kafkaContainer, kafkaEnvironment } from '../../../docker/stack/containers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

// One Kafka everywhere: compose, the testcontainers stack and the Kubernetes infra run the image of the version
// the local processes run (4.1.1), configured alike.
describe('the Kafka image', () => {
  it('is apache/kafka:4.1.1 in compose, testcontainers and Kubernetes, and Confluent is gone', () => {
    expect(IMAGES.kafka).toBe('apache/kafka:4.1.1');
    for (const file of ['docker/compose.yaml', 'deploy/k8s/infra/kafka/kafka.yaml']) {
      const images = [...read(file).matchAll(/image: (\S*kafka\S*)/g)].map((m) => m[1]);
      expect(images, file).toEqual([IMAGES.kafka]);
    }
    for (const file of ['docker/compose.yaml', 'docker/README.md', 'docker/stack/containers.ts']) {
      expect(read(file), file).not.toContain('cp-kafka');
    }
  });

  it("the testcontainers broker has compose's KRaft settings, advertised on the published port", () => {
    const env = kafkaEnvironment('127.0.0.1', 23456);
    expect(env.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://127.0.0.1:23456');
    const compose = read('docker/compose.yaml');
    const perListener = ['KAFKA_LISTENERS', 'KAFKA_ADVERTISED_LISTENERS', 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP'];
    for (const [key, value] of Object.entries(env).filter(([k]) => !perListener.includes(k))) {
      expect(compose, key).toMatch(new RegExp(`${key}: '?${value.replace(/[.]/g, '\\.')}'?\\n`));
    }

    const calls: Record<string, unknown> = {};
    const fake = new Proxy(
      {},
      {
        get: (_t, name: string) => (arg: unknown) => {
          calls[name] = arg;
          return fake;
        },
      },
    ) as unknown as GenericContainer;
    const wait = { forLogMessage: (m: RegExp) => ({ log: m }) } as unknown as typeof Wait;
    kafkaContainer(fake, wait, 'docker.local', 23456);
    expect(calls.withExposedPorts).toEqual({ container: 9092, host: 23456 });
    expect(calls.withEnvironment).toEqual(kafkaEnvironment('docker.local', 23456));
    expect(calls.withWaitStrategy).toEqual({ log: /Kafka Server started/ });
  });
});
