import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * Issue 18, point 3, rehearsed without a Docker engine: the runtime stage of docker/Dockerfile, as the file says it
 * (its `npm ci` flags, its `dist/`, its ENV, its HEALTHCHECK), run on this machine. A production dependency that
 * needs an install script, a dev dependency the runtime imports, or a native addon with no build for the base
 * image's C library (sodium-native ships glibc builds only, so an Alpine base fails) fails here.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

interface Stage {
  from: string;
  runs: string[];
  env: Record<string, string>;
  healthcheck: string[];
}

/** The last stage of a Dockerfile: its base image, RUN lines, ENV pairs and HEALTHCHECK command (exec form). */
function runtimeStage(dockerfile: string): Stage {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
  const args = new Map<string, string>();
  let stage: Stage | undefined;
  for (const line of lines.map((l) => l.trim())) {
    const [instr = '', ...rest] = line.split(/\s+/);
    const value = rest.join(' ');
    if (/^ARG$/i.test(instr) && value.includes('=')) {
      const [k, v] = value.split('=');
      args.set(k!, v!);
    } else if (/^FROM$/i.test(instr)) {
      const image = rest[0]!.replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? '');
      stage = { from: image, runs: [], env: {}, healthcheck: [] };
    } else if (stage && /^RUN$/i.test(instr)) stage.runs.push(value);
    else if (stage && /^ENV$/i.test(instr)) {
      for (const pair of rest) {
        const [k, v] = pair.split('=');
        if (k && v !== undefined) stage.env[k] = v;
      }
    } else if (stage && /^HEALTHCHECK$/i.test(instr)) {
      stage.healthcheck = JSON.parse(value.slice(value.indexOf('CMD') + 3).trim()) as string[];
    }
  }
  if (!stage) throw new Error('no FROM in the Dockerfile');
  return stage;
}

/** Every native addon (.node file) under a folder. */
function nativeAddons(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (name.endsWith('.node')) found.push(p);
    }
  };
  walk(dir);
  return found;
}

describe("the image's runtime stage, rehearsed on this machine (docker/Dockerfile)", () => {
  const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
  const stage = runtimeStage(dockerfile);
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-image-'));
  let proc: ChildProcess | undefined;
  let port = 0;
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(async () => {
    for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(dir, f));
    const install = stage.runs.find((r) => r.startsWith('npm ci'));
    expect(install, 'the runtime stage installs with npm ci').toBeDefined();
    const flags = install!.split('&&')[0]!.trim().split(/\s+/).slice(2);
    await run('npm', ['ci', ...flags, '--prefer-offline'], { cwd: dir, timeout: 300_000, maxBuffer: 1 << 26 });
    await run(process.execPath, [TSC, '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')], {
      cwd: ROOT,
      timeout: 300_000,
    });
    mkdirSync(join(dir, 'docker'));
    cpSync(join(ROOT, 'docker', 'healthcheck.mjs'), join(dir, 'docker', 'healthcheck.mjs'));
  }, 600_000);

  it('installs no dev dependency and no install script runs (npm ci --omit=dev --ignore-scripts)', () => {
    const install = stage.runs.find((r) => r.startsWith('npm ci'))!;
    expect(install).toContain('--omit=dev');
    expect(install).toContain('--ignore-scripts');
    const installed = readdirSync(join(dir, 'node_modules'));
    expect(installed).not.toContain('vitest');
    expect(installed).not.toContain('typescript');
  });

  it("every native addon it ships has a build for the base image's C library", () => {
    const musl = /alpine/i.test(stage.from);
    const addons = nativeAddons(join(dir, 'node_modules')).map((p) => relative(dir, p));
    expect(addons.length, 'the sealed sessions need sodium-native').toBeGreaterThan(0);
    const byPackage = new Map<string, string[]>();
    for (const a of addons) {
      const pkgName = a.split('/prebuilds/')[0] ?? a;
      byPackage.set(pkgName, [...(byPackage.get(pkgName) ?? []), a]);
    }
    for (const [pkgName, files] of byPackage) {
      const linux = files.filter((f) => !f.includes('/prebuilds/') || f.includes('/linux-x64/'));
      const fits = linux.filter((f) => (musl ? /musl/.test(f) : !/musl/.test(f)));
      expect(fits, `${pkgName} has a ${musl ? 'musl' : 'glibc'} build for ${stage.from}`).not.toEqual([]);
    }
  });

  it('starts `bookshelf start` from dist/ with the image ENV, and its HEALTHCHECK passes', async () => {
    port = await freePort();
    const env = { ...process.env, ...stage.env, BOOKSHELF_ADDR: '127.0.0.1', BOOKSHELF_PORT: String(port) };
    proc = spawn(process.execPath, ['dist/cli/main.js', 'start'], { cwd: dir, env, stdio: 'pipe' });
    let output = '';
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(
      async () => {
        if (proc!.exitCode !== null) throw new Error(`bookshelf start exited ${proc!.exitCode}:\n${output}`);
        return (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined))?.ok;
      },
      { timeoutMs: 90_000, what: 'the image entrypoint ready' },
    );
    // The library's sealed session cookie is made with sodium-native: a login page proves the addon loaded.
    const login = await fetch(`http://127.0.0.1:${port}/library/login`);
    expect(login.status).toBe(200);
    expect(stage.healthcheck[0]).toBe('node');
    const check = await run(process.execPath, stage.healthcheck.slice(1), { cwd: dir, env }).then(
      () => 0,
      (err: { code?: number }) => err.code ?? 1,
    );
    expect(check).toBe(0);
  }, 120_000);
});
