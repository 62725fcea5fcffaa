import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../restlib/index.js';
import { GATEWAY_SERVICE } from '../../../cli/services/gateway.js';
import { gatewaySecurity, loadGatewaySecurity, securityLines } from '../../../gateway/service.js';

const dir = mkdtempSync(join(tmpdir(), 'bookshelf-security-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const KEY = 'k3y-0f-the-ci-j0b-8c1f0e2a9b7d';
const ENV_KEY = 'env-key-of-the-docs-team-0042';

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a failure');
};

describe('gateway security settings (flags, env, files)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads keys from --api-keys-file and BOOKSHELF_API_KEYS; the banner says how many and from where', async () => {
    const keysFile = file('keys.txt', `# the shop's keys\nci:${KEY}\n\n`);
    const s = await loadGatewaySecurity({ apiKeysFile: keysFile, apiKeys: `docs:${ENV_KEY}` });
    expect(s.apiKeys).toEqual([
      { name: 'ci', key: KEY },
      { name: 'docs', key: ENV_KEY },
    ]);
    const [auth, session] = securityLines(s);
    expect(auth).toBe(
      `API keys: on (2 keys from --api-keys-file ${keysFile} and BOOKSHELF_API_KEYS): writes and admin routes need Authorization: Bearer <key>`,
    );
    expect(auth).not.toContain(KEY);
    expect(session).toMatch(/a key made at start: library logins end at restart/);
  });

  it('nothing configured: open, one line saying so, and a session key of this process', () => {
    expect(securityLines(gatewaySecurity())).toEqual([
      'API keys: off (every write is open; --api-keys-file to require them)',
      'Sessions: a key made at start: library logins end at restart (--session-key-file keeps them)',
    ]);
  });

  it('a bad keys file is a one-line config error that names the file and never a key', async () => {
    const missing = await failure(loadGatewaySecurity({ apiKeysFile: join(dir, 'nope.txt') }));
    expect(missing.message).toMatch(/--api-keys-file .*nope.txt: ENOENT/);
    const empty = await failure(loadGatewaySecurity({ apiKeysFile: file('empty.txt', '# nothing yet\n') }));
    expect(empty.message).toMatch(/has no key \(every write would be open\)/);
    const short = await failure(loadGatewaySecurity({ apiKeysFile: file('short.txt', `ci:${KEY}\nops:tooshort\n`) }));
    expect(short.message).toMatch(/entry 2: a key needs at least 16 characters/);
    expect(short.message).not.toContain('tooshort');
    expect((short as { exitCode?: number }).exitCode).toBe(2);
  });

  it('session keys from --session-key-file (raw, base64 lines: the first seals) or BOOKSHELF_SESSION_KEY', async () => {
    const raw = randomBytes(32);
    const fromRaw = await loadGatewaySecurity({ sessionKeyFile: file('raw.key', raw) });
    expect(fromRaw.sessionKeys).toEqual([raw]);
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    const lines = file(
      'keys.b64',
      `${k1.toString('base64')}\n# the previous key, still opening\n${k2.toString('hex')}\n`,
    );
    const fromLines = await loadGatewaySecurity({ sessionKeyFile: lines });
    expect(fromLines.sessionKeys).toEqual([k1, k2]);
    expect(securityLines(fromLines)[1]).toBe(
      `Sessions: library logins are encrypted cookies, key from --session-key-file ${lines}`,
    );
    const fromEnv = await loadGatewaySecurity({ sessionKey: k1.toString('base64') });
    expect(fromEnv.sessionKeys).toEqual([k1]);
    expect(fromEnv.sessionKeyFrom).toBe('BOOKSHELF_SESSION_KEY');
    const bad = await failure(loadGatewaySecurity({ sessionKey: 'too-short' }));
    expect(bad.message).toMatch(/BOOKSHELF_SESSION_KEY must be 32 bytes as base64 or hex/);
    expect(bad.message).not.toContain('too-short');
  });

  it('JWT: a secret file or a public key file, issuer and audience; both files or claims alone are refused', async () => {
    const secret = file('jwt.secret', 'a-shared-hmac-secret-of-the-identity-provider-0123\n');
    const s = await loadGatewaySecurity({ jwtSecretFile: secret, jwtIssuer: ['https://id.example'] });
    expect(s.jwt?.secret?.toString()).toBe('a-shared-hmac-secret-of-the-identity-provider-0123');
    expect(s.jwt?.issuer).toEqual(['https://id.example']);
    expect(securityLines(s)[0]).toMatch(
      /^API keys: on \(JWTs signed with --jwt-secret-file from https:\/\/id.example\)/,
    );
    expect((await failure(loadGatewaySecurity({ jwtSecretFile: file('weak', 'short') }))).message).toMatch(/32 bytes/);
    expect((await failure(loadGatewaySecurity({ jwtPublicKeyFile: file('nopem', 'abc') }))).message).toMatch(
      /not a PEM/,
    );
    expect((await failure(loadGatewaySecurity({ jwtSecretFile: secret, jwtPublicKeyFile: secret }))).message).toMatch(
      /not both/,
    );
    expect((await failure(loadGatewaySecurity({ jwtAudience: ['x'] }))).message).toMatch(/need --jwt-secret-file/);
  });

  it('the gateway takes the flags and env vars; --help never shows a key', () => {
    const spec = GATEWAY_SERVICE.spec;
    const loaded = loadConfig(spec, {
      argv: ['--api-keys-file', '/etc/bookshelf/keys', '--jwt-audience', 'bookshelf', 'shop'],
      env: { BOOKSHELF_API_KEYS: KEY, BOOKSHELF_SESSION_KEY: 'x'.repeat(40) },
    });
    expect(loaded.kind).toBe('config');
    const c = (loaded as { config: Record<string, unknown> }).config;
    expect(c.apiKeysFile).toBe('/etc/bookshelf/keys');
    expect(c.apiKeys).toBe(KEY);
    expect(c.jwtAudience).toEqual(['bookshelf', 'shop']);
    expect(c.sessionKey).toBe('x'.repeat(40));
    const help = loadConfig(spec, { argv: ['--help'], env: { BOOKSHELF_API_KEYS: KEY } });
    expect(help.kind === 'help' && help.text).toContain('--api-keys-file <path>');
    expect(help.kind === 'help' && help.text).not.toContain(KEY);
  });
});
