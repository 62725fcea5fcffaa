import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReadyServer {
  address: string;
  port: number;
  /** Whether `GET /ready` answers 200 (true) or 503 (false). */
  setReady(ready: boolean): void;
  /** How many times `/ready` was probed. */
  readonly probes: number;
  close(): Promise<void>;
}

/** A tiny HTTP server whose `/ready` the test switches between 200 and 503 (the health check target). */
export async function startReadyServer(ready = true): Promise<ReadyServer> {
  let isReady = ready;
  let probes = 0;
  const server = createServer((req, res) => {
    if (req.url === '/ready') probes++;
    const status = req.url === '/ready' ? (isReady ? 200 : 503) : req.url === '/health' ? 200 : 404;
    res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' }).end(String(status));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: '127.0.0.1',
    port,
    setReady: (r) => void (isReady = r),
    get probes() {
      return probes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
