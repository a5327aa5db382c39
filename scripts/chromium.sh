#!/usr/bin/env bash
# Headless browser for the dashboard's browser tests: installs Debian's `chromium` and
# `chromium-driver` packages when missing (as scripts/postgres.sh installs PostgreSQL) and prints
# the two paths, one per line:
#   scripts/chromium.sh            -> /usr/bin/chromium
#                                     /usr/bin/chromedriver
# The browser tests read them from VECTORGATE_CHROMIUM / VECTORGATE_CHROMEDRIVER or run this script.
set -euo pipefail

find_bins() {
  local browser driver
  browser="$(command -v chromium || true)"
  driver="$(command -v chromedriver || true)"
  [ -n "$browser" ] && [ -n "$driver" ] || return 1
  printf '%s\n%s\n' "$browser" "$driver"
}

if ! find_bins >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium.sh: chromium/chromium-driver are not installed and this user cannot apt-get install them" >&2
    exit 1
  fi
  echo "chromium.sh: installing chromium and chromium-driver (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends chromium chromium-driver >&2 \
    || { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends chromium chromium-driver >&2; }
  find_bins >/dev/null || { echo "chromium.sh: chromium or chromedriver not found after install" >&2; exit 1; }
fi
find_bins
