// The read side: each reader's progress, folded from the events topic and served over HTTP.
import type { Logger } from 'pino';
import type { EventBus } from 'bookshelf/eventlib';
import { startReadModel } from 'bookshelf/platform';
import { buildServer, problem, type RestApp } from 'bookshelf/restlib';
import { challengeRegistry, challengeWire, TOPICS } from './wire.js';

export interface Progress {
  reader: string;
  goal: number;
  books: number;
  completed: boolean;
}

export async function progressView(bus: EventBus, log: Logger): Promise<{ app: RestApp; stop(): Promise<void> }> {
  const progress = new Map<string, Progress>();
  const model = await startReadModel(bus, {
    topics: [TOPICS.events],
    group: 'challenge-progress',
    registry: challengeRegistry(),
    log,
    apply(envelope) {
      const event = challengeWire.event(envelope);
      if (!event) return false;
      const p = progress.get(event.reader);
      if (event.type === 'challenge-joined')
        progress.set(event.reader, { reader: event.reader, goal: event.goal, books: 0, completed: false });
      if (event.type === 'book-logged' && p) p.books = event.count;
      if (event.type === 'challenge-completed' && p) p.completed = true;
      return true;
    },
  });
  const app = await buildServer({ name: 'challenge-progress', logger: log, readiness: () => model.readiness() });
  app.get('/progress/:reader', async (req) => {
    const { reader } = req.params as { reader: string };
    await model.catchUp(undefined);
    const found = progress.get(reader);
    if (!found) throw problem(404, 'REST_ERR_NOT_FOUND', `${reader} has not joined the challenge`);
    return found;
  });
  return { app, stop: () => model.stop() };
}
