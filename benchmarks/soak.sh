#!/usr/bin/env bash
# Soak test of the recording gateway (issue 16): a steady request rate through a Milvus gateway with
# recording on, for DURATION_SECONDS, sampling the gateway JVM every SAMPLE_SECONDS: heap used after a
# full GC (jcmd GC.run, then GC.heap_info), open file descriptors (/proc/<pid>/fd), threads
# (/proc/<pid>/status) and RSS, into $work/soak.csv. The client (pymilvus, analyst bob, search on the
# sample `docs` collection: decision, row filter, vector stripping) paces itself to RATE requests/s
# and opens a new connection every RECONNECT_EVERY requests, so sessions start and end all the time.
# At the end: the gateway is stopped (seals the recording), the recording's chain is verified, its
# request entries are counted against the requests made, and a verdict is printed:
#   heap: FLAT when the least-squares trend of heap-after-GC over the samples after the warm-up (the
#         first WARMUP_FRACTION of the run) projects less than max(10% of its median, 16 MiB) of growth
#         over that span; fds/threads: FLAT when the median of the last third of those samples is at
#         most 2 above the median of the first third.
# Exit status: 0 flat, 1 growing, other: the run itself failed.
# Env: DURATION_SECONDS (default 1800), RATE (default 100), SAMPLE_SECONDS (default 15),
# RECONNECT_EVERY (default 200), WARMUP_FRACTION (default 0.2), RECORDING_OPTIONS (extra keys of the
# `recording:` section as space-separated key=value, e.g. "acknowledge=durable fsync=interval"),
# HEAP (gateway -Xmx, default 512m), SKIP_BUILD=1 (use the modules' target/ as built).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
DURATION_SECONDS="${DURATION_SECONDS:-1800}"
RATE="${RATE:-100}"
SAMPLE_SECONDS="${SAMPLE_SECONDS:-15}"
RECONNECT_EVERY="${RECONNECT_EVERY:-200}"
WARMUP_FRACTION="${WARMUP_FRACTION:-0.2}"
HEAP="${HEAP:-512m}"
work="$root/benchmarks/target/soak"
rm -rf "$work"; mkdir -p "$work"
. "$root/benchmarks/lib.sh"
gw_port="$(free_port)"; oidc_port="$(free_port)"

if [ "${SKIP_BUILD:-0}" != "1" ]; then
  echo "soak: compiling the gateway and the CLI (no install)" >&2
  mvn -q -B -o -ntp -pl proxy,cli -am test-compile >&2
fi
reactor_classpath proxy,cli
cp "$root/proxy/target/bench-classpath.txt" "$work/classpath.txt"
cp "$root/cli/target/bench-classpath.txt" "$work/cli-classpath.txt"
# this checkout's module classes first: they shadow any vectorgate jars of the local repository
modules=""
for m in model engine proxy-core recorder approvals rollout proxy; do modules="$modules:$root/$m/target/classes"; done
cp="$root/proxy/target/test-classes${modules}:$(cat "$work/classpath.txt")"
cli_cp="$root/cli/target/classes${modules}:$(cat "$work/cli-classpath.txt")"

start_milvus_lite

# budgets raised out of reach (a steady load would exhaust bob's requests/minute); the same rules are evaluated
raise_budgets "$work/data.json"
{ demo_config milvus-demo 127.0.0.1:19530 "$gw_port" 127.0.0.1:19531 "$milvus_port" "$oidc_port" "$work/data.json"
  printf 'recording:\n  directory: %s\n' "$work/recording"
  for kv in ${RECORDING_OPTIONS:-}; do printf '  %s: %s\n' "${kv%%=*}" "${kv#*=}"; done; } > "$work/gateway.yaml"
export VECTORGATE_MILVUS_CREDENTIAL="root:Milvus"
export VECTORGATE_MASK_KEY="0123456789abcdef0123456789abcdef"
cat > "$work/logback.xml" <<'XML'
<configuration>
  <appender name="F" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>%d %-5level %logger{24} %msg%n</pattern></encoder></appender>
  <logger name="io.vectorgate.requests" level="WARN"/>
  <root level="INFO"><appender-ref ref="F"/></root>
</configuration>
XML
# one JVM: the recording gateway and the demo OIDC provider that issues the client's token
start_demo_gateway gateway "$work/gateway.yaml" "$oidc_port" "$gw_port" -XX:+UseG1GC -Xms"$HEAP" -Xmx"$HEAP" \
  -Dlogback.configurationFile="$work/logback.xml" -cp "$cp"
gw_pid="$demo_pid"
token="$(token_of bob)"

# the client: RATE searches/s, paced (open loop: a late request does not speed up the next ones beyond
# catching up one second), a new connection every RECONNECT_EVERY requests; every response is checked
cat > "$work/client.py" <<'PY'
import json, logging, os, sys, time
from pymilvus import MilvusClient
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
uri, token, rate, seconds, reconnect, progress = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
vec = [[4.0, 1.0, 0.5, 0.25]]
connections = 0
def connect():  # a cold gateway on a busy machine can take longer than pymilvus's default 10 s handshake
    global connections
    for attempt in range(3):
        try:
            # its own channel, closed by close(); and its own TCP connection: gRPC's global subchannel pool would
            # let a channel made right after another's close() reuse that connection (the gateway then sees one
            # connection, so one recorded session, for two clients)
            c = MilvusClient(uri=uri, token=token, timeout=60, dedicated=True,
                             grpc_options={"grpc.use_local_subchannel_pool": 1})
            connections += 1
            return c
        except Exception as e:
            print(f"connect attempt {attempt + 1} failed: {e}", file=sys.stderr)
    raise SystemExit("cannot connect to the gateway")
client = connect()
start = time.monotonic()
n = late = 0
while True:
    due = start + n / rate
    now = time.monotonic()
    if now - start >= seconds:
        break
    if due > now:
        time.sleep(due - now)
    elif now - due > 1.0:
        late += 1
    res = client.search("docs", data=vec, limit=5, output_fields=["title"])
    if not res or len(res[0]) == 0:
        raise SystemExit("search returned no hits: the soak setup is wrong")
    n += 1
    if n % reconnect == 0:
        client.close()
        client = connect()
    if n % 100 == 0:  # replaced whole: the sampler never reads a half-written file
        with open(progress + ".tmp", "w") as f:
            f.write(str(n))
        os.replace(progress + ".tmp", progress)
client.close()
print(json.dumps({"requests": n, "seconds": time.monotonic() - start, "late_over_1s": late, "connections": connections}))
PY
"$root/.venv/bin/python" "$work/client.py" "http://127.0.0.1:$gw_port" "$token" "$RATE" "$DURATION_SECONDS" \
  "$RECONNECT_EVERY" "$work/progress" > "$work/client.json" &
client_pid=$!
pids+=($client_pid)

echo "elapsed_s,heap_after_gc_kb,fds,threads,rss_kb,requests" > "$work/soak.csv"
sample() {
  jcmd "$gw_pid" GC.run >/dev/null
  local heap fds threads rss
  # the heap lines ("... total NK, used NK ...": one for G1, one per generation otherwise), before Metaspace
  heap="$(jcmd "$gw_pid" GC.heap_info | awk '/Metaspace/ { exit } /total/ { for (i = 1; i < NF; i++) if ($i == "used") { v = $(i+1); gsub(/[^0-9]/, "", v); s += v } } END { print s + 0 }')"
  fds="$(ls "/proc/$gw_pid/fd" | wc -l)"
  threads="$(awk '/^Threads:/ {print $2}' "/proc/$gw_pid/status")"
  rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$gw_pid/status")"
  echo "$(( $(date +%s) - t0 )),$heap,$fds,$threads,$rss,$(cat "$work/progress" 2>/dev/null || echo 0)" >> "$work/soak.csv"
}
echo "soak: ${DURATION_SECONDS}s at ${RATE}/s, sampling every ${SAMPLE_SECONDS}s into $work/soak.csv; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
t0="$(date +%s)"
while kill -0 "$client_pid" 2>/dev/null; do
  sample
  sleep "$SAMPLE_SECONDS"
done
wait "$client_pid"
sample

# stop the gateway cleanly (ends the sessions, seals the segment), then check the recording
kill -TERM "$gw_pid"; wait "$gw_pid" 2>/dev/null || true
read -r requests sessions <<<"$(python3 - "$work" <<'PY'
import glob, gzip, os, sys
n = starts = ends = 0
for f in sorted(glob.glob(os.path.join(sys.argv[1], "recording", "segment-*"))):
    op = gzip.open if f.endswith(".gz") else open
    with op(f, "rt") as fh:
        for line in fh:
            n += '"kind":"request"' in line and 'MilvusService/Search"' in line
            starts += '"kind":"session_start"' in line
            ends += '"kind":"session_end"' in line
print(n, f"{starts}/{ends}")
PY
)"
index_opt=(); [ -f "$work/recording/index.sqlite" ] || index_opt=(--index none)
java -cp "$cli_cp" io.vectorgate.cli.VectorgateCli sessions verify --dir "$work/recording" "${index_opt[@]}" \
  > "$work/verify.txt" 2>&1 || true

python3 - "$work" "$WARMUP_FRACTION" "$requests" "$sessions" <<'PY'
import csv, json, os, statistics, sys
w, warm, recorded, sessions = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
# a field a sample could not read (e.g. the progress file of a run before it was replaced atomically) is NaN
rows = [{k: float(v) if v not in ("", None) else float("nan") for k, v in r.items()}
        for r in csv.DictReader(open(os.path.join(w, "soak.csv")))]
client = json.load(open(os.path.join(w, "client.json")))
end = rows[-1]["elapsed_s"]
kept = [r for r in rows if r["elapsed_s"] >= warm * end]
if len(kept) < 6:
    raise SystemExit(f"only {len(kept)} samples after the warm-up: run longer or sample more often")
def trend(key):  # least-squares slope per second
    xs = [r["elapsed_s"] for r in kept]; ys = [r[key] for r in kept]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
span = kept[-1]["elapsed_s"] - kept[0]["elapsed_s"]
third = max(1, len(kept) // 3)
first, last = kept[:third], kept[-third:]
heap_med = statistics.median(r["heap_after_gc_kb"] for r in kept)
heap_growth = trend("heap_after_gc_kb") * span
heap_limit = max(0.10 * heap_med, 16 * 1024)
verdicts = {"heap": heap_growth <= heap_limit}
print(f"requests: {client['requests']} in {client['seconds']:.0f} s ({client['requests'] / client['seconds']:.1f}/s; "
      f"{client['late_over_1s']} more than 1 s behind schedule); search entries in the recording: {recorded}; "
      f"sessions started/ended: {sessions} (client connections: {client.get('connections', '?')})")
print(f"samples: {len(rows)} ({len(kept)} after the first {warm:.0%} of the run)")
print(f"heap after GC: median {heap_med / 1024:.1f} MiB, first {kept[0]['heap_after_gc_kb'] / 1024:.1f}, last "
      f"{kept[-1]['heap_after_gc_kb'] / 1024:.1f}; trend {trend('heap_after_gc_kb') * 60 / 1024:+.3f} MiB/min = "
      f"{heap_growth / 1024:+.1f} MiB over {span:.0f} s (limit {heap_limit / 1024:.1f}): {'FLAT' if verdicts['heap'] else 'GROWING'}")
for key in ("fds", "threads"):
    a, b = statistics.median(r[key] for r in first), statistics.median(r[key] for r in last)
    verdicts[key] = b - a <= 2
    print(f"{key}: median first third {a:.0f}, last third {b:.0f}, min {min(r[key] for r in kept):.0f}, "
          f"max {max(r[key] for r in kept):.0f}: {'FLAT' if verdicts[key] else 'GROWING'}")
print(f"RSS: first {kept[0]['rss_kb'] / 1024:.0f} MiB, last {kept[-1]['rss_kb'] / 1024:.0f} MiB (informational: the JVM grows into -Xmx)")
print("verify: " + next((l for l in open(os.path.join(w, "verify.txt")) if l.startswith(("OK", "FAILED", "vectorgate:"))), "no result").strip())
if recorded < client["requests"]:
    print(f"recording holds fewer search entries ({recorded}) than searches made ({client['requests']})")
    sys.exit(3)
growing = [k for k, ok in verdicts.items() if not ok]
print("verdict: " + ("FLAT" if not growing else "GROWING (" + ", ".join(growing) + ")"))
sys.exit(1 if growing else 0)
PY
