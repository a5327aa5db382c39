#!/usr/bin/env bash
# Milvus gateway benchmark (issue 4): pymilvus search on the small sample `docs` collection, direct
# to Milvus Lite vs through the gateway (analyst bob: policy decision, tenant row filter, vector
# stripping), in one run. Reports added latency p50/p99 (1 client process) and throughput at
# saturation (PROCS client processes) as a ratio gateway/direct.
# Env: SECONDS_PER_RUN (default 15), PROCS (default 4), SKIP_BUILD=1 to use the proxy classes as built.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-15}"
PROCS="${PROCS:-4}"
work="$root/benchmarks/target/milvus-bench"
rm -rf "$work"; mkdir -p "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
milvus_port="$(free_port)"; gateway_port="$(free_port)"; oidc_port="$(free_port)"

scripts/bootstrap.sh
if [ "${SKIP_BUILD:-0}" != "1" ]; then
  echo "milvus-bench: building the gateway" >&2
  mvn -q -B -ntp -pl proxy -am -DskipTests install
fi
mvn -q -B -ntp -o -pl proxy dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt" >/dev/null

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened" >&2; return 1; }

"$root/.venv/bin/milvus-lite" server --host 127.0.0.1 --port "$milvus_port" --data-dir "$work/milvus-data" >"$work/milvus-lite.log" 2>&1 &
pids+=($!)
wait_port "$milvus_port"
"$root/.venv/bin/python" "$root/python/load_sample.py" --uri "http://127.0.0.1:$milvus_port" >&2

# The sample organisation with the analysts' request and row budgets raised out of reach: a load run
# would otherwise exhaust bob's 600 requests/minute; the same rules are still evaluated.
python3 - "$root/samples/org/data.json" "$work/data.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = d["vectorgate_config"]["roles"]["analysts"]["budget"]
b["requests_per_minute"] = 1000000000
b["rows_per_hour"] = 1000000000
json.dump(d, open(sys.argv[2], "w"))
PY
sed -e "s#127.0.0.1:19530#127.0.0.1:$gateway_port#" -e "s#127.0.0.1:19531#127.0.0.1:$milvus_port#" \
    -e "s#localhost:18080#localhost:$oidc_port#" \
    -e "s#\.\./\.\./rego-policies#$root/rego-policies#" -e "s#\.\./org/data.json#$work/data.json#" \
    -e "s#\[\(.*\), rego\]#[\1, $root/samples/milvus-demo/rego]#" \
    "$root/samples/milvus-demo/gateway.yaml" > "$work/gateway.yaml"
export VECTORGATE_MILVUS_CREDENTIAL="root:Milvus"
export VECTORGATE_MASK_KEY="0123456789abcdef0123456789abcdef"
java -Dvectorgate.root="$root" -Dvectorgate.opa="$root/tools/bin/opa" \
  -cp "$root/proxy/target/test-classes:$root/proxy/target/classes:$(cat "$work/classpath.txt")" \
  io.vectorgate.proxy.demo.DemoMain --config "$work/gateway.yaml" --tokens-out "$work/tokens.json" \
  --oidc-port "$oidc_port" 2>"$work/gateway.log" &
pids+=($!)
wait_port "$gateway_port"
for _ in $(seq 1 100); do [ -s "$work/tokens.json" ] && break; sleep 0.2; done
token="$("$root/.venv/bin/python" -c "import json,sys; print(json.load(open(sys.argv[1]))['bob'])" "$work/tokens.json")"

py="$root/.venv/bin/python"
run() { "$py" "$root/python/bench_milvus.py" --seconds "$SECONDS_PER_RUN" "$@"; }
echo "milvus-bench: latency, 1 process" >&2
run --name direct --uri "http://127.0.0.1:$milvus_port" --procs 1 > "$work/direct-1.json"
run --name gateway --uri "http://127.0.0.1:$gateway_port" --token "$token" --procs 1 > "$work/gateway-1.json"
echo "milvus-bench: saturation, $PROCS processes" >&2
run --name direct --uri "http://127.0.0.1:$milvus_port" --procs "$PROCS" > "$work/direct-n.json"
run --name gateway --uri "http://127.0.0.1:$gateway_port" --token "$token" --procs "$PROCS" > "$work/gateway-n.json"

python3 - "$work" "$PROCS" <<'PY'
import json, sys, os
w, procs = sys.argv[1], sys.argv[2]
r = {n: json.load(open(os.path.join(w, n + ".json"))) for n in ("direct-1", "gateway-1", "direct-n", "gateway-n")}
print("| run | p50 (µs) | p99 (µs) | ops/s |")
print("|---|---:|---:|---:|")
for n, label in (("direct-1", "direct, 1 client"), ("gateway-1", "through gateway, 1 client"),
                 ("direct-n", f"direct, {procs} clients"), ("gateway-n", f"through gateway, {procs} clients")):
    x = r[n]; print(f"| {label} | {x['p50_us']:.0f} | {x['p99_us']:.0f} | {x['ops_per_s']:.0f} |")
print()
print(f"added latency p50 = {r['gateway-1']['p50_us'] - r['direct-1']['p50_us']:.0f} µs, "
      f"p99 = {r['gateway-1']['p99_us'] - r['direct-1']['p99_us']:.0f} µs; "
      f"throughput at saturation gateway/direct = {100 * r['gateway-n']['ops_per_s'] / r['direct-n']['ops_per_s']:.0f}%")
PY
