import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AFTER_HEADER, POSITION_HEADER } from '../../../eventlib/index.js';
import { buildServer, problem } from '../../../restlib/index.js';
import { markWritten, readYourWrites } from '../../../platform/index.js';

describe('readYourWrites (fastify plugin) and markWritten', () => {
  it('makes every GET route wait for the caller token, documents the header, and leaves writes alone', async () => {
    const app = await buildServer({ name: 'view', logger: pino({ level: 'silent' }), docs: true });
    const seen: (string | undefined)[] = [];
    await app.register(readYourWrites, {
      catchUp: async (token) => {
        seen.push(token);
        if (token === 'too-far') throw problem(503, 'REST_ERR_UNAVAILABLE', 'not caught up');
      },
    });
    app.get('/items', () => ['a']);
    app.post('/items', (_req, reply) =>
      markWritten(reply, [{ topic: 't', partition: 0, offset: '7' }]).send({ ok: 1 }),
    );
    app.post('/noop', (_req, reply) => markWritten(reply, []).send({ ok: 1 }));
    await app.ready();

    expect((await app.inject({ url: '/items', headers: { [AFTER_HEADER]: 't/0/3' } })).json()).toEqual(['a']);
    expect((await app.inject({ url: '/items' })).statusCode).toBe(200);
    const far = await app.inject({ url: '/items', headers: { [AFTER_HEADER]: 'too-far' } });
    expect(far.statusCode).toBe(503);
    expect(far.headers['content-type']).toContain('application/problem+json');
    expect(seen).toEqual(['t/0/3', undefined, 'too-far']);

    const written = await app.inject({ method: 'POST', url: '/items' });
    expect(written.headers[POSITION_HEADER]).toBe('t/0/7');
    expect((await app.inject({ method: 'POST', url: '/noop' })).headers[POSITION_HEADER]).toBeUndefined();
    expect(seen).toHaveLength(3);

    const doc = (await app.inject({ url: '/docs/json' })).json<{
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    }>();
    expect(doc.paths['/items']!.get!.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: AFTER_HEADER, in: 'header' })]),
    );
    await app.close();
  });
});
