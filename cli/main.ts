#!/usr/bin/env node
// The Node version check comes first and alone: everything else (fastify, the bus clients, the services) is
// imported only once it passed, so an unsupported Node gets one line instead of an ERR_REQUIRE_ESM stack trace.
import { checkNodeVersion } from './host/nodeVersion.js';

/** One clear line and a non-zero exit: the contract of every bookshelf command. */
function fail(err: unknown): never {
  const e = err as { message?: string; exitCode?: number };
  console.error(`bookshelf: ${String(e.message ?? err).split('\n')[0]}`);
  process.exit(typeof e.exitCode === 'number' && e.exitCode > 0 ? e.exitCode : 1);
}

const unsupported = checkNodeVersion(process.versions.node);
if (unsupported) fail(new Error(unsupported));

import('./program.js').then(({ runCli }) => runCli(process.argv.slice(2))).catch(fail);
