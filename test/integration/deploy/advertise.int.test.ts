import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { infra } from '../../setup/infra.js';
import { runCli, startCli, stopAllCli } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait.js';

afterAll(() => stopAllCli());

interface AgentService {
  ID: string;
  Address: string;
  Port: number;
}

// In a container or a pod a service listens on 0.0.0.0 and registers the address others reach it at
// (the compose service name, the pod IP): here 127.0.0.1, which the real Consul agent's check can reach.
describe('a service on --addr 0.0.0.0 with --advertise-addr, against a real Consul', () => {
  it('registers the advertised address, passes its check, and deregisters on SIGTERM', async () => {
    const { consulAddr, kafkaBrokers } = infra();
    const id = `adv-${randomUUID().slice(0, 8)}`;
    const proc = startCli(
      ['view', 'book-list', '--port', '0', '--id', id, '--topic', `${id}-topic`, '--name', `${id}-list`],
      {
        BOOKSHELF_ADDR: '0.0.0.0',
        BOOKSHELF_ADVERTISE_ADDR: '127.0.0.1',
        BOOKSHELF_CONSUL: consulAddr,
        BOOKSHELF_BROKER: kafkaBrokers,
      },
    );
    const agent = (path: string) => fetch(`http://${consulAddr}/v1/agent/${path}`);
    const registered = await waitFor(
      async () => {
        const res = await agent(`service/${id}`);
        return res.ok ? ((await res.json()) as AgentService) : undefined;
      },
      { timeoutMs: 60_000, what: `${id} registered` },
    );
    expect(registered).toMatchObject({ ID: id, Address: '127.0.0.1' });
    // The agent's own HTTP check of http://127.0.0.1:<port>/ready passes: the advertised address is reachable.
    await waitFor(async () => (await agent(`health/service/id/${id}`)).status === 200, {
      timeoutMs: 60_000,
      what: `${id} passing in Consul`,
    });
    expect(await proc.stop(20_000)).toBe(0);
    expect((await agent(`service/${id}`)).status).toBe(404);
  });

  it('refuses to start on 0.0.0.0 with Consul but no --advertise-addr, in one line naming the flag', async () => {
    const { code, output } = await runCli(['view', 'book-list', '--addr', '0.0.0.0', '--port', '0'], {
      BOOKSHELF_CONSUL: infra().consulAddr,
      BOOKSHELF_BROKER: infra().kafkaBrokers,
    });
    expect(code).toBe(2);
    expect(output.trim()).toBe(
      'bookshelf view book-list: --addr 0.0.0.0 (from --addr) listens on every interface: give --advertise-addr ' +
        '(env BOOKSHELF_ADVERTISE_ADDR), the address Consul and the other services reach this one at',
    );
  });
});
