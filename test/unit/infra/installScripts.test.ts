import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  consulBinaryCheck,
  kafkaLibsCheck,
  manifestcheckBinaryCheck,
  schemathesisBinaryCheck,
  scriptResult,
} from '../../../docker/stack/scriptResult.js';

// The install scripts' stdout is read as a value; whatever the tools they drive print (Maven's colour codes,
// go's chatter) must go to stderr. These runs put noisy stand-ins for mvn and go first on PATH, so the plumbing
// is checked in seconds; test/integration/smoke/fresh-cache.int.test.ts runs the real Maven download.
const scripts = fileURLToPath(new URL('../../../docker/local/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'bookshelf-scripts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tool(bin: string, name: string, body: string): void {
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

function run(script: string, bin: string, cache: string) {
  return spawnSync('bash', [join(scripts, script)], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, BOOKSHELF_CACHE: cache, GOPATH: join(cache, 'go') },
    timeout: 60_000,
  });
}

describe('fetch-kafka.sh', () => {
  it('prints the libs folder alone while Maven prints colour codes on stdout', () => {
    const bin = join(root, 'mvn-bin');
    tool(
      bin,
      'mvn',
      `printf '\\e[0m\\e[0m[INFO] BUILD SUCCESS\\n'; echo 'maven noise on stderr' >&2
for a in "$@"; do case "$a" in -DoutputDirectory=*) out="\${a#-DoutputDirectory=}";; esac; done
mkdir -p "$out" && touch "$out/kafka-server-4.1.1.jar"`,
    );
    const cache = join(root, 'cache-kafka');
    const first = run('fetch-kafka.sh', bin, cache);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${cache}/kafka-4.1.1/libs\n`);
    expect(first.stderr).toContain('maven noise on stderr');
    expect(first.stderr).toContain('[INFO] BUILD SUCCESS');
    expect(first.stderr.includes('\u001b'), 'colour codes are stripped from Maven output').toBe(false);
    expect(scriptResult('fetch-kafka.sh', first.stdout, kafkaLibsCheck)).toBe(`${cache}/kafka-4.1.1/libs`);
    // From the cache: the same single line, Maven not run.
    tool(bin, 'mvn', 'echo "mvn must not run again"; exit 1');
    expect(run('fetch-kafka.sh', bin, cache).stdout).toBe(first.stdout);
  });
});

describe('build-consul.sh', () => {
  it('prints the binary path alone while go prints on stdout and stderr', () => {
    const bin = join(root, 'go-bin');
    tool(
      bin,
      'go',
      `echo "go noise on stdout"
case "$1" in
  get) for i in $(seq 1 120); do echo "go: downloading example.com/m$i v1.0.0" >&2; done ;;
  build) for a in "$@"; do [ "$prev" = -o ] && out="$a"; prev="$a"; done
         printf '#!/bin/sh\\necho "Consul v1.19.2"\\n' > "$out"; chmod +x "$out" ;;
esac`,
    );
    const cache = join(root, 'cache-consul');
    const first = run('build-consul.sh', bin, cache);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${cache}/consul-v1.19.2/consul\n`);
    expect(first.stderr).toContain('100 modules downloaded');
    expect(first.stderr).toContain('consul built in');
    expect(scriptResult('build-consul.sh', first.stdout, consulBinaryCheck)).toBe(`${cache}/consul-v1.19.2/consul`);
    tool(bin, 'go', 'echo "go must not run again"; exit 1');
    expect(run('build-consul.sh', bin, cache).stdout).toBe(first.stdout);
  });
});

describe('build-manifestcheck.sh', () => {
  it('prints the binary path alone while go prints on stdout and stderr, and builds once', () => {
    const bin = join(root, 'go-mc-bin');
    tool(
      bin,
      'go',
      `echo "go noise on stdout"
case "$1" in
  mod) echo "go: downloading sigs.k8s.io/kustomize/api v0.21.2" >&2 ;;
  build) for a in "$@"; do [ "$prev" = -o ] && out="$a"; prev="$a"; done
         printf '#!/bin/sh\\necho "manifestcheck (go1.26.8; stand-in)"\\n' > "$out"; chmod +x "$out" ;;
esac`,
    );
    const cache = join(root, 'cache-manifestcheck');
    const first = run('build-manifestcheck.sh', bin, cache);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^${cache}/manifestcheck-[0-9a-f]{12}/manifestcheck\\n$`));
    expect(first.stderr).toContain('go noise on stdout');
    expect(first.stderr).toContain('manifestcheck built in');
    expect(scriptResult('build-manifestcheck.sh', first.stdout, manifestcheckBinaryCheck)).toBe(first.stdout.trim());
    tool(bin, 'go', 'echo "go must not run again"; exit 1');
    expect(run('build-manifestcheck.sh', bin, cache).stdout).toBe(first.stdout);
  });
});

describe('ensure-schemathesis.sh', () => {
  it('prints the binary path alone while pip prints on stdout, and installs once', () => {
    const bin = join(root, 'python-bin');
    // A stand-in python3 whose `-m venv DIR` makes a pip that chatters on stdout and installs a schemathesis.
    const standIn = join(root, 'schemathesis-stand-in');
    tool(standIn, 'schemathesis', 'echo "schemathesis, version 4.32.5"');
    tool(
      bin,
      'python3',
      `[ "$1 $2" = "-m venv" ] || exit 3
mkdir -p "$3/bin"
printf '#!/usr/bin/env bash\\necho "Collecting schemathesis (pip noise on stdout)"\\ncp "%s/schemathesis" "%s/bin/"\\n' "${standIn}" "$3" > "$3/bin/pip"
chmod +x "$3/bin/pip"`,
    );
    const cache = join(root, 'cache-schemathesis');
    const first = run('ensure-schemathesis.sh', bin, cache);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${cache}/schemathesis-4.32.5/venv/bin/schemathesis\n`);
    expect(first.stderr).toContain('pip noise on stdout');
    expect(scriptResult('ensure-schemathesis.sh', first.stdout, schemathesisBinaryCheck)).toBe(first.stdout.trim());
    tool(bin, 'python3', 'echo "python3 must not run again"; exit 1');
    expect(run('ensure-schemathesis.sh', bin, cache).stdout).toBe(first.stdout);
  });
});

describe('ensure-tools.sh', () => {
  it('prints nothing on stdout when every tool is there', () => {
    const r = run('ensure-tools.sh', join(root, 'none'), join(root, 'cache-tools'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
  });
});
