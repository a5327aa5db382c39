#!/usr/bin/env bash
# Engine benchmark (issues 2, 15): the shipped Rego library + samples/org/data.json, decided on the ~1 KB
# analyst search input, three ways in one run:
#   1. in-process: PolicyEngine.decide (JMH, sample mode, 1 and 2 threads), both engines (plan: OPA's IR
#      evaluated in Java; wasm: opa-java-wasm), workloads `changing` (the analyst search, a new time,
#      request id and usage every call) and `mixed` (every worked example of the contract);
#   2. sidecar:    OPA's REST server (opa run --server on loopback, POST /v1/data/vectorgate/decision);
#   3. opa bench:  OPA's Go evaluator in-process (topdown), query time only.
# Prints a markdown table (paste into docs/performance.md); raw results in benchmarks/target/results/.
# Env: JMH_OPTS (default "-f 1 -wi 3 -w 3s -i 4 -r 4s"), ENGINES (default "plan,wasm"),
# WORKLOADS (default "changing,mixed"), SIDECAR_SECONDS (default 15).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/bootstrap.sh
echo "engine-bench: building benchmarks.jar" >&2
# Only this module: engine, model and rego-policies come from ~/.m2 (their owners install them;
# never -am in the shared checkout).
mvn -B -q -ntp -o -DskipTests package -pl benchmarks
uptime > "$root/benchmarks/target/uptime-start.txt"

opa="$root/tools/bin/opa"
policy="$root/rego-policies/src/main/rego"
data="$root/samples/org/data.json"
input="$root/rego-policies/src/test/resources/examples/search.input.json"
out="$root/benchmarks/target/results"
jar="$root/benchmarks/target/benchmarks.jar"
mkdir -p "$out"
JMH_OPTS="${JMH_OPTS:--f 1 -wi 3 -w 3s -i 4 -r 4s}"
ENGINES="${ENGINES:-plan,wasm}"
WORKLOADS="${WORKLOADS:-changing,mixed}"
SIDECAR_SECONDS="${SIDECAR_SECONDS:-15}"

for t in 1 2; do
  echo "engine-bench: [1/3] in-process decide, $t thread(s)" >&2
  # shellcheck disable=SC2086
  java -Dvectorgate.root="$root" -jar "$jar" DecideBenchmark -t "$t" -p engine="$ENGINES" -p workload="$WORKLOADS" $JMH_OPTS \
    -rf json -rff "$out/jmh-t$t.json" > "$out/jmh-t$t.log"
done

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
echo "engine-bench: [2/3] OPA REST sidecar on 127.0.0.1:$port" >&2
"$opa" run --server --addr "127.0.0.1:$port" --log-level error "$policy" "$data" > "$out/opa-server.log" 2>&1 &
opa_pid=$!
trap 'kill "$opa_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
for t in 1 2; do
  java -cp "$jar" io.vectorgate.benchmarks.SidecarLoad "http://127.0.0.1:$port/v1/data/vectorgate/decision" \
    "$input" "$t" 5 "$SIDECAR_SECONDS" > "$out/sidecar-t$t.json"
done
kill "$opa_pid" 2>/dev/null || true
wait "$opa_pid" 2>/dev/null || true
trap - EXIT

echo "engine-bench: [3/3] opa bench (Go topdown, in-process)" >&2
"$opa" bench -d "$policy" -d "$data" -i "$input" -f json 'data.vectorgate.decision' > "$out/opa-bench.json"

uptime > "$out/uptime-end.txt"
cp "$root/benchmarks/target/uptime-start.txt" "$out/uptime-start.txt"

python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
print("load while measuring: start `" + open(os.path.join(out, "uptime-start.txt")).read().strip()
      + "`, end `" + open(os.path.join(out, "uptime-end.txt")).read().strip() + "`")
print()
rows = []
names = {"plan": "plan IR evaluator", "wasm": "opa-java-wasm"}
inproc = {}
for t in (1, 2):
    for res in json.load(open(os.path.join(out, f"jmh-t{t}.json"))):
        r = res["primaryMetric"]; prm = res["params"]
        p = r["scorePercentiles"]
        tput = t / (r["score"] / 1e6)  # closed loop: threads / mean latency
        inproc[(prm["engine"], prm["workload"], t)] = p["50.0"]
        rows.append((f"in-process `decide` ({names.get(prm['engine'], prm['engine'])}, {prm['workload']}), {t} thread(s)",
                     p["50.0"], p["99.0"], tput))
for t in (1, 2):
    s = json.load(open(os.path.join(out, f"sidecar-t{t}.json")))
    rows.append((f"OPA REST sidecar (`opa run --server`, loopback), {t} thread(s)", s["p50_us"], s["p99_us"], s["ops_per_s"]))
b = json.load(open(os.path.join(out, "opa-bench.json")))["Extra"]
rows.append(("`opa bench` (OPA Go topdown, in-process, 1 thread)",
             b["histogram_timer_rego_query_eval_ns_median"] / 1000, b["histogram_timer_rego_query_eval_ns_99%"] / 1000, None))
print("| path | p50 (µs) | p99 (µs) | throughput (ops/s) |")
print("|---|---:|---:|---:|")
for name, p50, p99, tput in rows:
    print(f"| {name} | {p50:.1f} | {p99:.1f} | {'' if tput is None else f'{tput:.0f}'} |")
import re
for t in (1, 2):
    for line in open(os.path.join(out, f"jmh-t{t}.log")):
        m = re.search(r"memo-stats engine=(\S+) workload=(\S+) hits=(\d+) lookups=(\d+) hit_rate=(\S+)", line)
        if m:
            print(f"- memo ({m.group(1)}, {m.group(2)}, {t} thread(s)): {m.group(3)} hits of {m.group(4)} rule look-ups"
                  f" ({float(m.group(5)) * 100:.1f}%)")
sc = rows[-3][1]; ob = rows[-1][1]
print()
for (eng, wl, t), ip in sorted(inproc.items()):
    if t == 1:
        print(f"- {eng}, {wl}: sidecar p50 / in-process p50 = {sc/ip:.1f}x; opa bench p50 / in-process p50 = {ob/ip:.2f}x")
PY
