import { execFile } from 'node:child_process';
import { request, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { runScript } from '../../../docker/stack/process.js';
import { schemathesisBinaryCheck } from '../../../docker/stack/scriptResult.js';
import { startCli, stopAllCli, waitForReady } from '../../helpers/processes.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const noInfra = { KAFKA_BROKERS: '', REDIS_URL: '', CONSUL_HTTP_ADDR: '', BOOKSHELF_INFRA: '' };

interface Media {
  schema?: { $ref?: string; examples?: unknown[] };
  example?: unknown;
}
interface Operation {
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}
interface Doc {
  info: { version: string };
  components: { schemas: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
}

/**
 * Issue 16, points 4 and 5: the gateway's OpenAPI document says every answer an operation gives (problem+json
 * errors through one `Problem` schema), a typed client generated from it compiles, and schemathesis finds no
 * server error and no answer the document does not describe.
 */
describe('the gateway OpenAPI document (bookshelf start)', () => {
  let gw = '';
  let doc: Doc;
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-openapi-'));

  beforeAll(async () => {
    const port = await freePort();
    const platform = startCli(['start', '--port', String(port)], noInfra);
    gw = `http://127.0.0.1:${port}`;
    await waitForReady(`${gw}/ready`, platform);
    doc = (await (await fetch(`${gw}/docs/json`)).json()) as Doc;
  });
  afterAll(async () => {
    await stopAllCli();
    rmSync(dir, { recursive: true, force: true });
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
    );

  it('documents success and problem+json answers, with examples, under the package version', () => {
    expect(doc.info.version).toBe(VERSION);
    expect(Object.keys(doc.components.schemas)).toEqual(['Problem']);
    const missing: string[] = [];
    for (const { name, op } of operations()) {
      const statuses = Object.keys(op.responses);
      const success = statuses.filter((s) => s.startsWith('2'));
      if (success.length === 0) missing.push(`${name}: no 2xx answer`);
      for (const s of success) {
        const media = op.responses[s]!.content;
        if (media && !Object.values(media).some((m) => m.schema)) missing.push(`${name} ${s}: no schema`);
      }
      for (const s of statuses.filter((x) => Number(x) >= 400)) {
        const problem = op.responses[s]!.content?.['application/problem+json'];
        if (problem?.schema?.$ref !== '#/components/schemas/Problem') missing.push(`${name} ${s}: not Problem`);
      }
      if (!statuses.includes('400') || !statuses.includes('500')) missing.push(`${name}: 400/500 undocumented`);
      const examples = [
        ...Object.values(op.requestBody?.content ?? {}),
        ...success.flatMap((s) => Object.values(op.responses[s]!.content ?? {})),
      ].filter((m) => m.example !== undefined || (m.schema?.examples?.length ?? 0) > 0);
      // 204 has no body to give an example of; /health and /ready are restlib's probes.
      const bodiless = success.every((x) => x === '204') && !op.requestBody;
      const probe = name === 'GET /health' || name === 'GET /ready';
      if (examples.length === 0 && !bodiless && !probe) missing.push(`${name}: no example`);
    }
    expect(missing).toEqual([]);
  });

  it('answers a wrong method 405 with Allow, and an overlong path segment 414, both problem+json', async () => {
    // fetch refuses TRACE, so a plain node:http request.
    const ask = (method: string) =>
      new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const req = request(`${gw}/customers`, { method }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    for (const method of ['TRACE', 'PATCH', 'QUERY']) {
      const res = await ask(method);
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD, POST');
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect((JSON.parse(res.body) as { code: string }).code).toBe('REST_ERR_METHOD_NOT_ALLOWED');
    }
    const long = await fetch(`${gw}/customer/${'a'.repeat(2000)}`);
    expect(long.status).toBe(414);
    expect(long.headers.get('content-type')).toContain('application/problem+json');
    expect(((await long.json()) as { code: string }).code).toBe('REST_ERR_URI_TOO_LONG');
    const bad = await fetch(`${gw}/customer/%zz`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('REST_ERR_BAD_REQUEST');
  });

  it('yields a typed client (openapi-typescript) that compiles against the document', async () => {
    writeFileSync(join(dir, 'api.ts'), astToString(await openapiTS(doc as never)));
    writeFileSync(
      join(dir, 'client.ts'),
      `import type { components, paths } from './api.js';
type Customers = paths['/customers']['get']['responses'][200]['content']['application/json'];
type NewCustomer = paths['/customers']['post']['requestBody']['content']['application/json'];
type Problem = components['schemas']['Problem'];
type Report = paths['/report']['get']['responses'][200]['content']['application/json'];
export async function addCustomer(base: string, body: NewCustomer): Promise<string[] | Problem> {
  const res = await fetch(base + '/customers', { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as string[] | Problem;
}
export const first = (list: Customers): unknown => list[0]?.['name'];
export const accounts = (r: Report): number => r.accounts.reduce((sum, a) => sum + a.balance, 0);
export const code = (p: Problem): string => p.code;
void addCustomer('http://x', { name: 'Ann', email: 'ann@example.com' });
`,
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--noUncheckedIndexedAccess', '--target', 'es2022', '--module', 'nodenext'];
    await expect(
      run(process.execPath, [tsc, ...args, '--lib', 'es2022,dom', join(dir, 'client.ts')]).catch(
        (err: { stdout?: string; message?: string }) => {
          throw new Error(`tsc failed:\n${err.stdout ?? err.message}`);
        },
      ),
    ).resolves.toBeDefined();
  }, 60_000);

  it('schemathesis finds no server error and no undocumented answer (about 150 cases per operation)', async () => {
    const st = await runScript(join(ROOT, 'docker/local/ensure-schemathesis.sh'), schemathesisBinaryCheck);
    // Demo data first, so ids such as 101 and 201 exist and writes reach the domain's rules.
    expect((await fetch(`${gw}/init-data`, { method: 'POST' })).status).toBe(200);
    const config = join(ROOT, 'test/e2e/platform/schemathesis.toml');
    const result = await run(st, ['--config-file', config, 'run', `${gw}/docs/json`, '--no-color'], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 280_000,
    }).catch((err: { stdout?: string; stderr?: string; code?: number; message?: string }) => ({
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? err.message ?? '',
      failed: err.code ?? 1,
    }));
    const summary = result.stdout.slice(result.stdout.lastIndexOf('SUMMARY') - 40);
    console.log(summary);
    expect('failed' in result ? result.stdout.slice(-20_000) + result.stderr : '').toBe('');
    expect(summary).toMatch(/Tested: (\d+)/);
  }, 320_000);
});
