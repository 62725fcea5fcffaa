import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  consulBinaryCheck,
  kafkaLibsCheck,
  manifestcheckBinaryCheck,
  scriptResult,
} from '../../../docker/stack/scriptResult.js';

const dir = mkdtempSync(join(tmpdir(), 'bookshelf-result-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the value an install script printed', () => {
  it('is its last non-empty line', () => {
    expect(scriptResult('x.sh', '/a/b\n')).toBe('/a/b');
    expect(scriptResult('x.sh', 'noise\n/a/b\n\n')).toBe('/a/b');
  });

  it('is refused, quoted, when it carries colour codes', () => {
    const out = '\u001b[0m\u001b[0m/home/u/.cache/bookshelf/kafka-4.1.1/libs\n';
    expect(() => scriptResult('fetch-kafka.sh', out)).toThrow(
      'fetch-kafka.sh printed "\\u001b[0m\\u001b[0m/home/u/.cache/bookshelf/kafka-4.1.1/libs" as its result: it contains control characters',
    );
  });

  it('is refused when empty or not an absolute path', () => {
    expect(() => scriptResult('x.sh', '')).toThrow('x.sh printed "" as its result: expected a path on stdout');
    expect(() => scriptResult('x.sh', 'BUILD SUCCESS\n')).toThrow(
      '"BUILD SUCCESS" as its result: expected an absolute path',
    );
  });

  it('runs the check and quotes the value it refused', () => {
    expect(() => scriptResult('fetch-kafka.sh', `${dir}/missing\n`, kafkaLibsCheck)).toThrow(
      `fetch-kafka.sh printed "${dir}/missing" as its result: no such folder`,
    );
  });
});

describe('kafkaLibsCheck', () => {
  it('wants a folder with a kafka-server jar', () => {
    const libs = join(dir, 'libs');
    mkdirSync(libs);
    expect(kafkaLibsCheck(libs)).toBe('the folder holds no kafka-server jar');
    writeFileSync(join(libs, 'kafka-server-4.1.1.jar'), '');
    expect(kafkaLibsCheck(libs)).toBeUndefined();
  });
});

describe('consulBinaryCheck', () => {
  const bin = (name: string, body: string, mode = 0o755) => {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, mode);
    return p;
  };

  it('wants an executable that answers "consul version"', () => {
    expect(consulBinaryCheck(bin('good', 'echo "Consul v1.19.2"'))).toBeUndefined();
    expect(consulBinaryCheck(join(dir, 'none'))).toBe('no such file');
    expect(consulBinaryCheck(bin('plain', 'echo', 0o644))).toBe('the file is not executable');
    expect(consulBinaryCheck(bin('other', 'echo hello'))).toMatch(/version" printed "hello"/);
    expect(consulBinaryCheck(bin('broken', 'exit 3'))).toMatch(/version" failed/);
  });
});

describe('manifestcheckBinaryCheck', () => {
  const bin = (name: string, body: string, mode = 0o755) => {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, mode);
    return p;
  };

  it('wants an executable whose "version" names the tool and its libraries', () => {
    const good = bin('mc-good', 'echo "manifestcheck (go1.26.8; sigs.k8s.io/kustomize/api v0.21.2)"');
    expect(manifestcheckBinaryCheck(good)).toBeUndefined();
    expect(scriptResult('build-manifestcheck.sh', `go noise\n${good}\n`, manifestcheckBinaryCheck)).toBe(good);
    expect(manifestcheckBinaryCheck(join(dir, 'mc-none'))).toBe('no such file');
    expect(manifestcheckBinaryCheck(bin('mc-plain', 'echo', 0o644))).toBe('the file is not executable');
    // A Consul binary (or anything else) printed where the validator was expected.
    expect(manifestcheckBinaryCheck(bin('mc-other', 'echo "Consul v1.19.2"'))).toMatch(
      /mc-other version" printed "Consul v1.19.2"/,
    );
    expect(manifestcheckBinaryCheck(bin('mc-broken', 'exit 3'))).toMatch(/mc-broken version" failed/);
    expect(() =>
      scriptResult('build-manifestcheck.sh', '\u001b[0m/tmp/manifestcheck\n', manifestcheckBinaryCheck),
    ).toThrow('it contains control characters');
  });
});
