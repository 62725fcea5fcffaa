import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the CLI reads from its own package.json. */
export interface BookshelfPackage {
  readonly version: string;
  readonly engines?: { readonly node?: string };
}

let cached: BookshelfPackage | undefined;

/**
 * The bookshelf package.json nearest to this file (source or dist/). Only `node:` built-ins here: the Node version
 * check reads it before anything else is loaded.
 */
export function bookshelfPackage(): BookshelfPackage {
  if (cached) return cached;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string } & Partial<BookshelfPackage>;
      if (pkg.name === 'bookshelf' && pkg.version) return (cached = { version: pkg.version, engines: pkg.engines });
    }
    if (dirname(dir) === dir) return (cached = { version: '0.0.0' });
  }
}

/** The bookshelf package's version (`bookshelf --version`, OpenAPI `info.version`). */
export function bookshelfVersion(): string {
  return bookshelfPackage().version;
}
