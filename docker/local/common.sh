# Shared helpers for the local-infrastructure scripts (sourced, not run).
set -euo pipefail
BOOKSHELF_CACHE="${BOOKSHELF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bookshelf}"
mkdir -p "$BOOKSHELF_CACHE"
say() { printf '[bookshelf-infra] %s\n' "$*" >&2; }
die() { printf 'bookshelf-infra: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required but not installed ($2)"; }
# Serialise concurrent runs of the same step (two test runs, or a test run and `bookshelf stack up`).
with_lock() { local name=$1; shift; exec 9>"$BOOKSHELF_CACHE/$name.lock"; flock 9; "$@"; }
# Runs "$@" and says how long it has been running every 15 s, so a long first run is never silent.
ticking() {
  local what=$1; shift
  local start=$SECONDS parent=$$ rc=0
  # The ticker takes its sleep down with it, or the sleep would hold our stderr (a caller's pipe) open.
  ( trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    while kill -0 "$parent" 2>/dev/null; do
      sleep 15 & nap=$!; wait "$nap"
      say "  ... $what ($((SECONDS-start))s)"
    done ) >&2 &
  local ticker=$!
  "$@" || rc=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  return $rc
}
