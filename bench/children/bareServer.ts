/**
 * Child process of bench/http.ts: a bare fastify app whose GET / returns the JSON in BENCH_BODY (the same
 * document lastreadbooks returns), with no schema, no hooks, no logging. argv: <port>.
 */
import Fastify from 'fastify';

const body = process.env.BENCH_BODY ?? '[]';
const app = Fastify({ logger: false });
app.get('/', (_req, reply) => reply.type('application/json; charset=utf-8').send(body));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
const close = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', close);
process.on('SIGINT', close);
