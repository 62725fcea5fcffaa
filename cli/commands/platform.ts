import { LIBRARY_DEMO_LOGINS, loginText } from '../../gateway/library/routes.js';
import { authRequired, securityLines, type GatewaySecurity } from '../../gateway/service.js';
import { startPlatform } from '../host/startPlatform.js';

/**
 * What `npm start` prints once the gateway is ready (it routes to every service): where everything answers, the
 * front door, the library web app and its demo logins, whether writes need an API key and how long library logins
 * last, and a few commands to try.
 */
export function banner(
  urls: Map<string, string>,
  mode: 'embedded' | 'real',
  security: Pick<GatewaySecurity, 'apiKeys' | 'apiKeysFrom' | 'jwt' | 'sessionKeyFrom'>,
): string {
  const gw = urls.get('gateway') ?? 'http://127.0.0.1:8000';
  // With keys on, the write examples carry one (never printed: $KEY is the reader's).
  const auth = authRequired(security) ? ' -H "authorization: Bearer $KEY"' : '';
  const lines = [
    `Bookshelf is running (${mode === 'embedded' ? 'embedded: in-memory bus and registry' : 'on real infrastructure'}).`,
    '',
    'Services:',
    ...[...urls].map(([name, url]) => `  ${name.padEnd(16)} ${url}`),
    '',
    `Front door:  ${gw}/`,
    `Library app: ${gw}/library/  (log in as ${loginText(LIBRARY_DEMO_LOGINS.patron)};`,
    `             librarian: ${loginText(LIBRARY_DEMO_LOGINS.librarian)})`,
    `API docs:    ${gw}/docs`,
    '',
    ...securityLines(security),
    '',
    authRequired(security) ? 'Try (with one of your keys in $KEY):' : 'Try:',
    `  curl -s -XPOST ${gw}/bookshelf/books${auth} -H 'content-type: application/json' -d '{"title":"Dune","author":"Frank Herbert"}'`,
    `  curl -s ${gw}/bookshelf/books`,
    `  curl -s -XPOST ${gw}/bookshelf/books/<id>/finished${auth}`,
    `  curl -s ${gw}/bookshelf/books/last/read`,
    `  curl -s -XPOST '${gw}/lending/requests?wait=true'${auth} -H 'content-type: application/json' -d '{"user":"ann","books":["b1","b2"]}'`,
    `  curl -s ${gw}/lending/users/ann`,
    `  curl -s -XPOST ${gw}/init-data${auth} && curl -s -XPOST ${gw}/order${auth} -H 'content-type: application/json' -d '{"customer_id":101,"product_ids":[201,204]}'`,
    `  curl -s ${gw}/report`,
    '',
    'Stop with Ctrl-C.',
  ];
  return lines.join('\n');
}

export async function runPlatform(mode: 'embedded' | 'real', argv: readonly string[]): Promise<void> {
  const platform = await startPlatform(mode, argv);
  process.stdout.write(`${banner(platform.urls, mode, platform.security)}\n`);
}
