#!/usr/bin/env bash
# Recording benchmark (issue 6): the same pymilvus search workload as milvus-gateway-bench.sh (analyst
# bob on the sample `docs` collection: decision, tenant row filter, vector stripping) through two
# gateways in one run, in front of the same Milvus Lite: one without recording, one with
# `recording:` (defaults: every_record fsync group commit, fail closed, queued acknowledgements,
# SQLite index). Reports the added latency of recording at p50/p99 (1 client process, runs
# alternated) and the throughput ratio at saturation (PROCS client processes), and checks that the
# recording holds at least one request entry per request the clients made and that its chain verifies.
# Env: SECONDS_PER_RUN (default 15), PROCS (default 4), ROUNDS (latency rounds per gateway, default 2),
# WARMUP_SECONDS (load on each gateway before measuring, discarded; default 60),
# SKIP_BUILD=1 (use proxy/target/classes as built; no maven install), RECORDING_OPTIONS (extra
# settings of the recording section as space-separated key=value, e.g. "fsync=interval index=none").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-15}"
PROCS="${PROCS:-4}"
ROUNDS="${ROUNDS:-2}"
WARMUP_SECONDS="${WARMUP_SECONDS:-60}"
work="$root/benchmarks/target/recording-bench"
rm -rf "$work"; mkdir -p "$work"
. "$root/benchmarks/lib.sh"
off_port="$(free_port)"; on_port="$(free_port)"; oidc_port="$(free_port)"

if [ "${SKIP_BUILD:-0}" != "1" ]; then
  scripts/bootstrap.sh
  echo "recording-bench: building the gateway" >&2
  mvn -q -B -ntp -pl proxy -am -DskipTests install
fi
reactor_classpath proxy,cli
cp "$root/proxy/target/bench-classpath.txt" "$work/classpath.txt"
cp "$root/cli/target/bench-classpath.txt" "$work/cli-classpath.txt"
cp="$root/proxy/target/test-classes:$root/proxy/target/classes:$(cat "$work/classpath.txt")"

start_milvus_lite

# budgets raised out of reach (a load run would exhaust bob's requests/minute); the same rules are evaluated
raise_budgets "$work/data.json"
config() {  # $1 = listener port
  demo_config milvus-demo 127.0.0.1:19530 "$1" 127.0.0.1:19531 "$milvus_port" "$oidc_port" "$work/data.json"
}
config "$off_port" > "$work/gateway-off.yaml"
{ config "$on_port"; printf 'recording:\n  directory: %s\n' "$work/recording"
  for kv in ${RECORDING_OPTIONS:-}; do printf '  %s: %s\n' "${kv%%=*}" "${kv#*=}"; done; } > "$work/gateway-on.yaml"
export VECTORGATE_MILVUS_CREDENTIAL="root:Milvus"
export VECTORGATE_MASK_KEY="0123456789abcdef0123456789abcdef"
jvm=(java -Dvectorgate.root="$root" -Dvectorgate.opa="$root/tools/bin/opa" -Dlogback.configurationFile="$work/logback.xml" -cp "$cp")
cat > "$work/logback.xml" <<'XML'
<configuration>
  <appender name="F" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>%d %-5level %logger{24} %msg%n</pattern></encoder></appender>
  <logger name="io.vectorgate.requests" level="WARN"/>
  <root level="INFO"><appender-ref ref="F"/></root>
</configuration>
XML
# gateway without recording + the demo OIDC provider (writes the tokens); then the recording gateway, same issuer
start_demo_gateway gateway-off "$work/gateway-off.yaml" "$oidc_port" "$off_port" \
  -Dlogback.configurationFile="$work/logback.xml" -cp "$cp"
off_pid="$demo_pid"
jfr=(); [ -n "${JFR:-}" ] && jfr=(-XX:StartFlightRecording=filename="$work/on.jfr",settings=profile)
"${jvm[@]:0:1}" "${jfr[@]}" "${jvm[@]:1}" io.vectorgate.proxy.GatewayMain --config "$work/gateway-on.yaml" >"$work/gateway-on.out" 2>"$work/gateway-on.log" &
on_pid=$!
pids+=($on_pid)
wait_port "$on_port"
token="$(token_of bob)"

py="$root/.venv/bin/python"
# CPU seconds a gateway JVM used (user+system, from /proc): CPU per request does not depend on what
# else the shared machine is doing, unlike ops/s
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
run() {  # name pid args...: runs the driver, adds the gateway's CPU seconds to its JSON
  local name="$1" pid="$2"; shift 2
  local c0; c0="$(cpu "$pid")"
  "$py" "$root/python/bench_milvus.py" --seconds "$SECONDS_PER_RUN" --name "$name" "$@" > "$work/tmp.json"
  python3 - "$work/tmp.json" "$c0" "$(cpu "$pid")" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); r["gateway_cpu_s"] = float(sys.argv[3]) - float(sys.argv[2]); print(json.dumps(r))
PY
}
# both JVMs are warmed up first (JIT; see the Milvus gateway section of docs/performance.md), discarded
echo "recording-bench: warm-up, ${WARMUP_SECONDS}s per gateway" >&2
"$py" "$root/python/bench_milvus.py" --seconds "$WARMUP_SECONDS" --name warm --uri "http://127.0.0.1:$off_port" \
  --token "$token" --procs "$PROCS" > /dev/null
"$py" "$root/python/bench_milvus.py" --seconds "$WARMUP_SECONDS" --name warm --uri "http://127.0.0.1:$on_port" \
  --token "$token" --procs "$PROCS" > /dev/null
echo "recording-bench: latency, 1 process, $ROUNDS alternated rounds" >&2
for i in $(seq 1 "$ROUNDS"); do
  run off "$off_pid" --uri "http://127.0.0.1:$off_port" --token "$token" --procs 1 > "$work/off-1-$i.json"
  run on "$on_pid" --uri "http://127.0.0.1:$on_port" --token "$token" --procs 1 > "$work/on-1-$i.json"
done
echo "recording-bench: saturation, $PROCS processes" >&2
run off "$off_pid" --uri "http://127.0.0.1:$off_port" --token "$token" --procs "$PROCS" > "$work/off-n.json"
run on "$on_pid" --uri "http://127.0.0.1:$on_port" --token "$token" --procs "$PROCS" > "$work/on-n.json"

# stop the recording gateway cleanly (seals the segment), then check the recording
kill -TERM "$on_pid"; wait "$on_pid" 2>/dev/null || true
requests=$(python3 - "$work" <<'PY'
import glob, gzip, json, os, sys
n = 0
for f in sorted(glob.glob(os.path.join(sys.argv[1], "recording", "segment-*"))):
    op = gzip.open if f.endswith(".gz") else open
    with op(f, "rt") as fh:
        for line in fh:
            if '"kind":"request"' in line:
                n += 1
print(n)
PY
)
index_opt=(); [ -f "$work/recording/index.sqlite" ] || index_opt=(--index none)
java -cp "$root/cli/target/classes:$(cat "$work/cli-classpath.txt")" io.vectorgate.cli.VectorgateCli sessions verify \
  --dir "$work/recording" "${index_opt[@]}" > "$work/verify.txt" 2>&1 || true

python3 - "$work" "$PROCS" "$ROUNDS" "$requests" <<'PY'
import json, sys, os, statistics
w, procs, rounds, recorded = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def load(n): return json.load(open(os.path.join(w, n + ".json")))
off1 = [load(f"off-1-{i}") for i in range(1, rounds + 1)]
on1 = [load(f"on-1-{i}") for i in range(1, rounds + 1)]
offn, onn = load("off-n"), load("on-n")
med = lambda xs, k: statistics.median(x[k] for x in xs)
print("| run | p50 (µs) | p99 (µs) | ops/s |")
print("|---|---:|---:|---:|")
print(f"| recording off, 1 client (median of {rounds}) | {med(off1,'p50_us'):.0f} | {med(off1,'p99_us'):.0f} | {med(off1,'ops_per_s'):.0f} |")
print(f"| recording on, 1 client (median of {rounds}) | {med(on1,'p50_us'):.0f} | {med(on1,'p99_us'):.0f} | {med(on1,'ops_per_s'):.0f} |")
print(f"| recording off, {procs} clients | {offn['p50_us']:.0f} | {offn['p99_us']:.0f} | {offn['ops_per_s']:.0f} |")
print(f"| recording on, {procs} clients | {onn['p50_us']:.0f} | {onn['p99_us']:.0f} | {onn['ops_per_s']:.0f} |")
print()
print(f"recording adds p50 = {med(on1,'p50_us') - med(off1,'p50_us'):.0f} µs, p99 = {med(on1,'p99_us') - med(off1,'p99_us'):.0f} µs; "
      f"throughput at saturation on/off = {100 * onn['ops_per_s'] / offn['ops_per_s']:.0f}%")
def cpu_per_req(xs):
    reqs = sum(x.get("requests", x["samples"]) for x in xs)
    return 1e6 * sum(x["gateway_cpu_s"] for x in xs) / reqs
c_off, c_on = cpu_per_req(off1 + [offn]), cpu_per_req(on1 + [onn])
print(f"gateway CPU per request (all runs): off {c_off:.0f} µs, on {c_on:.0f} µs: recording costs {c_on - c_off:.0f} µs"
      f" of CPU per request ({100 * (c_on - c_off) / c_off:.0f}% more; the throughput a CPU-bound gateway loses)")
sent = sum(x["samples"] for x in on1) + onn["samples"]
print(f"request entries in the recording: {recorded} (searches the measured runs completed: {sent}; the rest are the"
      f" warm-ups' searches and a few client handshakes, e.g. Connect)")
print("verify: " + next((l for l in open(os.path.join(w, "verify.txt")) if l.startswith(("OK", "FAILED", "vectorgate:"))), "no result").strip())
PY
