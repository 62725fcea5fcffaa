import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '../../../docker/stack/process.js';
import { manifestcheckBinaryCheck } from '../../../docker/stack/scriptResult.js';

// The deployment files are validated offline, with the libraries docker and kubectl use (no Docker engine, no
// cluster, no schema download): docker/tools/manifestcheck renders each kustomize overlay (krusty) and decodes
// every object strictly into the Kubernetes API types, loads compose.yaml per profile with compose-go, and
// parses the Dockerfile with BuildKit's parser and linter. The first run on a machine builds the tool through
// the Go module proxy (about 1.5 to 2.5 minutes on 2 cores); later runs take it from BOOKSHELF_CACHE.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'bookshelf-manifests-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let bin = '';
beforeAll(async () => {
  bin = await runScript(join(root, 'docker/local/build-manifestcheck.sh'), manifestcheckBinaryCheck);
}, 900_000);

function check(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(bin, args, { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A kustomization in a temp folder on top of one of ours, with `extra` (patches, resources) added. */
function overlayOn(name: string, base: string, extra: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const ref = relative(dir, join(root, base)); // kustomize refuses absolute paths to other kustomizations
  writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n  - ${ref}\n${extra}`);
  return dir;
}

/** compose.yaml copied to a temp folder (the build context pointed back at the repository), then edited. */
function composeWith(name: string, edit: (text: string) => string): string {
  const file = join(work, `${name}.yaml`);
  const text = readFileSync(join(root, 'docker/compose.yaml'), 'utf8').replace('context: ..', `context: ${root}`);
  const edited = edit(text);
  expect(edited, 'the edit must change the file').not.toBe(text);
  writeFileSync(file, edited);
  return file;
}

describe('the deployment files (docker/local/check-deploy.sh, as CI runs it)', () => {
  it('pass: the Dockerfile, every compose profile, the kustomize base and both overlays', () => {
    const r = spawnSync('bash', [join(root, 'docker/local/check-deploy.sh')], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('ok '))).toEqual([]);
    expect(lines.map((l) => l.slice(0, l.indexOf(':')).replace(/^ok\s+/, ''))).toEqual([
      'dockerfile docker/Dockerfile',
      'compose docker/compose.yaml --profile infra',
      'compose docker/compose.yaml --profile embedded',
      'compose docker/compose.yaml --profile kafka',
      'compose docker/compose.yaml --profile redis',
      'k8s deploy/k8s/base',
      'k8s deploy/k8s/overlays/kafka',
      'k8s deploy/k8s/overlays/redis',
    ]);
    // Every service of every domain, plus the infrastructure, is in each container profile and overlay.
    expect(lines.find((l) => l.includes('--profile kafka'))).toContain(': 18 services');
    expect(lines.find((l) => l.includes('overlays/redis'))).toMatch(/: \d+ objects rendered and decoded strictly/);
  });
});

describe('manifestcheck k8s fails on a broken manifest', () => {
  it('an unknown field, found by strict decoding into the API types', () => {
    const dir = overlayOn(
      'unknown-field',
      'deploy/k8s/overlays/kafka',
      `patches:
  - target: { kind: Deployment, name: gateway }
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/readinesProbe
        value: { httpGet: { path: /ready, port: http } }
`,
    );
    const r = check('k8s', dir);
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('strict decoding error: unknown field "spec.template.spec.containers[0].readinesProbe"');
  });

  it('a value of the wrong type, and a kind the API does not have', () => {
    mkdirSync(join(work, 'wrong-type'), { recursive: true });
    writeFileSync(
      join(work, 'wrong-type', 'extra.yaml'),
      'apiVersion: apps/v1\nkind: Deploymnet\nmetadata: { name: typo }\nspec: {}\n',
    );
    const dir = overlayOn(
      'wrong-type',
      'deploy/k8s/overlays/redis',
      `  - extra.yaml
patches:
  - target: { kind: Deployment, name: newbook }
    patch: |-
      - op: replace
        path: /spec/replicas
        value: two
`,
    );
    const r = check('k8s', dir);
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    expect(r.out).toContain('no kind "Deploymnet" is registered for version "apps/v1"');
  });

  it("Bookshelf's own rules: preStop, the grace period, probes, a Service port no container declares", () => {
    const dir = overlayOn(
      'rules',
      'deploy/k8s/overlays/kafka',
      `patches:
  - target: { kind: Deployment, name: newbook }
    patch: |-
      - op: remove
        path: /spec/template/spec/containers/0/lifecycle
  - target: { kind: Deployment, name: booklist }
    patch: |-
      - op: replace
        path: /spec/template/spec/terminationGracePeriodSeconds
        value: 10
      - op: replace
        path: /spec/template/spec/containers/0/readinessProbe/httpGet/path
        value: /health
  - target: { kind: Service, name: lending }
    patch: |-
      - op: replace
        path: /spec/ports/0/targetPort
        value: web
`,
    );
    const r = check('k8s', dir);
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('Deployment newbook container bookshelf: lifecycle.preStop must sleep');
    expect(r.out).toContain('terminationGracePeriodSeconds 10 must be above preStop 5s');
    expect(r.out).toContain('Deployment booklist container bookshelf: readinessProbe must be an HTTP GET of /ready');
    expect(r.out).toContain('Service lending: port http targets web, which Deployment lending does not declare');
  });
});

describe('manifestcheck compose fails on a broken compose file', () => {
  it('a key the compose spec does not have', () => {
    const file = composeWith('bad-key', (t) => t.replace('  redis:\n    image:', '  redis:\n    imagee:'));
    const r = check('compose', file, 'infra');
    expect(r.status, r.out).toBe(1);
    expect(r.out).toMatch(/services\.redis.*imagee|imagee.*services\.redis/);
  });

  it('a port published on every interface, a wrong advertised name, a dependency outside the profile', () => {
    const file = composeWith('rules', (t) =>
      t
        .replace("ports: ['127.0.0.1:9092:9092']", "ports: ['9092:9092']")
        .replace('BOOKSHELF_ADVERTISE_ADDR: kafka-newbook', 'BOOKSHELF_ADVERTISE_ADDR: newbook')
        .replace('BOOKSHELF_BROKER: kafka:19092', 'BOOKSHELF_BROKER: broker:19092'),
    );
    const r = check('compose', file, 'kafka');
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain(
      'service kafka: port 9092 is published on every interface, not on the loopback only (127.0.0.1:9092:9092)',
    );
    expect(r.out).toContain("BOOKSHELF_ADVERTISE_ADDR=newbook is not this service's name on the compose network");
    expect(r.out).toContain('BOOKSHELF_BROKER=broker:19092 names "broker", which is not a service of this profile');
  });
});

describe('manifestcheck dockerfile fails on a broken Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
  const broken = (name: string, edit: (t: string) => string) => {
    const file = join(work, name);
    const edited = edit(dockerfile);
    expect(edited, 'the edit must change the file').not.toBe(dockerfile);
    writeFileSync(file, edited);
    return check('dockerfile', file);
  };

  it('an unknown instruction', () => {
    const r = broken('Dockerfile.typo', (t) => t.replace('RUN npm run build', 'RUNN npm run build'));
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('unknown instruction: RUNN');
  });

  it('a lint warning, and a runtime stage that runs as root', () => {
    const r = broken('Dockerfile.root', (t) =>
      t.replace(' AS build', ' as build').replace('USER 1000:1000', 'USER root'),
    );
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('lint FromAsCasing');
    expect(r.out).toContain('runs as root');
  });
});
