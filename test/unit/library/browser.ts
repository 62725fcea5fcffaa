import type { RestApp } from '../../../restlib/index.js';

type Fields = Record<string, string>;
export type Response = Awaited<ReturnType<RestApp['inject']>>;

/** `name=value` pairs of a response's Set-Cookie headers. */
export function setCookies(res: Response): Map<string, string> {
  const set = res.headers['set-cookie'];
  const list = Array.isArray(set) ? set : typeof set === 'string' ? [set] : [];
  return new Map(
    list.map((c) => {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      return [pair!.slice(0, at), pair!.slice(at + 1)] as const;
    }),
  );
}

/** The `_csrf` field of the first form of a page. */
export const csrfOf = (body: string): string | undefined => /name="_csrf" value="([^"]*)"/.exec(body)?.[1];

export interface PostOptions {
  /** The `_csrf` field to send; default: the one of a GET of `from` first; `false`: none. */
  csrf?: false | string;
  /** The page the form is on (GET for its token); default the login page. */
  from?: string;
  /** The Origin header; default this gateway's (`http://localhost:80`, what inject's Host names); null: none. */
  origin?: string | null;
  headers?: Record<string, string>;
}

/**
 * A browser on a gateway app: keeps the cookies it is given (a session is a cookie jar), sends forms with the
 * page's CSRF token and an Origin header, as Chromium does.
 */
export function browser(start: RestApp) {
  const jar = new Map<string, string>();
  let app = start;
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (res: Response) => {
    for (const [name, value] of setCookies(res)) {
      if (value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  const self = {
    jar,
    /** Talks to another gateway instance from now on (the cookies go along). */
    use(other: RestApp) {
      app = other;
      return self;
    },
    async get(url: string, headers: Record<string, string> = {}) {
      return keep(await app.inject({ url, headers: { ...(jar.size ? { cookie: cookie() } : {}), ...headers } }));
    },
    async post(url: string, fields: Fields = {}, opts: PostOptions = {}) {
      const token =
        opts.csrf === undefined ? csrfOf((await self.get(opts.from ?? '/library/login')).body) : opts.csrf || undefined;
      const origin = opts.origin === undefined ? 'http://localhost:80' : opts.origin;
      return keep(
        await app.inject({
          method: 'POST',
          url,
          payload: new URLSearchParams({ ...fields, ...(token ? { _csrf: token } : {}) }).toString(),
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(jar.size ? { cookie: cookie() } : {}),
            ...(origin ? { origin } : {}),
            ...opts.headers,
          },
        }),
      );
    },
    login(who: { firstName: string; lastName: string; libraryId: string; next?: string }) {
      return self.post('/library/login', who);
    },
  };
  return self;
}
