import type { RestApp } from '../restlib/index.js';
import { html } from './library/html.js';
import { sendPage } from './library/kit.js';
import type { EntryLink, GatewayModule } from './module.js';

const OPERATIONS: readonly EntryLink[] = [
  { href: '/health', text: 'Liveness' },
  { href: '/ready', text: 'Readiness: every upstream has a passing instance' },
  { href: '/metrics', text: 'Prometheus metrics' },
];

/** What `GET /` lists: the docs, then each mounted domain with its entry routes, then the probes. */
export interface FrontDoorIndex {
  name: string;
  docs: string;
  domains: { domain: string; summary: string; links: FrontDoorLink[] }[];
  operations: FrontDoorLink[];
}

/** A link as the index shows it: `needs` says what a caller must send (an admin route with auth on). */
export interface FrontDoorLink {
  href: string;
  text: string;
  needs?: string;
}

const NEEDS_KEY = 'Authorization: Bearer <key>';

/** With `secured` (API keys or JWT on), admin entries are marked: following them without a key answers 401. */
export function frontDoorIndex(modules: readonly GatewayModule[], docs: boolean, secured = false): FrontDoorIndex {
  const shown = ({ href, text, access }: EntryLink): FrontDoorLink =>
    secured && access === 'admin' ? { href, text, needs: NEEDS_KEY } : { href, text };
  return {
    name: 'Bookshelf gateway',
    docs: docs ? '/docs' : '',
    domains: modules.map((m) => ({ domain: m.domain, summary: m.summary, links: m.entries.map(shown) })),
    operations: OPERATIONS.map(shown),
  };
}

/** A browser (its Accept names text/html) gets the page; curl and API clients get the JSON index. */
export function wantsHtml(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return type === 'text/html' && (q === undefined || Number(q.slice(2)) > 0);
  });
}

// A route that needs a key is not a link (a browser would get 401): its request is shown for curl instead.
const links = (list: readonly FrontDoorLink[]) =>
  html`<ul>
    ${list.map((l) =>
      l.needs
        ? html`<li>${l.text} <code>GET ${l.href}</code> with <code>${l.needs}</code></li>`
        : html`<li><a href="${l.href}">${l.text}</a> <code>GET ${l.href}</code></li>`,
    )}
  </ul>`;

export function frontDoorPage(index: FrontDoorIndex, styles: string | undefined): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Bookshelf</title>
        ${styles ? html`<link rel="stylesheet" href="${styles}" />` : ''}
      </head>
      <body>
        <main id="main">
          <h1>Bookshelf</h1>
          <p>The gateway of the Bookshelf platform: one HTTP entry to every domain.</p>
          ${index.docs ? html`<p><a href="${index.docs}">API docs (OpenAPI)</a></p>` : ''}
          ${index.domains.map(
            (d) =>
              html`<section aria-labelledby="domain-${d.domain}">
                <h2 id="domain-${d.domain}">${d.domain}</h2>
                <p>${d.summary}</p>
                ${links(d.links)}
              </section>`,
          )}
          <section aria-labelledby="operations">
            <h2 id="operations">Operations</h2>
            ${links(index.operations)}
          </section>
        </main>
      </body>
    </html> `.toString();
}

/**
 * `GET /` (issue 21, point 9): a small landing page with links to the docs, the library web app and each domain's
 * entry routes, instead of a 404; JSON for clients that do not ask for HTML. Hidden from the OpenAPI document like
 * the library's pages (it is a page, not an API route; the document itself is what it links to).
 */
export function frontDoorRoute(app: RestApp, modules: readonly GatewayModule[], secured: boolean): void {
  const index = frontDoorIndex(modules, app.hasRoute({ method: 'GET', url: '/docs' }), secured);
  const styles = modules.some((m) => m.domain === 'library') ? '/library/style.css' : undefined;
  const page = frontDoorPage(index, styles);
  app.get('/', { schema: { hide: true } }, (req, reply) => {
    void reply.header('vary', 'accept');
    if (wantsHtml(req.headers.accept)) return sendPage(reply, 200, page);
    return reply.header('cache-control', 'no-store').send(index);
  });
}
