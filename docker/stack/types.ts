/** Where each piece of infrastructure answers. Handed to tests through vitest's provide/inject. */
export interface StackAddresses {
  /** Comma-separated `host:port` list. */
  kafkaBrokers: string;
  /** `host:port` of the Consul agent's HTTP API. */
  consulAddr: string;
  /** UDP/TCP port of Consul's DNS interface on the same host. */
  consulDnsPort: number;
  /** `redis://host:port`. */
  redisUrl: string;
}

export type StackMode = 'external' | 'docker' | 'local';
export type StackSwitch = StackMode | 'auto';

export interface RunningStack {
  mode: StackMode;
  addresses: StackAddresses;
  /** Stops whatever this stack started (nothing for `external`). Idempotent. */
  stop(): Promise<void>;
}

export class StackError extends Error {
  override readonly name = 'StackError';
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
