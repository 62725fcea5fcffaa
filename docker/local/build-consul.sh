#!/usr/bin/env bash
# Builds Consul once with the go command through the Go module proxy, from a wrapper module
# (consul's own go.mod has replace/exclude directives that `go install` refuses). Prints the binary path.
here=$(cd "$(dirname "$0")" && pwd); . "$here/common.sh"
CONSUL_VERSION="${CONSUL_VERSION:-v1.19.2}"
out="$BOOKSHELF_CACHE/consul-$CONSUL_VERSION/consul"
build() {
  if [ -x "$out" ]; then echo "$out"; return; fi
  need go "install Go 1.22+ from your package manager or go.dev"
  local dir="$BOOKSHELF_CACHE/consul-$CONSUL_VERSION/module"
  mkdir -p "$dir"
  cat > "$dir/go.mod" <<MOD
module bookshelf.local/consulbuild

go 1.22

require github.com/hashicorp/consul $CONSUL_VERSION

exclude (
	github.com/hashicorp/go-msgpack v1.1.5
	github.com/hashicorp/go-msgpack v1.1.6
)
MOD
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-modcacherw
  export GOPATH="${GOPATH:-$BOOKSHELF_CACHE/gopath}"
  # The compile cache is ours too (an empty BOOKSHELF_CACHE is a real first build) and is dropped after it.
  local own_gocache=""
  if [ -z "${GOCACHE:-}" ]; then own_gocache="$BOOKSHELF_CACHE/consul-$CONSUL_VERSION/gocache"; export GOCACHE="$own_gocache"; fi
  say "building Consul $CONSUL_VERSION from the Go module proxy (first time only: ~2.4 GB of Go modules, then several minutes of compiling)"
  local start=$SECONDS
  # go writes its progress on stderr; everything it says goes to our stderr, stdout keeps the result line alone.
  get_modules() {
    ( cd "$dir" && go get "github.com/hashicorp/consul@$CONSUL_VERSION" 2>&1 | while read -r l; do
        case "$l" in *downloading*) n=$((${n:-0}+1)); [ $((n % 50)) -eq 0 ] && say "  ... $n modules downloaded";; esac
      done ) >&2
  }
  ticking "downloading Go modules" get_modules || true
  say "modules resolved after $((SECONDS-start))s; compiling (several minutes)"
  compile() { ( cd "$dir" && go build -mod=mod -trimpath -ldflags="$1" -o "$out.tmp" github.com/hashicorp/consul ) >&2; }
  ticking "compiling Consul" compile '-s -w' \
    || { say "retrying the link with -checklinkname=0"; ticking "compiling Consul" compile '-s -w -checklinkname=0'; } \
    || die "consul build failed (see output above)"
  mv "$out.tmp" "$out"
  [ -n "$own_gocache" ] && rm -rf "$own_gocache"
  say "consul built in $((SECONDS-start))s: $out"
  echo "$out"
}
with_lock consul-build build
