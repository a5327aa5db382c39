#!/usr/bin/env bash
# Load balancer for the scale-out tests and benchmark: installs Debian's `haproxy` package when
# missing (as scripts/postgres.sh installs PostgreSQL) and prints the binary's path:
#   scripts/haproxy.sh            -> /usr/sbin/haproxy
# The scale-out tests read it from VECTORGATE_HAPROXY or run this script; they write their own
# configuration (loopback, dynamic ports) and start and stop the process themselves.
set -euo pipefail

find_bin() {
  local b
  b="$(command -v haproxy || true)"
  [ -z "$b" ] && [ -x /usr/sbin/haproxy ] && b=/usr/sbin/haproxy
  [ -n "$b" ] || return 1
  echo "$b"
}

if ! find_bin >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "haproxy.sh: haproxy is not installed and this user cannot apt-get install it" >&2
    exit 1
  fi
  echo "haproxy.sh: installing haproxy (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends haproxy >&2 \
    || { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends haproxy >&2; }
  find_bin >/dev/null || { echo "haproxy.sh: haproxy not found after install" >&2; exit 1; }
fi
find_bin
