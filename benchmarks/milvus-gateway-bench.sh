#!/usr/bin/env bash
# Milvus gateway benchmark (issue 4): pymilvus search on the small sample `docs` collection, direct
# to Milvus Lite vs through the gateway (analyst bob: policy decision, tenant row filter, vector
# stripping), in one run. Reports added latency p50/p99 (1 client process) and throughput at
# saturation (PROCS client processes) as a ratio gateway/direct.
# Before measuring, the gateway gets WARMUP_SECONDS (default 60) of PROCS-process load and Milvus
# Lite 10 s, both discarded. The gateway is a JVM: on 2 busy cores its JIT needs over a minute of
# load to compile the request path and the ~40 MB of code generated from the policy's WebAssembly
# (measured cold: in-gateway p50 fell from 11 ms to 1.6 ms over the first 12 s, and C2 was still
# compiling PolicyEngine.decide and MilvusAdapter.decode after 70 s; docs/performance.md).
# Two more rows measure the floor of the gRPC stack at saturation (GrpcFloorProxy in the proxy's test
# classes: the same grpc-netty stack passing calls through, parsed + worker hand-off, and raw bytes).
# Each run also reports the CPU time per request of the gateway JVM and of Milvus Lite (from /proc,
# 10 ms ticks; the run's own 3 s warm-up included).
# Env: SECONDS_PER_RUN (default 15), PROCS (default 4), WARMUP_SECONDS (default 60),
# SKIP_BUILD=1 to use the proxy classes as built,
# GATEWAY_JAVA_OPTS for extra JVM options of the gateway (e.g. -XX:StartFlightRecording=... to profile),
# GATEWAY_CLASSES to run other gateway classes (default proxy/target/test-classes:proxy/target/classes;
# e.g. a build of an older commit in a git worktree, for before/after runs that alternate),
# BENCH_DIR for the work directory (default benchmarks/target/milvus-bench).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-15}"
PROCS="${PROCS:-4}"
WARMUP_SECONDS="${WARMUP_SECONDS:-60}"
work="${BENCH_DIR:-$root/benchmarks/target/milvus-bench}"
gateway_classes="${GATEWAY_CLASSES:-$root/proxy/target/test-classes:$root/proxy/target/classes}"
rm -rf "$work"; mkdir -p "$work"
. "$root/benchmarks/lib.sh"
gateway_port="$(free_port)"; oidc_port="$(free_port)"

scripts/bootstrap.sh
if [ "${SKIP_BUILD:-0}" != "1" ]; then
  echo "milvus-bench: building the gateway" >&2
  mvn -q -B -ntp -pl proxy -am -DskipTests install
fi
reactor_classpath proxy
cp "$root/proxy/target/bench-classpath.txt" "$work/classpath.txt"

echo "milvus-bench: start $(uptime)" >&2
start_milvus_lite

# The sample organisation with the analysts' request and row budgets raised out of reach: a load run
# would otherwise exhaust bob's 600 requests/minute; the same rules are still evaluated.
raise_budgets "$work/data.json"
demo_config milvus-demo 127.0.0.1:19530 "$gateway_port" 127.0.0.1:19531 "$milvus_port" "$oidc_port" "$work/data.json" \
  > "$work/gateway.yaml"
export VECTORGATE_MILVUS_CREDENTIAL="root:Milvus"
export VECTORGATE_MASK_KEY="0123456789abcdef0123456789abcdef"
# shellcheck disable=SC2086 # GATEWAY_JAVA_OPTS holds several options
start_demo_gateway gateway "$work/gateway.yaml" "$oidc_port" "$gateway_port" ${GATEWAY_JAVA_OPTS:-} \
  -cp "$gateway_classes:$(cat "$work/classpath.txt")"
gateway_pid="$demo_pid"
token="$(token_of bob)"
# The floor (issue 16): GrpcFloorProxy on the same grpc-netty stack, passing calls to Milvus Lite with nothing
# else; `parsed` also parses and re-serializes every message and hands each call to a worker, as the gateway
# does; `raw` passes bytes on the transport threads. Driven with the row filter, so Milvus does the same work.
floor_pids=()
for mode in parsed raw; do
  port="$(free_port)"
  java -cp "$gateway_classes:$(cat "$work/classpath.txt")" io.vectorgate.proxy.bench.GrpcFloorProxy "$mode" "$port" \
    "127.0.0.1:$milvus_port" "$(nproc)" >"$work/floor-$mode.out" 2>"$work/floor-$mode.log" &
  pid=$!; floor_pids+=("$pid"); pids+=("$pid")
  wait_port "$port"
  eval "floor_${mode}_port=$port floor_${mode}_pid=$pid"
done

py="$root/.venv/bin/python"
# the row filter bob's policy makes the gateway add: direct runs with it separate Milvus's own cost of
# filtering from the gateway's
row_filter='tenant_id == "acme"'
run() { # run <out-name> <bench args...>: the bench's JSON plus CPU µs per request of the proxy and Milvus Lite
  local out="$1"; shift
  local proxy_pid="$gateway_pid"
  case "$out" in floor-parsed-*) proxy_pid="$floor_parsed_pid" ;; floor-raw-*) proxy_pid="$floor_raw_pid" ;; esac
  local g0 m0; g0="$(ticks "$proxy_pid")"; m0="$(ticks "$milvus_pid")"
  "$py" "$root/python/bench_milvus.py" --seconds "$SECONDS_PER_RUN" "$@" > "$work/$out.raw.json"
  local g1 m1; g1="$(ticks "$proxy_pid")"; m1="$(ticks "$milvus_pid")"
  python3 - "$work/$out.raw.json" "$((g1 - g0))" "$((m1 - m0))" "$(getconf CLK_TCK)" > "$work/$out.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); hz = float(sys.argv[4])
r["gateway_cpu_us_per_req"] = int(sys.argv[2]) / hz * 1e6 / r["requests"]
r["milvus_cpu_us_per_req"] = int(sys.argv[3]) / hz * 1e6 / r["requests"]
print(json.dumps(r))
PY
}
echo "milvus-bench: warm-up at $PROCS processes (discarded): Milvus Lite 10 s, gateway ${WARMUP_SECONDS} s" >&2
"$py" "$root/python/bench_milvus.py" --seconds 10 --warmup 0 --uri "http://127.0.0.1:$milvus_port" --procs "$PROCS" > /dev/null
"$py" "$root/python/bench_milvus.py" --seconds "$WARMUP_SECONDS" --warmup 0 --uri "http://127.0.0.1:$gateway_port" --token "$token" --procs "$PROCS" > /dev/null
echo "milvus-bench: latency, 1 process" >&2
run direct-1 --name direct --uri "http://127.0.0.1:$milvus_port" --procs 1
run filtered-1 --name direct-filtered --uri "http://127.0.0.1:$milvus_port" --filter "$row_filter" --procs 1
run gateway-1 --name gateway --uri "http://127.0.0.1:$gateway_port" --token "$token" --procs 1
echo "milvus-bench: saturation, $PROCS processes" >&2
run direct-n --name direct --uri "http://127.0.0.1:$milvus_port" --procs "$PROCS"
run filtered-n --name direct-filtered --uri "http://127.0.0.1:$milvus_port" --filter "$row_filter" --procs "$PROCS"
run gateway-n --name gateway --uri "http://127.0.0.1:$gateway_port" --token "$token" --procs "$PROCS"
echo "milvus-bench: the floor, $PROCS processes" >&2
# warmed as long as the gateway was: a JVM still compiling spends its JIT's CPU in the measured run
"$py" "$root/python/bench_milvus.py" --seconds "$WARMUP_SECONDS" --warmup 0 --uri "http://127.0.0.1:$floor_parsed_port" --filter "$row_filter" --procs "$PROCS" > /dev/null
"$py" "$root/python/bench_milvus.py" --seconds "$WARMUP_SECONDS" --warmup 0 --uri "http://127.0.0.1:$floor_raw_port" --filter "$row_filter" --procs "$PROCS" > /dev/null
run floor-parsed-n --name floor-parsed --uri "http://127.0.0.1:$floor_parsed_port" --filter "$row_filter" --procs "$PROCS"
run floor-raw-n --name floor-raw --uri "http://127.0.0.1:$floor_raw_port" --filter "$row_filter" --procs "$PROCS"

echo "milvus-bench: end $(uptime)" >&2
python3 - "$work" "$PROCS" <<'PY'
import json, sys, os
w, procs = sys.argv[1], sys.argv[2]
r = {n: json.load(open(os.path.join(w, n + ".json")))
     for n in ("direct-1", "filtered-1", "gateway-1", "direct-n", "filtered-n", "gateway-n", "floor-parsed-n",
               "floor-raw-n")}
print("| run | p50 (µs) | p99 (µs) | ops/s | gateway (or floor proxy) CPU µs/req | Milvus Lite CPU µs/req |")
print("|---|---:|---:|---:|---:|---:|")
for n, label in (("direct-1", "direct, 1 client"), ("filtered-1", "direct + row filter, 1 client"),
                 ("gateway-1", "through gateway, 1 client"), ("direct-n", f"direct, {procs} clients"),
                 ("filtered-n", f"direct + row filter, {procs} clients"),
                 ("gateway-n", f"through gateway, {procs} clients"),
                 ("floor-parsed-n", f"floor proxy, parsed + worker, row filter, {procs} clients"),
                 ("floor-raw-n", f"floor proxy, raw bytes, row filter, {procs} clients")):
    x = r[n]; print(f"| {label} | {x['p50_us']:.0f} | {x['p99_us']:.0f} | {x['ops_per_s']:.0f} |"
                   f" {x['gateway_cpu_us_per_req']:.0f} | {x['milvus_cpu_us_per_req']:.0f} |")
print()
print(f"added latency p50 = {r['gateway-1']['p50_us'] - r['direct-1']['p50_us']:.0f} µs, "
      f"p99 = {r['gateway-1']['p99_us'] - r['direct-1']['p99_us']:.0f} µs; "
      f"throughput at saturation gateway/direct = {100 * r['gateway-n']['ops_per_s'] / r['direct-n']['ops_per_s']:.0f}%")
print(f"against direct + the same row filter: added p50 = "
      f"{r['gateway-1']['p50_us'] - r['filtered-1']['p50_us']:.0f} µs, throughput "
      f"{100 * r['gateway-n']['ops_per_s'] / r['filtered-n']['ops_per_s']:.0f}%")
PY
