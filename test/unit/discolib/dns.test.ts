import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { isDiscoError, resolveSrv } from '../../../discolib/index.js';

describe('discolib resolveSrv (no Consul needed)', () => {
  let silent: Socket | undefined;
  afterEach(() => silent?.close());

  it('rejects an empty name, empty tags and tags DNS cannot carry', async () => {
    const invalid = (p: Promise<unknown>) => expect(p).rejects.toSatisfy((e) => isDiscoError(e, 'DISCO_ERR_INVALID'));
    await invalid(resolveSrv(''));
    await invalid(resolveSrv('books', { tags: [] }));
    await invalid(resolveSrv('books', { tags: ['a.b'] }));
  });

  it('a DNS server that never answers -> DISCO_ERR_TIMEOUT (retriable)', async () => {
    silent = createSocket('udp4'); // bound, reads nothing, answers nothing
    await new Promise<void>((r) => silent!.bind(0, '127.0.0.1', r));
    const port = silent.address().port;
    const err: unknown = await resolveSrv('books', { port, timeoutMs: 100 }).catch((e: unknown) => e);
    expect(isDiscoError(err, 'DISCO_ERR_TIMEOUT')).toBe(true);
    expect((err as { retriable: boolean }).retriable).toBe(true);
  });
});
