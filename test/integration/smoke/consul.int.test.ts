import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import Consul from 'consul';
import { afterAll, describe, expect, it } from 'vitest';
import { infra } from '../../setup/infra.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';

const exec = promisify(execFile);

describe('smoke: real Consul agent', () => {
  const { consulAddr, consulDnsPort } = infra();
  const [host, port] = consulAddr.split(':');
  const consul = new Consul({ host: host!, port: Number(port) });
  let server: Server;

  afterAll(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  });

  const passing = async (name: string) =>
    (await consul.health.service({ service: name, passing: true })) as { Service: { ID: string; Port: number } }[];

  const digSrv = async (name: string) =>
    (
      await exec('dig', ['@127.0.0.1', '-p', String(consulDnsPort), `${name}.service.consul`, 'SRV', '+short'])
    ).stdout.trim();

  it('registers a service with an HTTP check, sees it passing, resolves it through DNS SRV, deregisters it', async () => {
    server = createServer((req, res) => res.writeHead(req.url === '/ready' ? 200 : 404).end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const svcPort = (server.address() as AddressInfo).port;
    const name = uniqueName('smoke');

    await consul.agent.service.register({
      name,
      id: `${name}-1`,
      address: '127.0.0.1',
      port: svcPort,
      tags: ['smoke'],
      check: { name: 'ready', http: `http://127.0.0.1:${svcPort}/ready`, interval: '1s', timeout: '1s' },
    });

    const healthy = await waitFor(
      async () => {
        const list = await passing(name);
        return list.length === 1 ? list : undefined;
      },
      { what: 'the service to pass its check' },
    );
    expect(healthy[0]!.Service).toMatchObject({ ID: `${name}-1`, Port: svcPort });

    const srv = await waitFor(digSrv.bind(null, name), { what: 'a DNS SRV answer' });
    // "<priority> <weight> <port> <target>"
    expect(srv.split(/\s+/)[2]).toBe(String(svcPort));

    await consul.agent.service.deregister(`${name}-1`);
    expect(await passing(name)).toEqual([]);
    expect(await digSrv(name)).toBe('');
  });
});
