/* global process, fetch, AbortSignal, console */
// The image's HEALTHCHECK (and compose's): GET a path (default /health) of the service in this container, on
// BOOKSHELF_PORT (default 8000) at BOOKSHELF_ADDR, or the loopback when that is a wildcard. Exit 0 when it
// answers 2xx within 2 s, 1 otherwise. Plain Node, no curl in the image.
const path = process.argv[2] ?? '/health';
const port = process.env.BOOKSHELF_PORT || '8000';
const addr = process.env.BOOKSHELF_ADDR || '127.0.0.1';
const host = ['0.0.0.0', '::', '[::]'].includes(addr)
  ? '127.0.0.1'
  : addr.includes(':') && !addr.startsWith('[')
    ? `[${addr}]`
    : addr;
try {
  const res = await fetch(`http://${host}:${port}${path}`, { signal: AbortSignal.timeout(2000) });
  process.exitCode = res.ok ? 0 : 1;
} catch (err) {
  console.error(`healthcheck: ${path} on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
