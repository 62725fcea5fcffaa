import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Writable } from 'node:stream';
import {
  ConfigError,
  createLogger,
  defaultLogFormat,
  loadConfig,
  type ConfigResult,
  type ServiceSpec,
} from '../../../restlib/index.js';

const spec: ServiceSpec = { defaults: { name: 'svc', id: 'svc1', tags: ['a'], port: 8080 } };
const ok = <C>(r: ConfigResult<C>): C => {
  if (r.kind !== 'config') throw new Error(`expected a config, got ${r.kind}`);
  return r.config;
};

// The generic loader: listen address, port, identity and log level for any service; the product's flags
// (transport, registry, topic) are the platform's (test/unit/platform/config.test.ts).
describe('restlib config loader (generic)', () => {
  it('knows only the service options, and says so for the product ones', () => {
    expect(ok(loadConfig(spec, { argv: [], env: {} }))).toEqual({
      name: 'svc',
      id: 'svc1',
      tags: ['a'],
      port: 8080,
      addr: '127.0.0.1',
      advertiseAddr: '127.0.0.1',
      logLevel: 'info',
      logFormat: defaultLogFormat(),
    });
    const r = loadConfig(spec, { argv: ['--broker', 'k:9092'], env: {} });
    expect(r.kind === 'error' && r.error.message).toBe("unknown option '--broker' (see --help)");
  });

  it('registers --advertise-addr, else --addr unless that is a wildcard, and never advertises a wildcard', () => {
    const advertised = (argv: string[], env: Record<string, string> = {}) =>
      ok(loadConfig(spec, { argv, env })).advertiseAddr;
    expect(advertised(['--addr', '10.1.2.3'])).toBe('10.1.2.3');
    expect(advertised(['--addr', '0.0.0.0'])).toBeUndefined();
    expect(advertised(['--addr', '::'])).toBeUndefined();
    expect(advertised(['--addr', '0.0.0.0', '--advertise-addr', 'newbook'])).toBe('newbook');
    expect(advertised([], { BOOKSHELF_ADDR: '0.0.0.0', BOOKSHELF_ADVERTISE_ADDR: '10.244.0.7' })).toBe('10.244.0.7');
    const r = loadConfig(spec, { argv: ['--advertise-addr', '0.0.0.0'], env: {} });
    expect(r.kind === 'error' && r.error.message).toBe(
      '--advertise-addr must be an address others can reach, not a wildcard (got "0.0.0.0" from --advertise-addr)',
    );
  });

  it('lets a caller refuse or drop raw values before validation and derive fields after it', () => {
    const withHooks = {
      ...spec,
      options: { mode: { flag: '--mode <m>', description: 'm', schema: z.enum(['a', 'b']) } },
    };
    const refused = loadConfig(
      withHooks,
      { argv: ['--mode', 'b'], env: {} },
      {
        prepare: (raw, sources) =>
          raw.mode === 'b'
            ? new ConfigError('REST_ERR_CONFIG_INVALID', `no b (from ${sources.mode!.label})`)
            : undefined,
      },
    );
    expect(refused.kind === 'error' && refused.error.message).toBe('no b (from --mode)');
    const derived = ok(
      loadConfig(withHooks, { argv: ['--mode', 'a'], env: {} }, { finish: (v) => ({ ...v, upper: 'A' }) }),
    );
    expect(derived).toMatchObject({ mode: 'a', upper: 'A' });
    expect(Object.isFrozen(derived)).toBe(true);
  });

  it('never shows a secret option in help defaults or error messages', () => {
    const secret = {
      ...spec,
      options: {
        token: {
          flag: '--token <t>',
          description: 'a token',
          schema: z.string().regex(/^\S+$/, 'must be a word'),
          secret: true,
          default: 'hidden-default',
        },
      },
    };
    const help = loadConfig(secret, { argv: ['--help'], env: {} });
    expect(help.kind === 'help' && help.text).not.toContain('hidden-default');
    const bad = loadConfig(secret, { argv: ['--token', 'two words'], env: {} });
    expect(bad.kind === 'error' && bad.error.message).toBe('--token must be a word');
  });
});

describe('--log-format json|pretty', () => {
  it('is pretty on a terminal and json otherwise, unless a flag or BOOKSHELF_LOG_FORMAT says', () => {
    expect(defaultLogFormat({ isTTY: true })).toBe('pretty');
    expect(defaultLogFormat({ isTTY: false })).toBe('json');
    expect(ok(loadConfig(spec, { argv: ['--log-format', 'pretty'], env: {} })).logFormat).toBe('pretty');
    expect(ok(loadConfig(spec, { argv: [], env: { BOOKSHELF_LOG_FORMAT: 'json' } })).logFormat).toBe('json');
    const bad = loadConfig(spec, { argv: ['--log-format', 'xml'], env: {} });
    expect(bad.kind === 'error' && bad.error.message).toMatch(/--log-format.*must be json or pretty/);
  });

  it('writes one readable line per entry when pretty, one JSON object when json', () => {
    const capture = () => {
      const lines: string[] = [];
      const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
      return { lines, stream };
    };
    const p = capture();
    createLogger({ name: 'svc', format: 'pretty', stream: p.stream }).info({ book: 'b1' }, 'lent');
    expect(p.lines.join('')).toMatch(/INFO.*lent/);
    expect(p.lines.join('')).toMatch(/book: "b1"/);
    expect(() => void JSON.parse(p.lines[0]!)).toThrow();
    const j = capture();
    createLogger({ name: 'svc', format: 'json', stream: j.stream }).info({ book: 'b1' }, 'lent');
    expect(JSON.parse(j.lines[0]!)).toMatchObject({ service: 'svc', book: 'b1', msg: 'lent' });
  });
});
