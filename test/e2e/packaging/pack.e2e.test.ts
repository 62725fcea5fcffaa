import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 18, point 1: the package a user installs. It is built and packed as `npm pack` would ship it, installed into
 * an empty project, and a small TypeScript program that imports every public subpath (`bookshelf/eventlib`,
 * `/discolib`, `/restlib`, `/platform`, `/testing`) is compiled against its type declarations and run.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);
const node = (args: string[], cwd: string, timeout = 240_000) =>
  run(process.execPath, args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024 });
const npm = (args: string[], cwd: string) =>
  run('npm', args, {
    cwd,
    timeout: 240_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_fund: 'false' },
  });
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

const PROGRAM = `
import { createEventBus, newEvent } from 'bookshelf/eventlib';
import { createRegistry } from 'bookshelf/discolib';
import { buildServer } from 'bookshelf/restlib';
import { defineErrorCatalogue, startLogDecider } from 'bookshelf/platform';
import { deciderSpec, describeEventBus, describeRegistry } from 'bookshelf/testing';

const bus = await createEventBus({ kind: 'memory' });
const seen: string[] = [];
const sub = await bus.subscribe({ topics: ['t'], group: 'g', handler: (e) => void seen.push(e.type) });
await bus.publish('t', [newEvent({ type: 'hello', key: 'k', data: {}, producer: 'app' })]);
await sub.waitUntilCaughtUp(5000);

const registry = createRegistry({ kind: 'memory' });
const app = await buildServer({ name: 'app', readiness: () => ({ ready: true }) });
const health = await app.inject({ method: 'GET', url: '/health' });

const Errors = defineErrorCatalogue({
  name: 'AppError',
  prefix: 'APP_ERR_',
  codes: { APP_ERR_NOPE: { status: 404, title: 'Nope', retriable: false } },
});
const err = new Errors.Error('APP_ERR_NOPE', 'nope');

console.log(
  JSON.stringify({
    eventlib: seen,
    discolib: typeof registry.discover,
    restlib: health.statusCode,
    platform: [err.code, err.status, typeof startLogDecider],
    testing: [typeof deciderSpec, typeof describeEventBus, typeof describeRegistry],
  }),
);
await Promise.all([sub.close(), bus.close(), registry.close(), app.close()]);
`;

describe('the published package (npm pack, installed into an empty project)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-pack-'));
  const stage = join(dir, 'stage');
  const appDir = join(dir, 'app');
  let files: string[] = [];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    await node([TSC, '-p', 'tsconfig.build.json', '--outDir', join(stage, 'dist')], ROOT);
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md']) cpSync(join(ROOT, f), join(stage, f));
    cpSync(join(ROOT, 'docker'), join(stage, 'docker'), { recursive: true });
    const packed = await npm(['pack', '--json', '--pack-destination', dir], stage);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    files = info!.files.map((f) => f.path);
    mkdirSync(appDir);
    writeFileSync(
      join(appDir, 'package.json'),
      JSON.stringify({
        name: 'app',
        private: true,
        type: 'module',
        dependencies: {
          bookshelf: `file:${join(dir, info!.filename)}`,
          vitest: pkg.devDependencies.vitest,
          '@types/node': pkg.devDependencies['@types/node'],
        },
      }),
    );
    writeFileSync(
      join(appDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          types: ['node'],
          outDir: 'out',
        },
        include: ['main.ts'],
      }),
    );
    writeFileSync(join(appDir, 'main.ts'), PROGRAM);
    await npm(['install', '--prefer-offline', '--no-audit', '--ignore-scripts'], appDir);
  }, 600_000);

  it('ships compiled code with type declarations for every subpath, and no test files', () => {
    for (const sub of ['eventlib', 'discolib', 'restlib', 'platform', 'platform/testing']) {
      expect(files).toContain(`dist/${sub}/index.js`);
      expect(files).toContain(`dist/${sub}/index.d.ts`);
    }
    expect(files.filter((f) => f.endsWith('.test.js'))).toEqual([]);
  });

  it('compiles a TypeScript program against each subpath and runs it', async () => {
    await node([TSC, '-p', 'tsconfig.json'], appDir);
    const { stdout } = await node([join('out', 'main.js')], appDir, 60_000);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      eventlib: ['hello'],
      discolib: 'function',
      restlib: 200,
      platform: ['APP_ERR_NOPE', 404, 'function'],
      testing: ['function', 'function', 'function'],
    });
  });
});
