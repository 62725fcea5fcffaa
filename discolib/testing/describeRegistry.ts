import { afterEach, describe, expect, it } from 'vitest';
import { isDiscoError } from '../errors.js';
import type { ServiceInstance, ServiceRegistration, ServiceRegistry, WatchHandle } from '../port.js';
import { eventually, uniqueServiceName } from './eventually.js';
import { startReadyServer, type ReadyServer } from './readyServer.js';

export interface RegistryContractOptions {
  /** Check interval used for the registrations the suite makes; default `1s` (Consul's minimum). */
  checkInterval?: string;
  /** How long a health change may take to show; default 20 s. */
  healthTimeoutMs?: number;
}

/**
 * The contract every ServiceRegistry adapter passes. Instances get a real HTTP `/ready` endpoint that the
 * suite switches on and off, so health is observed end to end (the memory adapter must run with health probes).
 */
export function describeRegistry(
  adapterName: string,
  makeRegistry: () => ServiceRegistry | Promise<ServiceRegistry>,
  options: RegistryContractOptions = {},
): void {
  const interval = options.checkInterval ?? '1s';
  const healthTimeoutMs = options.healthTimeoutMs ?? 20_000;

  describe(`ServiceRegistry contract: ${adapterName}`, () => {
    const registries: ServiceRegistry[] = [];
    const servers: ReadyServer[] = [];
    const watches: WatchHandle[] = [];

    afterEach(async () => {
      for (const w of watches.splice(0)) w.close();
      await Promise.all(registries.splice(0).map((r) => r.close()));
      await Promise.all(servers.splice(0).map((s) => s.close()));
    });

    const registry = async () => {
      const r = await makeRegistry();
      registries.push(r);
      return r;
    };
    const server = async (ready: boolean) => {
      const s = await startReadyServer(ready);
      servers.push(s);
      return s;
    };
    const registration = (name: string, id: string, s: ReadyServer, tags: string[]): ServiceRegistration => ({
      name,
      id,
      address: s.address,
      port: s.port,
      tags,
      meta: { version: '1' },
      check: { interval, timeout: '1s' },
    });
    const discoverCount = (r: ServiceRegistry, name: string, n: number, tags?: string[]) =>
      eventually(
        async () => {
          const list = await r.discover(tags ? { name, tags } : { name });
          return list.length === n ? list : undefined;
        },
        `${n} passing instance(s) of ${name}${tags ? ` with tags ${tags.join(',')}` : ''}`,
        healthTimeoutMs,
      );

    it('an instance becomes discoverable only once its /ready answers 2xx', async () => {
      const r = await registry();
      const s = await server(false);
      const name = uniqueServiceName('contract');
      await r.register(registration(name, `${name}-1`, s, ['books', 'last']));
      expect(await r.discover({ name })).toEqual([]);
      await eventually(() => s.probes > 0, 'the first probe of /ready', healthTimeoutMs);
      expect(await r.discover({ name })).toEqual([]);

      s.setReady(true);
      const [found] = await discoverCount(r, name, 1);
      expect(found).toEqual<ServiceInstance>({
        id: `${name}-1`,
        name,
        address: '127.0.0.1',
        port: s.port,
        tags: ['books', 'last'],
        meta: { version: '1' },
      });
    });

    it('finds instances by name and by a subset of tags; every requested tag must be present', async () => {
      const r = await registry();
      const [a, b] = [await server(true), await server(true)];
      const name = uniqueServiceName('contract');
      await r.register(registration(name, `${name}-a`, a, ['books', 'last']));
      await r.register(registration(name, `${name}-b`, b, ['books', 'list']));
      const all = await discoverCount(r, name, 2);
      expect(all.map((i) => i.id)).toEqual([`${name}-a`, `${name}-b`]);
      expect((await r.discover({ name, tags: ['books'] })).map((i) => i.port).sort()).toEqual([a.port, b.port].sort());
      expect((await r.discover({ name, tags: ['last'] })).map((i) => i.id)).toEqual([`${name}-a`]);
      expect((await r.discover({ name, tags: ['books', 'list'] })).map((i) => i.id)).toEqual([`${name}-b`]);
      expect(await r.discover({ name, tags: ['last', 'list'] })).toEqual([]);
      expect(await r.discover({ name, tags: ['missing'] })).toEqual([]);
      expect(await r.discover({ name: uniqueServiceName('nobody') })).toEqual([]);
    });

    it('rejects an empty name, an explicitly empty tags array and a bad registration with DISCO_ERR_INVALID', async () => {
      const r = await registry();
      const s = await server(true);
      const invalid = (p: Promise<unknown>) => expect(p).rejects.toSatisfy((e) => isDiscoError(e, 'DISCO_ERR_INVALID'));
      await invalid(r.discover({ name: '' }));
      await invalid(r.discover({ name: 'books', tags: [] }));
      await invalid(r.discover({ name: 'books', tags: [''] }));
      await invalid(r.register({ ...registration('x', 'x-1', s, []), port: 0 }));
      await invalid(r.register({ ...registration('', 'x-1', s, []) }));
      await invalid(r.register({ ...registration('x', 'x-1', s, []), address: '0.0.0.0' }));
      await invalid(r.register({ ...registration('x', 'x-1', s, []), check: { interval: 'soon' } }));
      expect(() => r.watch('', () => undefined)).toThrow(expect.objectContaining({ code: 'DISCO_ERR_INVALID' }));
    });

    it('drops an instance whose /ready fails and brings it back when it is healthy again', async () => {
      const r = await registry();
      const [up, flaky] = [await server(true), await server(true)];
      const name = uniqueServiceName('contract');
      await r.register(registration(name, `${name}-up`, up, ['books']));
      await r.register(registration(name, `${name}-flaky`, flaky, ['books']));
      await discoverCount(r, name, 2);
      flaky.setReady(false);
      const [left] = await discoverCount(r, name, 1);
      expect(left!.id).toBe(`${name}-up`);
      flaky.setReady(true);
      await discoverCount(r, name, 2);
    });

    it('deregister removes the instance; an unknown id is not an error', async () => {
      const r = await registry();
      const s = await server(true);
      const name = uniqueServiceName('contract');
      await r.register(registration(name, `${name}-1`, s, ['books']));
      await discoverCount(r, name, 1);
      await r.deregister(`${name}-1`);
      expect(await r.discover({ name })).toEqual([]);
      await expect(r.deregister(`${name}-1`)).resolves.toBeUndefined();
      await expect(r.deregister(uniqueServiceName('never'))).resolves.toBeUndefined();
    });

    it('registering the same id again replaces the instance', async () => {
      const r = await registry();
      const [first, second] = [await server(true), await server(true)];
      const name = uniqueServiceName('contract');
      await r.register(registration(name, `${name}-1`, first, ['v1']));
      await discoverCount(r, name, 1, ['v1']);
      await r.register(registration(name, `${name}-1`, second, ['v2']));
      const [moved] = await discoverCount(r, name, 1, ['v2']);
      expect(moved!.port).toBe(second.port);
      expect(await r.discover({ name })).toHaveLength(1);
    });

    it('watch delivers the current list, then every change, and stops after close', async () => {
      const r = await registry();
      const [a, b] = [await server(true), await server(true)];
      const name = uniqueServiceName('contract');
      const seen: string[][] = [];
      const w = r.watch(name, (list) => seen.push(list.map((i) => i.id)));
      watches.push(w);
      await eventually(() => seen.length >= 1, 'the first watch delivery', healthTimeoutMs);
      expect(seen[0]).toEqual([]);

      await r.register(registration(name, `${name}-a`, a, []));
      await eventually(
        () => seen.some((ids) => ids.length === 1),
        'a watch delivery with one instance',
        healthTimeoutMs,
      );
      await r.register(registration(name, `${name}-b`, b, []));
      await eventually(() => seen.at(-1)?.length === 2, 'a watch delivery with both instances', healthTimeoutMs);
      expect(seen.at(-1)).toEqual([`${name}-a`, `${name}-b`]);

      b.setReady(false);
      await eventually(
        () => seen.at(-1)?.join() === `${name}-a`,
        'a watch delivery without the failing instance',
        healthTimeoutMs,
      );
      for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toEqual(seen[i - 1]);

      w.close();
      w.close();
      const count = seen.length;
      await r.deregister(`${name}-a`);
      const c = await server(true);
      await r.register(registration(name, `${name}-c`, c, []));
      await discoverCount(r, name, 1);
      expect(seen).toHaveLength(count);
    });

    it('close is idempotent and later calls fail with DISCO_ERR_CLOSED', async () => {
      const r = await registry();
      await Promise.all([r.close(), r.close()]);
      await r.close();
      await expect(r.discover({ name: 'books' })).rejects.toSatisfy((e) => isDiscoError(e, 'DISCO_ERR_CLOSED'));
      const s = await server(true);
      await expect(r.register(registration('books', 'books-1', s, []))).rejects.toSatisfy((e) =>
        isDiscoError(e, 'DISCO_ERR_CLOSED'),
      );
    });
  });
}
