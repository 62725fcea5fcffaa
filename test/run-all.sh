#!/usr/bin/env bash
# The whole test run: type-check, lint, then unit + integration + e2e tests in one vitest run.
# Integration and e2e tests get real Kafka, Consul and Redis from test/setup/infra.global.ts
# (BOOKSHELF_INFRA=auto|external|docker|local; auto = external, then docker, then local processes).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/vitest.json
step() { echo "== $1 (at ${SECONDS}s)"; }
step "type-check"; npx tsc --noEmit
step "lint (eslint, then the import direction)"; npm run --silent lint
step "tests (the first run on a machine installs and builds Kafka, Consul and Redis: progress below)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
echo "== done in ${SECONDS}s"
