import { z } from 'zod';
import { splitList } from '../../restlib/index.js';
import { GATEWAY_DOMAINS, gatewayModules, gatewayService } from '../../gateway/service.js';
import { identityOf, serviceEntry } from './catalog.js';

export const GATEWAY_SERVICE = serviceEntry({
  command: ['gateway'],
  spec: {
    program: 'bookshelf gateway',
    description: 'gateway: the public HTTP routes of every domain, forwarded to services found through the registry',
    defaults: { name: 'gateway', id: 'gateway1', tags: ['gateway'], port: 8000 },
    options: {
      domains: {
        flag: '--domains <domains...>',
        description: `domains to route, space separated (env: spaces or commas): ${GATEWAY_DOMAINS.join(', ')}; /ready waits for a passing instance of each of their services (library brings lending)`,
        env: ['BOOKSHELF_GATEWAY_DOMAINS'],
        schema: z.preprocess(
          splitList,
          z
            .array(z.enum(GATEWAY_DOMAINS as [string, ...string[]], { error: `must be ${GATEWAY_DOMAINS.join(', ')}` }))
            .min(1, 'must name at least one domain'),
        ),
        default: [...GATEWAY_DOMAINS],
      },
    },
  },
  create: (deps, c) => gatewayService(deps, { identity: identityOf(c), modules: gatewayModules(c.domains) }),
});
