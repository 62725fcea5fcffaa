import { gatewayService } from '../../gateway/service.js';
import { identityOf, serviceEntry } from './catalog.js';

export const GATEWAY_SERVICE = serviceEntry({
  command: ['gateway'],
  spec: {
    program: 'bookshelf gateway',
    description: 'gateway: the public HTTP routes of every domain, forwarded to services found through the registry',
    defaults: { name: 'gateway', id: 'gateway1', tags: ['gateway'], port: 8000 },
  },
  create: (deps, c) => gatewayService(deps, { identity: identityOf(c) }),
});
