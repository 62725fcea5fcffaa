#!/usr/bin/env bash
# Builds docker/tools/manifestcheck (the offline validator of docker/Dockerfile, docker/compose.yaml and
# deploy/k8s; see docker/README.md) once with the go command through the Go module proxy, into
# $BOOKSHELF_CACHE/manifestcheck-<hash of its sources>/. Prints the binary path alone on stdout; progress on stderr.
here=$(cd "$(dirname "$0")" && pwd); . "$here/common.sh"
src=$(cd "$here/../tools/manifestcheck" && pwd)
# A change to the tool's sources or its go.sum builds a new binary; the old one is removed then.
hash=$(cd "$src" && cat go.mod go.sum $(ls ./*.go | sort) | sha256sum | cut -c1-12)
dir="$BOOKSHELF_CACHE/manifestcheck-$hash"
out="$dir/manifestcheck"
build() {
  if [ -x "$out" ]; then echo "$out"; return; fi
  need go "install Go 1.26+ from your package manager or go.dev"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-modcacherw -buildvcs=false"
  export GOPATH="${GOPATH:-$BOOKSHELF_CACHE/gopath}"
  # Our own compile cache unless the caller has one: kept, so that a change to the tool rebuilds in seconds.
  export GOCACHE="${GOCACHE:-$BOOKSHELF_CACHE/manifestcheck-gocache}"
  mkdir -p "$dir"
  say "building manifestcheck from the Go module proxy (first time only: ~230 MB of Go modules, then a few minutes of compiling)"
  local start=$SECONDS
  # go writes its progress on stderr; everything it says goes to our stderr, stdout keeps the result line alone.
  get_modules() { ( cd "$src" && go mod download ) >&2; }
  ticking "downloading Go modules" get_modules || die "go mod download failed (is the Go module proxy reachable?)"
  say "modules ready after $((SECONDS-start))s; compiling"
  compile() { ( cd "$src" && go build -mod=readonly -trimpath -ldflags='-s -w' -o "$out.tmp" . ) >&2; }
  ticking "compiling manifestcheck" compile || die "manifestcheck build failed (see output above)"
  mv "$out.tmp" "$out"
  local old
  for old in "$BOOKSHELF_CACHE"/manifestcheck-????????????/; do
    if [ -d "$old" ] && [ "$old" != "$dir/" ]; then rm -rf "$old"; fi
  done
  say "manifestcheck built in $((SECONDS-start))s: $out"
  echo "$out"
}
with_lock manifestcheck-build build
