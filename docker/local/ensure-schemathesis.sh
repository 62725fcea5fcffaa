#!/usr/bin/env bash
# Installs schemathesis (the OpenAPI fuzzer test/e2e/platform/openapi.e2e.test.ts runs against the gateway) from
# PyPI into a venv under $BOOKSHELF_CACHE/schemathesis-<version>/, once. Prints the binary path alone on stdout;
# progress on stderr. Needs python3 with venv (Debian: python3-venv).
here=$(cd "$(dirname "$0")" && pwd); . "$here/common.sh"
version="${SCHEMATHESIS_VERSION:-4.32.5}"
dir="$BOOKSHELF_CACHE/schemathesis-$version"
out="$dir/venv/bin/schemathesis"
ensure() {
  if [ -f "$dir/.installed" ] && [ -x "$out" ]; then echo "$out"; return; fi
  need python3 "install Python 3.9+ (Debian: apt-get install python3 python3-venv)"
  rm -rf "$dir"
  mkdir -p "$dir"
  say "installing schemathesis $version from PyPI into $dir (first time only)"
  local start=$SECONDS
  python3 -m venv "$dir/venv" >&2 || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  # pip writes its progress on stdout: everything it says goes to our stderr, stdout keeps the result line alone.
  install() { "$dir/venv/bin/pip" install --disable-pip-version-check -q "schemathesis==$version" >&2; }
  ticking "installing schemathesis" install || die "pip install schemathesis==$version failed (is PyPI reachable?)"
  "$out" --version >&2 || die "the installed schemathesis does not run"
  touch "$dir/.installed"
  say "schemathesis $version installed in $((SECONDS-start))s: $out"
  echo "$out"
}
with_lock schemathesis-install ensure
