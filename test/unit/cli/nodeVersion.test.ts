import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkNodeVersion, satisfies, supportedNodeRange } from '../../../cli/host/nodeVersion.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
};

describe('checkNodeVersion', () => {
  it("reads package.json's engines.node, so the check and the manifest cannot drift", () => {
    expect(supportedNodeRange()).toBe(pkg.engines.node);
    expect(pkg.engines.node).toBe('^20.19 || >=22.12');
  });

  it('accepts 20.19 and later 20.x, and 22.12 and later', () => {
    for (const v of ['20.19.0', '20.19.5', '20.20.2', '22.12.0', '22.14.1', '23.0.0', '24.0.0', '24.11.1', '26.1.0']) {
      expect(checkNodeVersion(v), v).toBeUndefined();
    }
  });

  it('refuses 18.x, 20.18 and older 20.x, 21.x and 22 before 22.12, in one line naming the range', () => {
    for (const v of ['18.20.4', '20.0.0', '20.18.0', '20.18.3', '21.7.3', '22.0.0', '22.11.0']) {
      expect(checkNodeVersion(v), v).toBe(`Node ${v} is not supported: use Node ^20.19 or >=22.12`);
    }
  });

  it('ignores a leading v and a pre-release tag, and refuses what is not a version', () => {
    expect(checkNodeVersion('v20.19.0')).toBeUndefined();
    expect(checkNodeVersion('22.12.0-nightly20241201abc')).toBeUndefined();
    expect(checkNodeVersion('soon')).toBe('Node soon is not supported: use Node ^20.19 or >=22.12');
  });
});

describe('satisfies (the engines subset: ||, ^, >=, >, <=, <)', () => {
  it('ands the comparators of one alternative and ors the alternatives', () => {
    expect(satisfies('20.5.0', '>=20.3 <20.6')).toBe(true);
    expect(satisfies('20.6.0', '>=20.3 <20.6')).toBe(false);
    expect(satisfies('19.0.0', '>18 <=19')).toBe(true);
    expect(satisfies('18.0.0', '>18 || ^17')).toBe(false);
    expect(satisfies('17.9.9', '>18 || ^17')).toBe(true);
  });

  it('throws on syntax it does not know rather than guess', () => {
    expect(() => satisfies('20.19.0', '~20.19')).toThrow(/unsupported Node version range "~20.19"/);
    expect(() => satisfies('20.19.0', '20.x')).toThrow(/unsupported/);
  });
});
