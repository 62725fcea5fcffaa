import { acquireInstanceLock } from '../../../discolib/index.js';
import { describeInstanceLock } from '../../../discolib/testing/index.js';
import { infra } from '../../setup/infra.js';

/** The session holding a lock's documented default KV key, read through Consul's HTTP API. */
async function sessionOf(name: string): Promise<string | undefined> {
  const res = await fetch(`http://${infra().consulAddr}/v1/kv/bookshelf/lock/${name}`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`consul kv get answered ${res.status}`);
  return ((await res.json()) as { Session?: string }[])[0]?.Session;
}

describeInstanceLock(
  'consul',
  (request) => acquireInstanceLock({ kind: 'consul', addr: infra().consulAddr, ...request }),
  {
    kind: 'consul',
    childOptions: (request) => ({ kind: 'consul', addr: infra().consulAddr, ...request }),
    server: {
      present: async (name) => (await sessionOf(name)) !== undefined,
      vanish: async (name) => {
        const session = await sessionOf(name);
        if (session) await fetch(`http://${infra().consulAddr}/v1/session/destroy/${session}`, { method: 'PUT' });
      },
    },
  },
);
