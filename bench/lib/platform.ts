import { randomBytes } from 'node:crypto';
import { freePort } from '../../docker/stack/ports.js';
import type { StackAddresses } from '../../docker/stack/index.js';
import { spawnCli, waitReady, type Child } from './proc.js';

export type Transport = 'kafka' | 'redis';
export type BookshelfPart = 'newbook' | 'readbook' | 'lastread' | 'booklist' | 'gateway';

const WORDS: Record<BookshelfPart, string[]> = {
  newbook: ['aggregate', 'new-book'],
  readbook: ['aggregate', 'read-book'],
  lastread: ['view', 'last-read'],
  booklist: ['view', 'book-list'],
  // The bookshelf routes only: its /ready waits for a passing instance of each of the four services.
  gateway: ['gateway', '--domains', 'bookshelf'],
};

/** The four services of the bookshelf domain: the gateway's /ready waits for every one. */
export const BOOKSHELF_SERVICES: readonly BookshelfPart[] = ['newbook', 'readbook', 'lastread', 'booklist'];

export interface RunningBookshelf {
  topic: string;
  ports: Partial<Record<BookshelfPart, number>>;
  procs: Partial<Record<BookshelfPart, Child>>;
  commands: string[];
  url(part: BookshelfPart, path?: string): string;
  stop(): Promise<void>;
}

/**
 * Bookshelf services as real child processes through the CLI, on Kafka or Redis with Consul, on a fresh topic.
 * The gateway (if asked for) starts last and is ready once its four upstreams pass (start them all with it). `nodeFlags` adds node options per
 * part (e.g. `--cpu-prof`).
 */
export async function startBookshelf(
  addresses: StackAddresses,
  transport: Transport,
  parts: BookshelfPart[],
  nodeFlags: Partial<Record<BookshelfPart, string[]>> = {},
): Promise<RunningBookshelf> {
  const topic = `bench-bookshelf-${transport}-${randomBytes(3).toString('hex')}`;
  const common = [
    ...(transport === 'kafka' ? ['--broker', addresses.kafkaBrokers] : ['--redis', addresses.redisUrl]),
    '--consul',
    addresses.consulAddr,
    '--topic',
    topic,
  ];
  const ports: RunningBookshelf['ports'] = {};
  const procs: RunningBookshelf['procs'] = {};
  const commands: string[] = [];
  const start = async (part: BookshelfPart) => {
    const port = await freePort();
    ports[part] = port;
    const args = [...WORDS[part], ...common, '--port', String(port)];
    const p = spawnCli(args, {}, nodeFlags[part] ?? []);
    procs[part] = p;
    commands.push(
      `node ${(nodeFlags[part] ?? []).join(' ')} --import tsx cli/main.ts ${args.join(' ')}`.replace(/ {2,}/g, ' '),
    );
    await waitReady(`http://127.0.0.1:${port}/ready`, p);
  };
  const running: RunningBookshelf = {
    topic,
    ports,
    procs,
    commands,
    url: (part, path = '/') => `http://127.0.0.1:${ports[part]}${path}`,
    async stop() {
      // The gateway first, then the services (deregistered from Consul on a clean stop).
      await procs.gateway?.stop();
      await Promise.all(Object.values(procs).map((p) => p.stop()));
    },
  };
  if (parts.includes('gateway') && !BOOKSHELF_SERVICES.every((p) => parts.includes(p))) {
    throw new TypeError(`startBookshelf: the gateway needs ${BOOKSHELF_SERVICES.join(', ')} to be ready`);
  }
  try {
    await Promise.all(parts.filter((p) => p !== 'gateway').map(start));
    if (parts.includes('gateway')) await start('gateway');
  } catch (err) {
    await running.stop();
    throw err;
  }
  return running;
}
