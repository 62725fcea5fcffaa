import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { infra, infraMode } from '../../setup/infra.js';
import { uniqueName } from '../../helpers/wait.js';

describe('smoke: real Redis server', () => {
  const client = createClient({ url: infra().redisUrl });
  afterAll(async () => {
    if (client.isOpen) await client.quit();
  });

  it('round-trips XADD / XREADGROUP / XACK through a consumer group', async () => {
    await client.connect();
    const stream = uniqueName('smoke');
    await client.xGroupCreate(stream, 'g', '0', { MKSTREAM: true });
    const id = await client.xAdd(stream, '*', { event: 'hello' });

    const read = (await client.xReadGroup('g', 'c1', { key: stream, id: '>' }, { COUNT: 10 })) as
      { name: string; messages: { id: string; message: Record<string, string> }[] }[] | null;
    expect(read?.[0]?.messages).toEqual([{ id, message: { event: 'hello' } }]);
    expect((await client.xPending(stream, 'g')).pending).toBe(1);

    expect(await client.xAck(stream, 'g', id)).toBe(1);
    expect((await client.xPending(stream, 'g')).pending).toBe(0);
  });

  // Redis is the log on this transport: the servers the run starts keep an append-only file (SPEC §3).
  it.skipIf(infraMode() === 'external')('runs with AOF persistence, fsync every second', async () => {
    if (!client.isOpen) await client.connect();
    expect(await client.configGet('appendonly')).toEqual({ appendonly: 'yes' });
    expect(await client.configGet('appendfsync')).toEqual({ appendfsync: 'everysec' });
  });
});
