import { describe, expect, it } from 'vitest';
import { EventLibError, isEventLibError, isPoisonError } from '../../../eventlib/index.js';
import { isTopicNotReadyError, translateKafkaError, translateOnEnsuredTopic } from '../../../eventlib/kafka/errors.js';
import { isNoGroupError, translateRedisError } from '../../../eventlib/redis/errors.js';

const named = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, ...extra });

describe('EventLibError', () => {
  it('carries code, retriable (from the catalogue unless overridden) and cause', () => {
    const cause = new Error('socket');
    const err = new EventLibError('EVT_ERR_CONNECTION', 'down', { cause });
    expect(err).toMatchObject({ name: 'EventLibError', code: 'EVT_ERR_CONNECTION', retriable: true, cause });
    expect(new EventLibError('EVT_ERR_BROKER', 'x', { retriable: false }).retriable).toBe(false);
    expect(isEventLibError(err)).toBe(true);
    expect(isEventLibError(err, 'EVT_ERR_TIMEOUT')).toBe(false);
    expect(isEventLibError({ code: 'EVT_ERR_TIMEOUT' })).toBe(true); // recognised by code, across module copies
    expect(isEventLibError({ code: 'ECONNREFUSED' })).toBe(false);
    expect(isPoisonError(new EventLibError('EVT_ERR_SCHEMA', 'x'))).toBe(true);
    expect(isPoisonError(err)).toBe(false);
  });
});

describe('translateKafkaError', () => {
  it.each([
    [named('KafkaJSConnectionError'), 'EVT_ERR_CONNECTION', true],
    [named('KafkaJSRequestTimeoutError'), 'EVT_ERR_TIMEOUT', true],
    [named('KafkaJSSASLAuthenticationError'), 'EVT_ERR_AUTH', false],
    [named('KafkaJSProtocolError', { type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false }), 'EVT_ERR_AUTH', false],
    [
      named('KafkaJSProtocolError', { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true }),
      'EVT_ERR_UNKNOWN_TOPIC',
      false,
    ],
    [named('KafkaJSProtocolError', { type: 'INVALID_REPLICATION_FACTOR', retriable: false }), 'EVT_ERR_BROKER', false],
    [
      named('KafkaJSNumberOfRetriesExceeded', { originalError: named('KafkaJSConnectionError') }),
      'EVT_ERR_CONNECTION',
      true,
    ],
    // What kafkajs throws while the broker is down: a saga step dead-lettered for it was lost (the fault suite).
    [
      named('KafkaJSNonRetriableError', {
        message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
        retriable: false,
      }),
      'EVT_ERR_CONNECTION',
      true,
    ],
    [named('KafkaJSNonRetriableError', { message: 'Closed connection', retriable: false }), 'EVT_ERR_CONNECTION', true],
    // Issue 17: a certificate the CA does not vouch for is not retried until the connect timeout.
    [
      named('KafkaJSNumberOfRetriesExceeded', {
        message: 'Connection error: self-signed certificate in certificate chain',
        cause: named('KafkaJSConnectionError', {
          message: 'Connection error: self-signed certificate in certificate chain',
          code: 'SELF_SIGNED_CERT_IN_CHAIN',
        }),
      }),
      'EVT_ERR_TLS',
      false,
    ],
    [
      named('KafkaJSConnectionError', {
        message: 'Connection error: wrong version number',
        code: 'ERR_SSL_WRONG_VERSION_NUMBER',
      }),
      'EVT_ERR_TLS',
      false,
    ],
  ])('%s -> %s', (error, code, retriable) => {
    const translated = translateKafkaError(error, 'publishing');
    expect(translated).toMatchObject({ code, retriable });
    expect(translated.message).toMatch(/^publishing: /);
    expect(translated.cause).toBe(error);
  });

  it('passes eventlib errors through', () => {
    const err = new EventLibError('EVT_ERR_CLOSED', 'closed');
    expect(translateKafkaError(err, 'x')).toBe(err);
  });
});

describe('translateOnEnsuredTopic (the topic was ensured before: a produce, offset reads)', () => {
  it('retries an unknown topic-partition: a restarted broker still loading its partitions', () => {
    const unknown = named('KafkaJSNumberOfRetriesExceeded', {
      originalError: named('KafkaJSProtocolError', { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true }),
    });
    expect(translateOnEnsuredTopic(unknown, 'publishing')).toMatchObject({
      code: 'EVT_ERR_UNKNOWN_TOPIC',
      retriable: true,
    });
  });

  it('leaves every other error as translateKafkaError has it', () => {
    const auth = named('KafkaJSProtocolError', { type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false });
    expect(translateOnEnsuredTopic(auth, 'publishing')).toMatchObject({ code: 'EVT_ERR_AUTH', retriable: false });
  });
});

describe('isTopicNotReadyError (a fresh topic not yet in the metadata: retried while ensuring it)', () => {
  const protocol = (type: string) => named('KafkaJSProtocolError', { type, retriable: true });
  it.each([
    ['does not host this topic-partition', protocol('UNKNOWN_TOPIC_OR_PARTITION'), true],
    ['no leader yet', protocol('LEADER_NOT_AVAILABLE'), true],
    ['the controller moved', protocol('NOT_CONTROLLER'), true],
    ['metadata not loaded', named('KafkaJSTopicMetadataNotLoaded'), true],
    [
      'inside kafkajs retries',
      named('KafkaJSNumberOfRetriesExceeded', { originalError: protocol('LEADER_NOT_AVAILABLE') }),
      true,
    ],
    ['all of an aggregate', named('KafkaJSAggregateError', { errors: [protocol('UNKNOWN_TOPIC_OR_PARTITION')] }), true],
    ['bad replication factor', protocol('INVALID_REPLICATION_FACTOR'), false],
    ['authorization', protocol('TOPIC_AUTHORIZATION_FAILED'), false],
    ['a connection error', named('KafkaJSConnectionError'), false],
  ])('%s -> %s', (_what, error, expected) => {
    expect(isTopicNotReadyError(error)).toBe(expected);
  });
});

describe('the new error codes', () => {
  it('are never retriable; a too-large message is poison', () => {
    for (const code of ['EVT_ERR_TOPIC_MISMATCH', 'EVT_ERR_TOO_LARGE', 'EVT_ERR_LOG_RESET'] as const) {
      expect(new EventLibError(code, 'x').retriable).toBe(false);
    }
    expect(isPoisonError(new EventLibError('EVT_ERR_TOO_LARGE', 'x'))).toBe(true);
    expect(isPoisonError(new EventLibError('EVT_ERR_LOG_RESET', 'x'))).toBe(false);
    expect(isNoGroupError(named('ErrorReply', { message: "NOGROUP No such key 's' or consumer group 'g'" }))).toBe(
      true,
    );
    expect(isNoGroupError(named('ErrorReply', { message: 'BUSYGROUP Consumer Group name already exists' }))).toBe(
      false,
    );
  });
});

describe('translateRedisError', () => {
  it.each([
    [named('ErrorReply', { message: 'WRONGPASS invalid username-password pair' }), 'EVT_ERR_AUTH', false],
    [named('ErrorReply', { message: 'NOAUTH Authentication required.' }), 'EVT_ERR_AUTH', false],
    [named('ErrorReply', { message: 'NOGROUP No such key or consumer group' }), 'EVT_ERR_UNKNOWN_TOPIC', false],
    [named('ErrorReply', { message: 'LOADING Redis is loading the dataset' }), 'EVT_ERR_BROKER', true],
    [named('ErrorReply', { message: 'WRONGTYPE Operation against a key' }), 'EVT_ERR_BROKER', false],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'EVT_ERR_CONNECTION',
      true,
    ],
    [named('SocketClosedUnexpectedlyError'), 'EVT_ERR_CONNECTION', true],
    [named('ClientClosedError'), 'EVT_ERR_CLOSED', false],
    [
      Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
      'EVT_ERR_TLS',
      false,
    ],
    [
      named('ReconnectStrategyError', {
        socketError: Object.assign(new Error('self-signed certificate in certificate chain'), {
          code: 'SELF_SIGNED_CERT_IN_CHAIN',
        }),
      }),
      'EVT_ERR_TLS',
      false,
    ],
  ])('%s -> %s', (error, code, retriable) => {
    expect(translateRedisError(error, 'reading')).toMatchObject({ code, retriable });
  });
});

describe('credential and TLS failures (issue 17)', () => {
  it('say what to check, never retried', () => {
    const sasl = translateKafkaError(
      named('KafkaJSSASLAuthenticationError', {
        message: 'SASL SCRAM SHA512 authentication failed: invalid credentials',
      }),
      'connecting to Kafka at h:1',
    );
    expect(sasl).toMatchObject({ code: 'EVT_ERR_AUTH', retriable: false });
    expect(sasl.message).toMatch(/check the SASL mechanism, username and password\)$/);
    const tls = translateKafkaError(
      named('KafkaJSConnectionError', {
        message: 'Connection error: self-signed certificate in certificate chain',
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
      'connecting to Kafka at h:1',
    );
    expect(tls.message).toBe(
      'connecting to Kafka at h:1: Connection error: self-signed certificate in certificate chain ' +
        '(TLS failed: check the CA file and that the server speaks TLS on this port)',
    );
    const redis = translateRedisError(named('ErrorReply', { message: 'WRONGPASS invalid' }), 'connecting');
    expect(redis.message).toBe('connecting: WRONGPASS invalid (check the Redis username and password)');
  });
});
