import { Resolver } from 'node:dns/promises';
import { z } from 'zod';
import { DiscoError } from './errors.js';
import { parseOrThrow, serviceNameSchema } from './schema.js';

export interface SrvTarget {
  /** Target host Consul answers with, e.g. `node1.node.dc1.consul` or `7f000001.addr.dc1.consul`. */
  name: string;
  port: number;
  priority: number;
  weight: number;
}

export interface ResolveSrvOptions {
  /** DNS server address; default `127.0.0.1`. */
  server?: string;
  /** DNS server port; default 8600 (Consul's). */
  port?: number;
  /** Only instances carrying every tag (one DNS query per tag, intersected). */
  tags?: string[];
  /** Query timeout in ms; default 2000. */
  timeoutMs?: number;
  /** DNS domain; default `consul`. */
  domain?: string;
}

const optionsSchema = z
  .object({
    server: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).default(8600),
    tags: z
      .array(z.string().regex(/^[A-Za-z0-9-]+$/, 'must be letters, digits or "-" to be queried over DNS'))
      .min(1)
      .optional(),
    timeoutMs: z.number().int().positive().default(2000),
    domain: z.string().min(1).default('consul'),
  })
  .strict();

const NO_ANSWER = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * SRV records of the passing instances of `name` from Consul DNS (`<name>.service.consul`, or
 * `<tag>.<name>.service.consul` per tag). No passing instance resolves to `[]`.
 */
export async function resolveSrv(name: string, options: ResolveSrvOptions = {}): Promise<SrvTarget[]> {
  parseOrThrow(serviceNameSchema, name, 'resolveSrv: name');
  const opts = parseOrThrow(optionsSchema, options, 'resolveSrv');
  const resolver = new Resolver({ timeout: opts.timeoutMs, tries: 2 });
  resolver.setServers([opts.server.includes(':') ? `[${opts.server}]:${opts.port}` : `${opts.server}:${opts.port}`]);
  const query = async (host: string): Promise<SrvTarget[]> => {
    try {
      return (await resolver.resolveSrv(host)).map(({ name: target, port, priority, weight }) => ({
        name: target,
        port,
        priority,
        weight,
      }));
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (NO_ANSWER.has(code)) return [];
      const timeout = code === 'ETIMEOUT';
      throw new DiscoError(
        timeout ? 'DISCO_ERR_TIMEOUT' : 'DISCO_ERR_UNAVAILABLE',
        `resolveSrv ${host} at ${opts.server}:${opts.port} failed (${code || String(err)})`,
        { cause: err },
      );
    }
  };
  const base = `${name}.service.${opts.domain}`;
  if (!opts.tags) return sortTargets(await query(base));
  const answers = await Promise.all(opts.tags.map((tag) => query(`${tag}.${base}`)));
  const key = (t: SrvTarget) => `${t.name}:${t.port}`;
  const [first = [], ...rest] = answers;
  const inAll = first.filter((t) => rest.every((list) => list.some((o) => key(o) === key(t))));
  return sortTargets(inAll);
}

function sortTargets(list: SrvTarget[]): SrvTarget[] {
  return list.sort((a, b) => a.priority - b.priority || a.port - b.port || a.name.localeCompare(b.name));
}
