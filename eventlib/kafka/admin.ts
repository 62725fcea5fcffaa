import type * as KafkaJs from 'kafkajs';
import { sleep } from '../retry.js';
import { translateKafkaError } from './errors.js';

const METADATA_RACE = new Set(['KafkaJSTopicMetadataNotLoaded', 'KafkaJSMetadataNotLoaded']);
const ATTEMPTS = 5;

/**
 * The bus's one kafkajs admin client, shared by every subscription. kafkajs's admin is not safe for concurrent
 * calls on different topics (its metadata refresh races: "Topic metadata not loaded"), so calls run one at a time
 * and that error is retried.
 */
export class SerialAdmin {
  readonly #admin: KafkaJs.Admin;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(admin: KafkaJs.Admin) {
    this.#admin = admin;
  }

  /** Runs `fn` after every earlier call; errors are translated (`action` says what was being done). */
  run<T>(action: string, fn: (admin: KafkaJs.Admin) => Promise<T>): Promise<T> {
    const call = this.#tail.then(() => this.#attempt(action, fn));
    this.#tail = call.catch(() => undefined);
    return call;
  }

  async #attempt<T>(action: string, fn: (admin: KafkaJs.Admin) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(this.#admin);
      } catch (err) {
        if (attempt < ATTEMPTS && METADATA_RACE.has((err as Error).name)) {
          await sleep(50 * attempt);
          continue;
        }
        throw translateKafkaError(err, action);
      }
    }
  }
}
