# Shared start-up of the benchmark scripts (sourced, never run): free ports, waiting for servers, the
# processes a run started and their cleanup, Milvus Lite with the sample data, the sample organisation with
# the analysts' budgets out of reach, a sample gateway config rewritten for free ports, and the demo gateway
# (DemoMain: the gateway plus the demo OIDC provider) or the OIDC provider alone (`vectorgate dev idp`).
# None of it is measured: each script keeps its own load, its own runs and its own report.
#
# The caller sets `root` (the checkout) and `work` (its work directory, already created) before sourcing:
#   root="$(cd "$(dirname "$0")/.." && pwd)"; work=...; mkdir -p "$work"; . "$root/benchmarks/lib.sh"
# Every process started here is in `pids` and killed on exit; a script adds its own with `pids+=($!)`, and
# sets `cleanup_extra` to a command run after them (e.g. stopping PostgreSQL).

pids=()
cleanup_extra=""
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$cleanup_extra" ]; then eval "$cleanup_extra" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Stops <pid> (SIGTERM, then waits) and forgets it: the waits below no longer watch it.
stop_pid() {
  local keep=() p
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  pids=("${keep[@]}")
}

# A port free on 127.0.0.1 now (the server that is given it binds it a moment later).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits until 127.0.0.1:<port> accepts a connection (WAIT_TRIES x 0.2 s, default 3 minutes); fails at once,
# naming it, when a process of `pids` has exited meanwhile (its log is in $work).
wait_port() {
  local pid
  for _ in $(seq 1 "${WAIT_TRIES:-900}"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "process $pid exited while waiting for port $1 (logs in $work)" >&2; return 1; }
    done
    sleep 0.2
  done
  echo "port $1 never opened" >&2; return 1
}

# Waits until GET http://127.0.0.1:<port><path> answers 200 (a gateway's /readyz, an OIDC discovery document).
wait_http() {
  local pid
  for _ in $(seq 1 "${WAIT_TRIES:-900}"); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$2" || true)" = 200 ] && return 0
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "process $pid exited while waiting for http://127.0.0.1:$1$2 (logs in $work)" >&2; return 1; }
    done
    sleep 0.2
  done
  echo "http://127.0.0.1:$1$2 never answered 200" >&2; return 1
}

# A gateway's health listener reports ready.
wait_ready() { wait_http "$1" /readyz; }

# Waits until <file> exists and is not empty.
wait_file() {
  for _ in $(seq 1 "${WAIT_TRIES:-900}"); do [ -s "$1" ] && return 0; sleep 0.2; done
  echo "$1 was never written" >&2; return 1
}

# Milvus Lite on a free port with the sample `docs` collection; sets milvus_port and milvus_pid.
start_milvus_lite() {
  milvus_port="$(free_port)"
  "$root/.venv/bin/milvus-lite" server --host 127.0.0.1 --port "$milvus_port" --data-dir "$work/milvus-data" \
    >"$work/milvus-lite.log" 2>&1 &
  milvus_pid=$!; pids+=("$milvus_pid")
  wait_port "$milvus_port"
  "$root/.venv/bin/python" "$root/python/load_sample.py" --uri "http://127.0.0.1:$milvus_port" >&2
}

# The sample organisation with the analysts' request and row budgets raised out of reach (a load run would
# exhaust bob's requests/minute and rows/hour and be denied): the same rules are still evaluated. Writes <out>.
raise_budgets() {
  python3 - "$root/samples/org/data.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = d["vectorgate_config"]["roles"]["analysts"]["budget"]
b["requests_per_minute"] = 1000000000
b["rows_per_hour"] = 1000000000
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
}

# samples/<demo>/gateway.yaml with its listener and upstream on the given ports, the OIDC provider on
# <oidc port>, the organisation data <data.json> and absolute policy paths, on stdout; fails when a
# rewrite did not apply (the sample changed).
#   demo_config <demo> <listener host:port in the sample> <port> <upstream host:port in the sample> <port> <oidc port> <data.json>
demo_config() {
  local demo="$1" listen_from="$2" listen="$3" up_from="$4" up="$5" oidc="$6" data="$7" out
  out="$(sed -e "s#$listen_from#127.0.0.1:$listen#" -e "s#$up_from#127.0.0.1:$up#" \
      -e "s#localhost:18080#localhost:$oidc#" \
      -e "s#\.\./\.\./rego-policies#$root/rego-policies#" -e "s#\.\./org/data.json#$data#" \
      -e "s#\[\(.*\), rego\]#[\1, $root/samples/$demo/rego]#" \
      "$root/samples/$demo/gateway.yaml")"
  case "$out" in
    *"127.0.0.1:$listen"*"127.0.0.1:$up"*) ;;
    *) echo "demo_config: could not rewrite samples/$demo/gateway.yaml" >&2; return 1 ;;
  esac
  case "$out" in
    *"$data"*"$root/samples/$demo/rego"* | *"$root/samples/$demo/rego"*"$data"*) ;;
    *) echo "demo_config: could not rewrite the policy paths of samples/$demo/gateway.yaml" >&2; return 1 ;;
  esac
  printf '%s\n' "$out"
}

# The demo gateway (io.vectorgate.proxy.demo.DemoMain: the gateway of <config> plus the demo OIDC provider on
# <oidc port>, which writes every persona's token to $work/tokens.json). Logs in $work/<name>.out and .log;
# waits for the listener port and the tokens; sets demo_pid.
#   start_demo_gateway <name> <config> <oidc port> <listener port> <java options, -cp ...>
start_demo_gateway() {
  local name="$1" config="$2" oidc="$3" listen="$4"; shift 4
  java -Dvectorgate.root="$root" -Dvectorgate.opa="$root/tools/bin/opa" "$@" io.vectorgate.proxy.demo.DemoMain \
    --config "$config" --tokens-out "$work/tokens.json" --oidc-port "$oidc" >"$work/$name.out" 2>"$work/$name.log" &
  demo_pid=$!; pids+=("$demo_pid")
  wait_port "$listen"
  wait_file "$work/tokens.json"
}

# The OIDC provider alone (`vectorgate dev idp`, mock-oauth2-server) on a free port, run from <classpath>
# (the CLI's), with extra personas (name:groups[:tenant]); writes $work/tokens.json and waits until its
# discovery document answers. Sets idp_port, idp_pid and issuer.
#   start_idp <classpath> <persona>...
start_idp() {
  local cp="$1"; shift
  local args=() p
  for p in "$@"; do args+=(--persona "$p"); done
  idp_port="$(free_port)"
  java -cp "$cp" io.vectorgate.cli.VectorgateCli dev idp --port "$idp_port" --tokens-out "$work/tokens.json" \
    "${args[@]}" >"$work/idp.out" 2>"$work/idp.log" &
  idp_pid=$!; pids+=("$idp_pid")
  wait_file "$work/tokens.json"
  issuer="$(sed -n 's/.*identity: {issuer: "\([^"]*\)".*/\1/p' "$work/idp.out" | head -1)"
  [ -n "$issuer" ] || { echo "start_idp: no issuer in $work/idp.out" >&2; cat "$work/idp.out" "$work/idp.log" >&2; return 1; }
  wait_http "$idp_port" "/${issuer#*://*/}/.well-known/openid-configuration"
}

# Fails, showing its log, when the OIDC provider of start_idp is gone (gateways starting now could not
# fetch its keys).
require_idp() {
  kill -0 "$idp_pid" 2>/dev/null && wait_http "$idp_port" "/${issuer#*://*/}/.well-known/openid-configuration" \
    && return 0
  echo "the OIDC provider (pid $idp_pid, port $idp_port) is gone; its log:" >&2
  tail -n 40 "$work/idp.out" "$work/idp.log" >&2
  return 1
}

# The token of <persona> in $work/tokens.json.
token_of() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/tokens.json" "$1"; }

# CPU ticks (utime + stime, from /proc) of a process and all its descendants.
descendants() { echo "$1"; local c; for c in $(pgrep -P "$1" || true); do descendants "$c"; done; }
ticks() {
  local total=0 p
  for p in $(descendants "$1"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# The test-scope classpath of each of the comma-separated MODULES, written to <module>/target/bench-classpath.txt
# by one reactor run that also compiles them and what they depend on (-am, test-compile; a no-op when up to
# date): sibling modules resolve to their target/classes and third-party dependencies come from the modules'
# own POMs. Resolving one module alone (-pl proxy) reads the other modules' POMs from ~/.m2, which may be an
# older install without a dependency added since (the recording gateway then failed on a missing class).
reactor_classpath() {
  mvn -q -B -o -ntp -pl "$1" -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
}

# A logback configuration with warnings and errors only, to stderr (drivers whose stdout is a table).
warn_logback() {
  cat > "$1" <<'XML'
<configuration>
  <appender name="E" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target>
    <encoder><pattern>%d %-5level %logger{24} %msg%n</pattern></encoder></appender>
  <root level="WARN"><appender-ref ref="E"/></root>
</configuration>
XML
}
