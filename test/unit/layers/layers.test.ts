import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Issue 14: the import direction (libraries <- platform <- domains <- gateway <- cli) is enforced by
 * dependency-cruiser (.dependency-cruiser.cjs, run by `npm run lint`). The repository passes; a tree laid out like
 * it, with one wrong import per file, fails with the rule each import breaks, and the same tree with the allowed
 * imports passes, so neither answer comes from a rule that matches nothing.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const run = promisify(execFile);

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** The violations dependency-cruiser reports for `paths` under `cwd` (its JSON report). */
async function cruise(cwd: string, paths: string[]): Promise<Violation[]> {
  const args = [DEPCRUISE, '--config', CONFIG, '--output-type', 'json', ...paths];
  const { stdout } = await run(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

/** Files every import below points at, as in the repository. */
const TARGETS = [
  'eventlib/index.ts',
  'eventlib/kafka/kafkaBus.ts',
  'discolib/index.ts',
  'restlib/index.ts',
  'platform/index.ts',
  'platform/config.ts',
  'aggregates/lending/contract.ts',
  'aggregates/lending/services.ts',
  'aggregates/lending/domain/index.ts',
  'aggregates/orders/contract.ts',
  'views/lending/services.ts',
  'views/lending/lendingViewService.ts',
  'gateway/service.ts',
  'cli/main.ts',
  'test/helpers/wait.ts',
];

/** [importing file, import, the rule it breaks] */
const WRONG: [string, string, string][] = [
  ['eventlib/memory/bus.ts', '../../platform/index.js', 'libraries-stay-below'],
  ['restlib/server.ts', '../eventlib/kafka/kafkaBus.js', 'libraries-through-barrels'],
  ['platform/readModel.ts', '../aggregates/lending/contract.js', 'platform-below-domains'],
  ['aggregates/orders/decide.ts', '../../platform/config.js', 'domains-through-the-platform-barrel'],
  ['aggregates/orders/saga/steps.ts', '../../../gateway/service.js', 'domains-below-gateway'],
  ['views/orders/view.ts', '../../cli/main.js', 'domains-below-gateway'],
  ['gateway/routes.ts', '../cli/main.js', 'gateway-below-cli'],
  ['aggregates/orders/lendingLink.ts', '../lending/domain/index.js', 'aggregates-meet-through-contracts'],
  ['views/orders/projection.ts', '../../aggregates/lending/domain/index.js', 'views-and-gateway-read-contracts'],
  ['gateway/lending.ts', '../aggregates/lending/services.js', 'views-and-gateway-read-contracts'],
  ['views/orders/peek.ts', '../lending/lendingViewService.js', 'views-stay-apart'],
  ['gateway/peek.ts', '../views/lending/services.js', 'views-stay-apart'],
  ['cli/commands/worker.ts', '../../aggregates/lending/domain/index.js', 'cli-through-contracts-and-services'],
  ['cli/services/view.ts', '../../views/lending/lendingViewService.js', 'cli-through-contracts-and-services'],
  ['aggregates/orders/testHook.ts', '../../test/helpers/wait.js', 'products-never-import-tests'],
  ['examples/challenge/wire.ts', '../../platform/config.js', 'examples-use-the-public-subpaths'],
  ['examples/challenge/view.ts', '../../aggregates/lending/contract.js', 'examples-use-the-public-subpaths'],
];

/** The same places importing what they may. */
const RIGHT: [string, string][] = [
  ['eventlib/memory/bus.ts', './../index.js'],
  ['restlib/server.ts', '../discolib/index.js'],
  ['platform/readModel.ts', '../eventlib/index.js'],
  ['aggregates/orders/decide.ts', '../../platform/index.js'],
  ['aggregates/orders/lendingLink.ts', '../lending/contract.js'],
  ['aggregates/lending/worker/run.ts', '../domain/index.js'],
  ['views/orders/projection.ts', '../../aggregates/orders/contract.js'],
  ['views/lending/model.ts', './lendingViewService.js'],
  ['gateway/lending.ts', '../aggregates/lending/contract.js'],
  ['cli/services/lending.ts', '../../aggregates/lending/services.js'],
  ['cli/services/view.ts', '../../views/lending/services.js'],
  ['cli/host/gateway.ts', '../../gateway/service.js'],
  ['examples/challenge/decider.ts', '../../platform/index.js'],
];

const dirs: string[] = [];
function tree(files: [string, string][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-layers-'));
  dirs.push(dir);
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  for (const target of TARGETS) write(target, 'export const x = 1;\n');
  for (const [file, spec] of files) write(file, `import { x } from '${spec}';\nexport const y = x;\n`);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TOP = ['eventlib', 'discolib', 'restlib', 'platform', 'aggregates', 'views', 'gateway', 'cli', 'examples'];

describe('the import direction (dependency-cruiser)', () => {
  it('holds in the repository', async () => {
    expect(await cruise(ROOT, TOP)).toEqual([]);
  });

  it('fails on each wrong import, naming the rule it breaks', async () => {
    const dir = tree(WRONG.map(([file, spec]) => [file, spec]));
    const violations = await cruise(dir, TOP);
    expect(violations).toHaveLength(WRONG.length);
    const found = violations.map((v) => `${v.from} -> ${relative('.', v.to)}: ${v.rule.name}`);
    for (const [file, spec, rule] of WRONG) {
      const to = join(dirname(file), spec).replace(/\.js$/, '.ts');
      expect(found).toContain(`${file} -> ${to}: ${rule}`);
    }
  });

  it('passes the same places importing what they may', async () => {
    const dir = tree(RIGHT);
    expect(await cruise(dir, TOP)).toEqual([]);
  });
});
