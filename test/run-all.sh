#!/usr/bin/env bash
# The whole test run: type-check, lint, then unit + integration + e2e tests in one vitest run.
# Integration and e2e tests get real Kafka, Consul and Redis from test/setup/infra.global.ts
# (BOOKSHELF_INFRA=auto|external|docker|local; auto = external, then docker, then local processes).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/vitest.json
echo "== type-check"; npx tsc --noEmit
echo "== lint (eslint, then the import direction)"; npm run --silent lint
echo "== tests"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
