import { Agent as HttpsAgent } from 'node:https';
import type Consul from 'consul';

/** What a Consul client of discolib needs: the agent, HTTPS and its CA, the ACL token, a request timeout. */
export interface ConsulClientSettings {
  /** `host:port` (IPv6 in brackets). */
  addr: string;
  secure: boolean;
  /** Sent as `X-Consul-Token` on every request; never logged. */
  token?: string | undefined;
  /** PEM certificates trusted for HTTPS instead of the system's (a private CA). */
  ca?: readonly string[] | undefined;
  requestTimeoutMs: number;
}

/** An npm `consul` client (loaded on first use) for these settings; HTTPS with `ca` gets an agent that trusts it. */
export async function newConsulClient(settings: ConsulClientSettings): Promise<Consul> {
  const { default: ConsulClient } = await import('consul');
  const [host, port] = splitHostPort(settings.addr);
  return new ConsulClient({
    host,
    port,
    secure: settings.secure,
    ...(settings.secure && settings.ca ? { agent: new HttpsAgent({ keepAlive: true, ca: [...settings.ca] }) } : {}),
    defaults: { timeout: settings.requestTimeoutMs, ...(settings.token ? { token: settings.token } : {}) },
  } as ConstructorParameters<typeof ConsulClient>[0]);
}

export function splitHostPort(addr: string): [string, number] {
  const at = addr.lastIndexOf(':');
  return [addr.slice(0, at).replace(/^\[|\]$/g, ''), Number(addr.slice(at + 1))];
}
