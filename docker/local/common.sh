# Shared helpers for the local-infrastructure scripts (sourced, not run).
set -euo pipefail
BOOKSHELF_CACHE="${BOOKSHELF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bookshelf}"
mkdir -p "$BOOKSHELF_CACHE"
say() { printf '[bookshelf-infra] %s\n' "$*" >&2; }
die() { printf 'bookshelf-infra: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required but not installed ($2)"; }
# Serialise concurrent runs of the same step (two test runs, or a test run and `bookshelf stack up`).
with_lock() { local name=$1; shift; exec 9>"$BOOKSHELF_CACHE/$name.lock"; flock 9; "$@"; }
