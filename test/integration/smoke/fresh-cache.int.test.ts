import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaLibsCheck, scriptResult } from '../../../docker/stack/scriptResult.js';

const scripts = fileURLToPath(new URL('../../../docker/local/', import.meta.url));

/** Runs an install script; its stdout must be its result alone (callers take the last line as a path). */
function run(script: string, cache: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('bash', [join(scripts, script)], {
    encoding: 'utf8',
    // An empty Maven repository too: the colour codes came with Maven's download output, which a warm ~/.m2 skips.
    env: { ...process.env, BOOKSHELF_CACHE: cache, MAVEN_OPTS: `-Dmaven.repo.local=${join(cache, 'm2')}` },
    timeout: 300_000,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

// A warm cache hid a bug that broke every new machine: Maven's colour codes on stdout were glued to the
// printed path, so Kafka could not start from it. These runs use an empty cache (the CI guard of issue 21).
describe('install scripts on an empty cache', () => {
  const cache = mkdtempSync(join(tmpdir(), 'bookshelf-fresh-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('fetch-kafka.sh prints only the libs folder, and Kafka starts from it', { timeout: 300_000 }, () => {
    const first = run('fetch-kafka.sh', cache);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^\/[^\n]*\n$/);
    expect(first.stdout.includes('\u001b')).toBe(false);
    const libs = scriptResult('fetch-kafka.sh', first.stdout, kafkaLibsCheck);
    expect(existsSync(libs)).toBe(true);
    expect(readdirSync(libs).some((f) => f.startsWith('kafka-server-'))).toBe(true);
    const version = execFileSync('java', ['-cp', `${libs}/*`, 'kafka.tools.StorageTool', 'version'], {
      encoding: 'utf8',
    });
    expect(version).toMatch(/\(4\.1-/);

    // Idempotent: the second run answers from the cache with the same single line.
    const again = run('fetch-kafka.sh', cache);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(first.stdout);
  });

  it('ensure-tools.sh prints nothing on stdout', () => {
    const r = run('ensure-tools.sh', cache);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
  });
});
