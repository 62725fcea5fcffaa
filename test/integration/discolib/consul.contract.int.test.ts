import Consul from 'consul';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../../discolib/index.js';
import { describeRegistry, startReadyServer } from '../../../discolib/testing/index.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';
import { infra } from '../../setup/infra.js';

describeRegistry('consul', () => createRegistry({ kind: 'consul', addr: infra().consulAddr, watchWait: '5s' }), {
  checkInterval: '1s',
  healthTimeoutMs: 20_000,
});

describe('consul adapter specifics', () => {
  const [host, port] = infra().consulAddr.split(':');
  const consul = new Consul({ host: host!, port: Number(port) });
  afterAll(() => consul.destroy());

  it('registers an HTTP check that Consul runs on the readiness path', async () => {
    const registry = createRegistry({ kind: 'consul', addr: infra().consulAddr });
    const server = await startReadyServer(true);
    const name = uniqueName('check');
    try {
      await registry.register({
        name,
        id: `${name}-1`,
        address: server.address,
        port: server.port,
        tags: [],
        check: { interval: '3s', timeout: '1s', deregisterAfter: '2m' },
      });
      const checks = (await consul.agent.check.list()) as Record<
        string,
        { ServiceID: string; Type: string; Name: string; Interval: string; Timeout: string }
      >;
      const check = Object.values(checks).find((c) => c.ServiceID === `${name}-1`);
      expect(check).toMatchObject({ Type: 'http', Name: `${name} /ready`, Interval: '3s', Timeout: '1s' });
      await waitFor(() => server.probes > 0, { what: 'Consul to probe /ready' });
    } finally {
      await registry.close();
      await server.close();
    }
  });

  it('close() deregisters what the registry registered, and only that', async () => {
    const server = await startReadyServer(true);
    const name = uniqueName('close');
    const mine = createRegistry({ kind: 'consul', addr: infra().consulAddr });
    const other = createRegistry({ kind: 'consul', addr: infra().consulAddr });
    try {
      const reg = { name, address: server.address, port: server.port, tags: [] };
      await mine.register({ ...reg, id: `${name}-mine` });
      await other.register({ ...reg, id: `${name}-other` });
      await mine.close();
      const ids = Object.keys(await consul.agent.service.list());
      expect(ids).not.toContain(`${name}-mine`);
      expect(ids).toContain(`${name}-other`);
    } finally {
      await other.close();
      await server.close();
    }
  });
});
