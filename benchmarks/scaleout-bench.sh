#!/usr/bin/env bash
# Scale-out benchmark (issue 19): pymilvus search (python/bench_milvus.py, analyst bob: decision, tenant row
# filter, vector stripping) through HAProxy in front of 1 and of 3 gateway instances (separate JVMs), with
# budgets counted in memory and on PostgreSQL (budgets: store: postgres, the shared counters every instance
# reads on each decision). Reports, per run: ops/s and p50/p99 at PROCS client processes, CPU µs per request
# of each gateway instance, of all instances together, of HAProxy, of PostgreSQL and of Milvus Lite (from
# /proc, 10 ms ticks). The machine is what it is: on 2 cores the instances share the same CPUs, so throughput
# cannot scale with instances; CPU per request is the number that carries over to a bigger machine.
# The budget check's cost is the difference in gateway CPU per request (and in latency) between the memory
# and postgres runs of the same instance count.
#
# Run it on a quiet machine (it is not part of the test command). Before measuring a budget mode, every
# instance gets WARMUP_SECONDS of load through the 3-instance HAProxy (discarded; see milvus-gateway-bench.sh
# on JIT warm-up).
# Env: SECONDS_PER_RUN (default 20), PROCS (default 6), WARMUP_SECONDS (default 60), MODES (default
# "memory postgres"), FLUSH_UNITS (default 10), RUN_WARMUP (default 3: seconds each measured run's clients run
# before measuring), BENCH_DIR (default benchmarks/target/scaleout-bench).
# A smoke run (setup and report only, not a measurement):
#   SECONDS_PER_RUN=2 RUN_WARMUP=0 WARMUP_SECONDS=1 PROCS=2 benchmarks/scaleout-bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-20}"
PROCS="${PROCS:-6}"
WARMUP_SECONDS="${WARMUP_SECONDS:-60}"
MODES="${MODES:-memory postgres}"
FLUSH_UNITS="${FLUSH_UNITS:-10}"
RUN_WARMUP="${RUN_WARMUP:-3}"
work="${BENCH_DIR:-$root/benchmarks/target/scaleout-bench}"
rm -rf "$work"; mkdir -p "$work"
. "$root/benchmarks/lib.sh"
py="$root/.venv/bin/python"

scripts/bootstrap.sh
haproxy_bin="$(scripts/haproxy.sh)"
# one reactor run, as scripts/dev-idp.sh: the classpaths name the modules' target/classes (nothing is installed
# into ~/.m2). outputFile is relative, so each module writes its own: proxy's runs the gateways, the CLI's
# (proxy plus mock-oauth2-server) the OIDC provider
echo "scaleout-bench: compiling the gateway and the CLI (mvn -pl proxy,cli -am test-compile)" >&2
mvn -q -B -ntp -pl proxy,cli -am -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
cp_all="$root/proxy/target/test-classes:$root/proxy/target/classes:$(cat "$root/proxy/target/bench-classpath.txt")"
cli_cp="$root/cli/target/classes:$(cat "$root/cli/target/bench-classpath.txt")"

echo "scaleout-bench: start $(uptime)" >&2
pg_dir="$work/postgres"
cleanup_extra='[ -d "$pg_dir" ] && scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1'

# Milvus Lite with the sample data
start_milvus_lite

# PostgreSQL for the shared budgets
pg_port="$(free_port)"
pg_url="$(scripts/postgres.sh start "$pg_dir" "$pg_port")"
pg_pid="$(head -1 "$pg_dir/data/postmaster.pid")"

# the OIDC provider (mock-oauth2-server, `vectorgate dev idp`) with bob, an analyst of tenant acme
start_idp "$cli_cp" bench-bob:analysts:acme
token="$(token_of bench-bob)"

# the sample organisation with the analysts' request and row budgets out of reach (the same rules still run)
raise_budgets "$work/data.json"

export VG_MILVUS_TOKEN="root:Milvus" VG_MASK_KEY="0123456789abcdef0123456789abcdef"

start_instances() { # start_instances <mode>: three gateway JVMs; sets gw_pids, gw_ports, health_ports
  local mode="$1" i budgets
  gw_pids=(); gw_ports=(); health_ports=()
  require_idp # the instances fetch its keys when they start
  if [ "$mode" = postgres ]; then
    budgets="budgets: {store: postgres, postgres: {url: \"$pg_url\"}, flush_units: $FLUSH_UNITS}"
  else
    budgets="budgets: {store: memory}"
  fi
  for i in 1 2 3; do
    local port hport; port="$(free_port)"; hport="$(free_port)"
    cat > "$work/gw$i-$mode.yaml" <<EOF
listeners:
  - {name: milvus, kind: milvus-grpc, address: "127.0.0.1:$port", connection: lite}
connections:
  - {name: lite, kind: milvus, upstream: "127.0.0.1:$milvus_port", credential: {env: VG_MILVUS_TOKEN}, row_filter_binding: literal}
identity: {issuer: "$issuer", audiences: [vectorgate], algorithms: [RS256], groups_claim: groups, tenant_claim: tenant}
policy:
  rego_dirs: ["$root/rego-policies/src/main/rego", "$root/samples/milvus-demo/rego"]
  data_file: "$work/data.json"
masking: {hmac_key: {env: VG_MASK_KEY}}
health: {address: "127.0.0.1:$hport", drain_delay_ms: 0}
$budgets
EOF
    java -Dvectorgate.root="$root" -Dvectorgate.opa="$root/tools/bin/opa" -cp "$cp_all" \
      -Dlogback.configurationFile="$work/logback.xml" \
      io.vectorgate.proxy.GatewayMain --config "$work/gw$i-$mode.yaml" >"$work/gw$i-$mode.out" 2>"$work/gw$i-$mode.log" &
    pids+=($!); gw_pids+=($!); gw_ports+=("$port"); health_ports+=("$hport")
  done
  for i in 0 1 2; do wait_ready "${health_ports[$i]}"; done
}

# request lines off (they would measure the log, not the gateway)
cat > "$work/logback.xml" <<'EOF'
<configuration>
  <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} %msg%n</pattern></encoder></appender>
  <logger name="io.vectorgate.requests" level="OFF"/>
  <root level="WARN"><appender-ref ref="ERR"/></root>
</configuration>
EOF

start_haproxy() { # start_haproxy <name> <n>: HAProxy over the first n instances; sets hp_pid, hp_port
  local name="$1" n="$2" i
  hp_port="$(free_port)"
  {
    echo "global"; echo "  maxconn 4000"
    echo "defaults"; echo "  mode http"; echo "  timeout connect 2s"; echo "  timeout client 120s"; echo "  timeout server 120s"
    echo "frontend milvus"; echo "  bind 127.0.0.1:$hp_port proto h2"; echo "  default_backend gw"
    echo "backend gw"; echo "  balance roundrobin"; echo "  option httpchk GET /readyz"; echo "  http-check expect status 200"
    for i in $(seq 0 $((n - 1))); do
      echo "  server gw$((i + 1)) 127.0.0.1:${gw_ports[$i]} proto h2 check port ${health_ports[$i]} check-proto h1 inter 1s"
    done
  } > "$work/haproxy-$name.cfg"
  "$haproxy_bin" -db -f "$work/haproxy-$name.cfg" >"$work/haproxy-$name.log" 2>&1 &
  pids+=($!); hp_pid=$!
  wait_port "$hp_port"
  sleep 2 # first health checks
}

run() { # run <out-name> <n instances> <haproxy port> <haproxy pid>
  local out="$1" n="$2" port="$3" hpid="$4" i
  local t0=() t1=() h0 h1 m0 m1 p0 p1
  for i in 0 1 2; do t0+=("$(ticks "${gw_pids[$i]}")"); done
  h0="$(ticks "$hpid")"; m0="$(ticks "$milvus_pid")"; p0="$(ticks "$pg_pid")"
  "$py" "$root/python/bench_milvus.py" --name "$out" --seconds "$SECONDS_PER_RUN" --warmup "$RUN_WARMUP" --uri "http://127.0.0.1:$port" \
    --token "$token" --procs "$PROCS" > "$work/$out.raw.json"
  for i in 0 1 2; do t1+=("$(ticks "${gw_pids[$i]}")"); done
  h1="$(ticks "$hpid")"; m1="$(ticks "$milvus_pid")"; p1="$(ticks "$pg_pid")"
  python3 - "$work/$out.raw.json" "$n" "$(getconf CLK_TCK)" "$((t1[0] - t0[0]))" "$((t1[1] - t0[1]))" \
    "$((t1[2] - t0[2]))" "$((h1 - h0))" "$((m1 - m0))" "$((p1 - p0))" > "$work/$out.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); n = int(sys.argv[2]); hz = float(sys.argv[3])
us = lambda t: int(t) / hz * 1e6 / r["requests"]
gw = [us(t) for t in sys.argv[4:7]][:n]
r.update(instances=n, gateway_cpu_us_per_req=gw, gateways_cpu_us_per_req=sum(gw), haproxy_cpu_us_per_req=us(sys.argv[7]),
         milvus_cpu_us_per_req=us(sys.argv[8]), postgres_cpu_us_per_req=us(sys.argv[9]))
print(json.dumps(r))
PY
}

for mode in $MODES; do
  echo "scaleout-bench: budgets $mode: starting 3 instances" >&2
  start_instances "$mode"
  start_haproxy "$mode-3" 3; hp3_port="$hp_port"; hp3_pid="$hp_pid"
  start_haproxy "$mode-1" 1; hp1_port="$hp_port"; hp1_pid="$hp_pid"
  echo "scaleout-bench: budgets $mode: warm-up ${WARMUP_SECONDS} s through 3 instances (discarded)" >&2
  "$py" "$root/python/bench_milvus.py" --seconds "$WARMUP_SECONDS" --warmup 0 --uri "http://127.0.0.1:$hp3_port" \
    --token "$token" --procs "$PROCS" > /dev/null
  echo "scaleout-bench: budgets $mode: 1 instance" >&2
  run "$mode-1" 1 "$hp1_port" "$hp1_pid"
  echo "scaleout-bench: budgets $mode: 3 instances" >&2
  run "$mode-3" 3 "$hp3_port" "$hp3_pid"
  for pid in "${gw_pids[@]}" "$hp1_pid" "$hp3_pid"; do stop_pid "$pid"; done
done

echo "scaleout-bench: end $(uptime)" >&2
python3 - "$work" "$PROCS" $MODES <<'PY'
import json, os, sys
w, procs, modes = sys.argv[1], sys.argv[2], sys.argv[3:]
print(f"pymilvus search, {procs} client processes, through HAProxy; CPU in µs per request")
print("| budgets | instances | ops/s | p50 (µs) | p99 (µs) | CPU per instance | all instances | HAProxy | PostgreSQL | Milvus Lite |")
print("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
r = {}
for m in modes:
    for n in (1, 3):
        x = r[(m, n)] = json.load(open(os.path.join(w, f"{m}-{n}.json")))
        per = ", ".join(f"{v:.0f}" for v in x["gateway_cpu_us_per_req"])
        print(f"| {m} | {n} | {x['ops_per_s']:.0f} | {x['p50_us']:.0f} | {x['p99_us']:.0f} | {per} |"
              f" {x['gateways_cpu_us_per_req']:.0f} | {x['haproxy_cpu_us_per_req']:.0f} |"
              f" {x['postgres_cpu_us_per_req']:.0f} | {x['milvus_cpu_us_per_req']:.0f} |")
if ("memory", 1) in r and ("postgres", 1) in r:
    for n in (1, 3):
        a, b = r[("memory", n)], r[("postgres", n)]
        print(f"budget check on PostgreSQL, {n} instance(s): gateway CPU {b['gateways_cpu_us_per_req'] - a['gateways_cpu_us_per_req']:+.0f} µs/req,"
              f" PostgreSQL {b['postgres_cpu_us_per_req']:.0f} µs/req, p50 {b['p50_us'] - a['p50_us']:+.0f} µs, ops/s {b['ops_per_s'] / a['ops_per_s'] * 100:.0f}% of memory")
PY
