import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Consul from 'consul';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { runScript } from '../../../docker/stack/process.js';
import { consulBinaryCheck } from '../../../docker/stack/scriptResult.js';
import { createRegistry, type ServiceInstance } from '../../../discolib/index.js';
import { startReadyServer, type ReadyServer } from '../../../discolib/testing/index.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';

const buildScript = fileURLToPath(new URL('../../../docker/local/build-consul.sh', import.meta.url));

/** A Consul dev agent of this test only (never the shared stack's), restartable on the same ports. */
class OwnAgent {
  #child: ChildProcess | undefined;
  #log = '';
  constructor(
    readonly bin: string,
    readonly ports: { http: number; dns: number; grpc: number; server: number; serfLan: number; serfWan: number },
  ) {}

  get addr() {
    return `127.0.0.1:${this.ports.http}`;
  }

  async start(): Promise<void> {
    const p = this.ports;
    const child = spawn(
      this.bin,
      [
        'agent',
        '-dev',
        '-node=restart-test',
        '-bind=127.0.0.1',
        '-advertise=127.0.0.1',
        '-client=127.0.0.1',
        `-http-port=${p.http}`,
        `-dns-port=${p.dns}`,
        `-grpc-port=${p.grpc}`,
        '-grpc-tls-port=-1',
        `-server-port=${p.server}`,
        `-serf-lan-port=${p.serfLan}`,
        `-serf-wan-port=${p.serfWan}`,
        '-log-level=warn',
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (c: Buffer) => (this.#log += c.toString()));
    child.stderr.on('data', (c: Buffer) => (this.#log += c.toString()));
    this.#child = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`consul exited ${child.exitCode}: ${this.#log}`);
        const res = await fetch(`http://${this.addr}/v1/status/leader`);
        return res.ok && ((await res.json()) as string).length > 0;
      },
      { what: 'the own Consul agent to elect itself', timeoutMs: 60_000 },
    );
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
  }
}

describe('consul adapter: the agent restarts and forgets everything', () => {
  let agent: OwnAgent;
  let ready: ReadyServer;

  beforeAll(async () => {
    const bin = await runScript(buildScript, consulBinaryCheck);
    const ports = {
      http: await freePort(),
      dns: await freePort(),
      grpc: await freePort(),
      server: await freePort(),
      serfLan: await freePort(),
      serfWan: await freePort(),
    };
    agent = new OwnAgent(bin, ports);
    await agent.start();
    ready = await startReadyServer(true);
  });

  afterAll(async () => {
    await agent?.kill();
    await ready?.close();
  });

  it('registers again within its check interval, and watches see it again', async () => {
    const checkIntervalMs = 2000;
    const registry = createRegistry({ kind: 'consul', addr: agent.addr, resyncIntervalMs: 500, watchWait: '5s' });
    const [host, port] = agent.addr.split(':');
    const consul = new Consul({ host: host!, port: Number(port) });
    try {
      const name = uniqueName('restart');
      const id = `${name}-1`;
      await registry.register({
        name,
        id,
        address: ready.address,
        port: ready.port,
        tags: ['books'],
        check: { interval: `${checkIntervalMs}ms`, timeout: '1s' },
      });
      const seen: ServiceInstance[][] = [];
      const watch = registry.watch(name, (list) => seen.push(list));
      await waitFor(async () => (await registry.discover({ name })).length === 1, {
        what: 'the instance to pass before the restart',
      });
      await waitFor(() => seen.at(-1)?.length === 1, { what: 'the watch to see the instance' });

      await agent.kill();
      await agent.start();
      const listed = async () => Object.hasOwn(await consul.agent.service.list(), id);
      // The restarted dev agent starts empty; the registry must notice and put the service back quickly.
      await waitFor(listed, {
        what: 'the registration to come back within one check interval',
        timeoutMs: checkIntervalMs,
      });
      const [back] = await waitFor(
        async () => {
          const list = await registry.discover({ name, tags: ['books'] });
          return list.length === 1 ? list : undefined;
        },
        { what: 'the instance to pass again after the restart' },
      );
      expect(back).toMatchObject({ id, port: ready.port, tags: ['books'] });
      // The watch survived the restart: it reported the instance gone or kept it, and ends with it present.
      await waitFor(() => seen.at(-1)?.length === 1 && seen.at(-1)![0]!.id === id, {
        what: 'the watch to report the instance after the restart',
      });
      watch.close();

      // A deregistered service is not brought back by the resync loop; one still registered is.
      const keepId = `${name}-keep`;
      await registry.register({
        name,
        id: keepId,
        address: ready.address,
        port: ready.port,
        tags: [],
        check: { interval: '2s' },
      });
      await registry.deregister(id);
      await agent.kill();
      await agent.start();
      await waitFor(async () => Object.hasOwn((await consul.agent.service.list()) as Record<string, unknown>, keepId), {
        what: 'a resync round after the second restart',
        timeoutMs: checkIntervalMs,
      });
      expect(await listed()).toBe(false);
    } finally {
      await registry.close();
      consul.destroy();
    }
  });
});
