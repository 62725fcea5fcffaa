#!/usr/bin/env bash
# Validates docker/Dockerfile, docker/compose.yaml (every profile) and deploy/k8s (the base and every overlay)
# offline, with the libraries docker and kubectl use (docker/tools/manifestcheck; docker/README.md, "What CI
# validates"). One "ok" or "FAIL" line per check on stdout; exit 1 if any failed.
here=$(cd "$(dirname "$0")" && pwd); . "$here/common.sh"
root=$(cd "$here/../.." && pwd)
bin=$(bash "$here/build-manifestcheck.sh" | tail -n 1)
[ -x "$bin" ] || die "build-manifestcheck.sh printed no binary"
cd "$root"
rc=0
"$bin" dockerfile docker/Dockerfile || rc=1
"$bin" compose docker/compose.yaml infra embedded kafka redis || rc=1
"$bin" k8s deploy/k8s/base deploy/k8s/overlays/kafka deploy/k8s/overlays/redis || rc=1
exit $rc
