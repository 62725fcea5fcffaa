import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, type ServiceRegistry } from '../../../discolib/index.js';
import { createServiceClient, type ServiceClient } from '../../../restlib/index.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';

type Behaviour = 'ok' | 'hang' | 'reset' | '503';

interface Instance {
  port: number;
  hits: string[];
  behaviour: Behaviour;
  server: Server;
}

describe('restlib ServiceClient (memory registry, real sockets)', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const instance = async (label: string, behaviour: Behaviour = 'ok'): Promise<Instance> => {
    const inst: Instance = { port: 0, hits: [], behaviour, server: undefined as unknown as Server };
    inst.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        inst.hits.push(`${req.method} ${req.url} ${body}`.trim());
        if (inst.behaviour === 'reset') req.socket.destroy();
        else if (inst.behaviour === '503') res.writeHead(503).end('busy');
        else if (inst.behaviour === 'ok')
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ from: label }));
        // 'hang': never answer
      });
    });
    await new Promise<void>((r) => inst.server.listen(0, '127.0.0.1', r));
    inst.port = (inst.server.address() as AddressInfo).port;
    cleanups.push(() => {
      inst.server.closeAllConnections();
      return new Promise((r) => inst.server.close(r));
    });
    return inst;
  };

  /** A port nothing listens on (bound once, then closed). */
  const deadPort = async () => {
    const dead = await instance('dead');
    dead.server.closeAllConnections();
    await new Promise((r) => dead.server.close(r));
    return dead.port;
  };

  const setup = async (ports: number[], opts: { timeoutMs?: number; staleGraceMs?: number } = {}) => {
    const registry: ServiceRegistry = createRegistry({ kind: 'memory', health: 'passing' });
    const name = uniqueName('svc');
    for (const [i, port] of ports.entries()) {
      await registry.register({ name, id: `${name}-${i}`, address: '127.0.0.1', port, tags: ['books'] });
    }
    const client: ServiceClient = createServiceClient({
      registry,
      service: name,
      timeoutMs: opts.timeoutMs ?? 2000,
      ...(opts.staleGraceMs === undefined ? {} : { staleGraceMs: opts.staleGraceMs }),
    });
    cleanups.push(
      () => registry.close(),
      () => client.close(),
    );
    return { registry, client, name };
  };

  it('spreads requests round-robin over the passing instances', async () => {
    const [a, b] = [await instance('a'), await instance('b')];
    const { client } = await setup([a.port, b.port]);
    const from = [];
    for (let i = 0; i < 4; i++) from.push((await client.get('/x')).json<{ from: string }>().from);
    expect(from.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('fails over from a dead instance (connection refused) to a live one, for GET and for POST', async () => {
    const live = await instance('live');
    const { client } = await setup([await deadPort(), live.port]);
    for (let i = 0; i < 3; i++) {
      const res = await client.get('/books');
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ from: 'live' });
    }
    const posted = await client.post('/books', { title: 'Dune' });
    expect(posted.status).toBe(200);
    expect(live.hits.at(-1)).toBe('POST /books {"title":"Dune"}');
  });

  it('a POST whose connection broke after sending is not retried; a GET is', async () => {
    const [broken, live] = [await instance('broken', 'reset'), await instance('live')];
    const { client } = await setup([broken.port, live.port]);
    // find the order: the first request goes to instance 0 (broken)
    await expect(client.post('/books', { title: 'x' })).rejects.toMatchObject({
      code: 'REST_ERR_UPSTREAM_UNAVAILABLE',
    });
    expect(broken.hits).toEqual(['POST /books {"title":"x"}']);
    expect(live.hits).toEqual([]);
    broken.hits.length = 0;
    const res = await client.get('/books');
    expect(res.json()).toEqual({ from: 'live' });
  });

  it('a timeout fails a GET over to the next instance; a POST times out once', async () => {
    const [slow, live] = [await instance('slow', 'hang'), await instance('live')];
    const { client } = await setup([slow.port, live.port], { timeoutMs: 200 });
    await expect(client.post('/books', { title: 'x' })).rejects.toMatchObject({
      code: 'REST_ERR_UPSTREAM_TIMEOUT',
      status: 504,
    });
    expect(live.hits).toEqual([]);
    // the slow one now cools down: requests go to the live one first
    expect((await client.get('/books')).json()).toEqual({ from: 'live' });
    slow.hits.length = 0;
    const { client: fresh } = await setup([slow.port, live.port], { timeoutMs: 200 });
    expect((await fresh.get('/books')).json()).toEqual({ from: 'live' });
    expect(slow.hits).toEqual(['GET /books']);
  });

  it('a 503 answer sends an idempotent request to another instance', async () => {
    const [busy, live] = [await instance('busy', '503'), await instance('live')];
    const { client } = await setup([busy.port, live.port]);
    expect((await client.get('/books')).json()).toEqual({ from: 'live' });
    expect(busy.hits).toEqual(['GET /books']);
    const { client: second } = await setup([busy.port, live.port]);
    expect((await second.post('/books', {})).status).toBe(503);
  });

  it('no instance -> REST_ERR_NO_INSTANCE (503); every instance dead -> REST_ERR_UPSTREAM_UNAVAILABLE (502)', async () => {
    const { client } = await setup([]);
    await expect(client.get('/')).rejects.toMatchObject({ code: 'REST_ERR_NO_INSTANCE', status: 503, retriable: true });
    const { client: deadOnly } = await setup([await deadPort(), await deadPort()]);
    await expect(deadOnly.get('/')).rejects.toMatchObject({ code: 'REST_ERR_UPSTREAM_UNAVAILABLE', status: 502 });
  });

  it('follows the registry: an instance registered later is used, a deregistered one is not', async () => {
    const [a, b] = [await instance('a'), await instance('b')];
    const { client, registry, name } = await setup([a.port]);
    expect((await client.get('/')).json()).toEqual({ from: 'a' });
    await registry.register({ name, id: `${name}-b`, address: '127.0.0.1', port: b.port, tags: [] });
    await waitFor(() => client.instances().length === 2, { what: 'the watch to add instance b' });
    await registry.deregister(`${name}-0`);
    await waitFor(() => client.instances().length === 1, { what: 'the watch to drop instance a' });
    expect((await client.get('/')).json()).toEqual({ from: 'b' });
  });

  it('keeps the last known instances for a grace when the registry suddenly knows none (an agent that restarted empty)', async () => {
    const a = await instance('a');
    const { client, registry, name } = await setup([a.port], { staleGraceMs: 600 });
    expect((await client.get('/')).json()).toEqual({ from: 'a' });
    await registry.deregister(`${name}-0`);
    await waitFor(() => client.instances().length === 0, { what: 'the watch to report no instance' });
    // Within the grace: still served by the instance that is in fact alive.
    expect((await client.get('/')).json()).toEqual({ from: 'a' });
    // After it: the registry is believed.
    const refused = await waitFor(
      () =>
        client.get('/').then(
          () => undefined,
          (err: unknown) => err,
        ),
      { timeoutMs: 5000, what: 'the grace to end' },
    );
    expect(refused).toMatchObject({ code: 'REST_ERR_NO_INSTANCE', status: 503 });
  });

  it('within the grace, last known instances that do not answer are "no instance" (503), not 502', async () => {
    const live = await instance('live');
    const { client, registry, name } = await setup([live.port], { staleGraceMs: 60_000 });
    expect((await client.get('/')).json()).toEqual({ from: 'live' });
    live.server.closeAllConnections();
    await new Promise((r) => live.server.close(r));
    await registry.deregister(`${name}-0`);
    await waitFor(() => client.instances().length === 0, { what: 'the watch to report no instance' });
    await expect(client.get('/')).rejects.toMatchObject({ code: 'REST_ERR_NO_INSTANCE', status: 503 });
  });
});
