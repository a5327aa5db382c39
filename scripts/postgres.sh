#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests and demos, bound to 127.0.0.1.
#   scripts/postgres.sh start <dir> <port>   installs PostgreSQL (Debian package) if missing, initdb's <dir>/data
#                                            when needed, starts it on 127.0.0.1:<port> and prints the JDBC URL
#   scripts/postgres.sh stop <dir>           stops that cluster (fast shutdown)
# As root, the cluster runs as the `postgres` system user (initdb refuses root); <dir> is made accessible to it.
set -euo pipefail
cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start <dir> <port> | stop <dir>" >&2; exit 2; }

find_bin() {
  local b
  for b in /usr/lib/postgresql/*/bin; do
    [ -x "$b/initdb" ] && [ -x "$b/pg_ctl" ] && { echo "$b"; return 0; }
  done
  return 1
}

bin="$(find_bin || true)"
if [ -z "$bin" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "postgres.sh: PostgreSQL is not installed and this user cannot apt-get install it" >&2; exit 1
  fi
  echo "postgres.sh: installing PostgreSQL (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql >&2 || { apt-get update -q >&2 && apt-get install -y -q postgresql >&2; }
  bin="$(find_bin)" || { echo "postgres.sh: PostgreSQL binaries not found after install" >&2; exit 1; }
fi

run_as() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
data="$dir/data"
case "$cmd" in
  start)
    port="${3:?port required}"
    if [ "$(id -u)" -eq 0 ]; then
      id postgres >/dev/null 2>&1 || { echo "postgres.sh: no \`postgres\` system user" >&2; exit 1; }
      chmod 755 "$dir"
      # every parent must be traversable by the postgres user
      p="$dir"; while [ "$p" != "/" ]; do p="$(dirname "$p")"; [ -x "$p" ] || chmod o+x "$p"; done
      chown postgres "$dir"
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
      run_as "$bin/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    run_as "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >&2 \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
    ;;
  stop)
    if [ -f "$data/postmaster.pid" ]; then
      run_as "$bin/pg_ctl" -D "$data" -m fast -w stop >&2
    fi
    ;;
  *) echo "usage: $0 start <dir> <port> | stop <dir>" >&2; exit 2 ;;
esac
