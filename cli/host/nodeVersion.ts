import { bookshelfPackage } from './version.js';

/**
 * The Node versions bookshelf runs on: package.json `engines.node`, so the check and the manifest cannot drift.
 * Below 20.19, fastify's light-my-request cannot `require()` the ESM-only cookie 2 (ERR_REQUIRE_ESM).
 */
export function supportedNodeRange(): string {
  const range = bookshelfPackage().engines?.node;
  if (!range) throw new Error('package.json has no engines.node');
  return range;
}

/**
 * Why this Node cannot run bookshelf (one line, for `bookshelf: ...`), or undefined when it can. `version` is
 * `process.versions.node` (a leading `v` and a pre-release tag are ignored).
 */
export function checkNodeVersion(version: string, range: string = supportedNodeRange()): string | undefined {
  if (satisfies(version, range)) return undefined;
  return `Node ${version} is not supported: use Node ${range
    .split('||')
    .map((r) => r.trim())
    .join(' or ')}`;
}

type Version = readonly [number, number, number];

function parse(text: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * A small subset of npm's range syntax, enough for an engines field: alternatives joined by `||`, each one or more
 * comparators (`^X.Y` with X above 0, `>=X.Y`, `>X.Y`, `<=X.Y`, `<X.Y`, minor and patch optional) that must all hold.
 */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  if (!v) return false;
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .every((comparator) => {
        const m = /^(\^|>=|>|<=|<)(.+)$/.exec(comparator);
        const bound = m && parse(m[2]!);
        if (!m || !bound) throw new Error(`unsupported Node version range ${JSON.stringify(range)}`);
        const c = compare(v, bound);
        switch (m[1]) {
          case '^':
            return c >= 0 && v[0] === bound[0];
          case '>=':
            return c >= 0;
          case '>':
            return c > 0;
          case '<=':
            return c <= 0;
          default:
            return c < 0;
        }
      }),
  );
}
