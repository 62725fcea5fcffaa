#!/usr/bin/env bash
# Installs the Debian packages the local stack and the tests use (redis-server, kcat, dig, chromium) when missing.
here=$(cd "$(dirname "$0")" && pwd); . "$here/common.sh"
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
command -v dig >/dev/null 2>&1 || missing+=(dnsutils)
# Debian's Chromium drives the library web app's browser tests (playwright-core cannot download a browser here).
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
install() {
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]}: install them with your package manager"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing ${missing[*]}: run 'apt-get install ${missing[*]}' as root"
    sudo="sudo -n"
  fi
  say "installing ${missing[*]} with apt-get"
  $sudo apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}
with_lock apt install
