#!/usr/bin/env bash
# Chroma gateway benchmark (issue 5): the chromadb v2 query POST
# (/api/v2/tenants/default_tenant/databases/default_database/collections/{id}/query) direct to Chroma
# (HTTP/1.1) vs through the gateway's HTTP listener as the sample analyst bob (token check, policy
# decision, tenant row filter injected, vectors stripped, response rewritten) over HTTP/1.1 and h2c,
# in one run. The load driver is io.vectorgate.benchmarks.HttpLoad (JDK HttpClient, one connection
# per thread, every response checked: 200, requested HTTP version, non-empty ids).
# Reports added latency p50/p99 (1 thread) and throughput at saturation (THREADS threads) as a ratio
# gateway/direct. The direct body carries the analyst's row filter already, so Chroma does the same
# work on both paths. Prints a markdown table; raw results in benchmarks/target/chroma-bench/.
#
# Env: SECONDS_PER_RUN (default 15), WARMUP_SECONDS (default 5), THREADS (default 4), ROUNDS (default 1:
#      each round runs every variant once, in order; the table shows the median over rounds),
#      GATEWAY_WARMUP_SECONDS (default 20: unreported load on the gateway, per protocol, before measuring),
#      ROWS (default 1000), DIM (default 128), N_RESULTS (default 10),
#      CHROMA_LOG (default warn: RUST_LOG for Chroma, whose INFO level writes ~20 lines per query),
#      SKIP_BUILD=1 to reuse proxy/target and ~/.m2 as they are (no Maven run for the proxy),
#      GATEWAY_JAVA_OPTS for extra JVM options of the gateway (e.g. -XX:StartFlightRecording=... to profile).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-15}"
WARMUP_SECONDS="${WARMUP_SECONDS:-5}"
THREADS="${THREADS:-4}"
ROUNDS="${ROUNDS:-1}"
GATEWAY_WARMUP_SECONDS="${GATEWAY_WARMUP_SECONDS:-20}"
ROWS="${ROWS:-1000}"
DIM="${DIM:-128}"
N_RESULTS="${N_RESULTS:-10}"
CHROMA_LOG="${CHROMA_LOG:-warn}"
work="$root/benchmarks/target/chroma-bench"
rm -rf "$work"; mkdir -p "$work/results"
. "$root/benchmarks/lib.sh"
chroma_port="$(free_port)"; gateway_port="$(free_port)"; oidc_port="$(free_port)"

scripts/bootstrap.sh
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "chroma-bench: building the gateway" >&2
  mvn -q -B -ntp -pl proxy -am -DskipTests install
fi
echo "chroma-bench: building benchmarks.jar" >&2
mvn -q -B -ntp -o -DskipTests package -pl benchmarks
reactor_classpath proxy
cp "$root/proxy/target/bench-classpath.txt" "$work/classpath.txt"
# Snapshot the gateway's classes and the load driver: others rebuild proxy/target in this checkout,
# so copy while nothing changes (same listing, sizes and times before and after the copy).
tree_state() { find "$root/proxy/target/classes" "$root/proxy/target/test-classes" -type f -printf '%P %s %T@\n' | sort | md5sum; }
for attempt in $(seq 1 30); do
  rm -rf "$work/proxy-classes" "$work/proxy-test-classes"
  before_state="$(tree_state)"
  cp -r "$root/proxy/target/classes" "$work/proxy-classes"
  cp -r "$root/proxy/target/test-classes" "$work/proxy-test-classes"
  [ "$before_state" = "$(tree_state)" ] && [ -f "$work/proxy-test-classes/io/vectorgate/proxy/demo/DemoMain.class" ] && break
  [ "$attempt" = 30 ] && { echo "chroma-bench: proxy/target kept changing (a concurrent build?)" >&2; exit 1; }
  echo "chroma-bench: proxy/target changed while copying, retrying" >&2; sleep 5
done
cp "$root/benchmarks/target/benchmarks.jar" "$work/benchmarks.jar"

echo "chroma-bench: Chroma on 127.0.0.1:$chroma_port" >&2
ANONYMIZED_TELEMETRY=False RUST_LOG="$CHROMA_LOG" "$root/.venv/bin/chroma" run --host 127.0.0.1 --port "$chroma_port" \
  --path "$work/chroma-data" >"$work/chroma.log" 2>&1 &
pids+=($!)
wait_port "$chroma_port"
"$root/.venv/bin/python" "$root/python/bench_chroma_setup.py" --url "http://127.0.0.1:$chroma_port" --out "$work" \
  --rows "$ROWS" --dim "$DIM" --n-results "$N_RESULTS" >&2
collection_id="$(cat "$work/collection_id")"

# The sample organisation with the analysts' request and row budgets raised out of reach (600
# requests/minute, 50000 rows/hour would deny most of a load run): the same rules are evaluated.
raise_budgets "$work/data.json"
demo_config chroma-demo 127.0.0.1:8000 "$gateway_port" 127.0.0.1:8001 "$chroma_port" "$oidc_port" "$work/data.json" \
  > "$work/gateway.yaml"

echo "chroma-bench: gateway on 127.0.0.1:$gateway_port (OIDC provider on localhost:$oidc_port)" >&2
# shellcheck disable=SC2086 # GATEWAY_JAVA_OPTS holds several options
VECTORGATE_CHROMA_CREDENTIAL="bench-chroma-credential" VECTORGATE_MASK_KEY="0123456789abcdef0123456789abcdef" \
  start_demo_gateway gateway "$work/gateway.yaml" "$oidc_port" "$gateway_port" ${GATEWAY_JAVA_OPTS:-} \
  -cp "$work/proxy-test-classes:$work/proxy-classes:$(cat "$work/classpath.txt")"
token="$(token_of bob)"
gateway_pid="$demo_pid"
# The floor (issue 16): the same Netty server, worker hand-off and JDK HttpClient passing requests through
# with nothing else (no token, JSON, decision); it gets the row-filtered body, so Chroma does the same work.
floor_port="$(free_port)"
java -cp "$work/proxy-test-classes:$work/proxy-classes:$(cat "$work/classpath.txt")" \
  io.vectorgate.proxy.bench.HttpFloorProxy "$floor_port" "http://127.0.0.1:$chroma_port" \
  >"$work/floor.out" 2>"$work/floor.log" &
floor_pid=$!; pids+=("$floor_pid")
wait_port "$floor_port"

direct="http://127.0.0.1:$chroma_port/api/v2/tenants/default_tenant/databases/default_database/collections/$collection_id/query"
gateway="http://127.0.0.1:$gateway_port/api/v2/tenants/default_tenant/databases/default_database/collections/$collection_id/query"
floor="http://127.0.0.1:$floor_port/api/v2/tenants/default_tenant/databases/default_database/collections/$collection_id/query"

# One query each way, compared: the gateway's answer is the direct answer to the row-filtered query
# (same ids, documents, metadatas, distances; only acme rows; no embeddings).
python3 - "$direct" "$gateway" "$work" "$token" "$N_RESULTS" <<'PY'
import json, sys, urllib.request
direct, gateway, work, token, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def post(url, body, headers):
    req = urllib.request.Request(url, data=open(body, "rb").read(), method="POST",
                                 headers=dict({"Content-Type": "application/json"}, **headers))
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)
d = post(direct, f"{work}/query-direct.json", {})
g = post(gateway, f"{work}/query-gateway.json", {"Authorization": f"Bearer {token}"})
problems = []
if len(g["ids"][0]) != n: problems.append(f"gateway returned {len(g['ids'][0])} ids, expected {n}")
for k in ("ids", "documents", "metadatas"):
    if g[k] != d[k]: problems.append(f"{k} differ: gateway {g[k]} direct {d[k]}")
if any(abs(x - y) > 1e-5 for x, y in zip(g["distances"][0], d["distances"][0])): problems.append("distances differ")
if any(m["tenant_id"] != "acme" for m in g["metadatas"][0]): problems.append("non-acme rows through the gateway")
if g.get("embeddings") not in (None, [None]): problems.append("embeddings came back through the gateway")
if problems:
    sys.exit("chroma-bench: the gateway's answer is not the direct answer: " + "; ".join(problems))
print(f"chroma-bench: check ok: {n} acme rows, gateway answer == direct row-filtered answer", file=sys.stderr)
PY

load() {
  java -cp "$work/benchmarks.jar" io.vectorgate.benchmarks.HttpLoad --warmup "$WARMUP_SECONDS" \
    --seconds "$SECONDS_PER_RUN" --expect '"ids":[["' "$@"
}
# What the gateway saw during one run: protocol and its own latency_us of each request log line.
gateway_lines() {
  tail -n +"$(( $1 + 1 ))" "$work/gateway.log" \
    | { grep -o 'event=request .*protocol=[^ ]* .*status=[0-9]* latency_us=[0-9]*' || true; } \
    | sed -E 's/.*protocol=([^ ]*) .*status=([0-9]*) latency_us=([0-9]*)/\1 \2 \3/'
}
run_variant() { # name threads round
  local name="$1" threads="$2" r="$3" before out="$work/results/$1-t$2-r$3.json" cpu_pid t0
  before="$(wc -l < "$work/gateway.log")"
  case "$name" in direct) cpu_pid="" ;; floor-h1) cpu_pid="$floor_pid" ;; *) cpu_pid="$gateway_pid" ;; esac
  t0="$( [ -n "$cpu_pid" ] && ticks "$cpu_pid" || echo 0)"
  case "$name" in
    direct) load --name direct --url "$direct" --body "$work/query-direct.json" --threads "$threads" "${@:4}" > "$out" ;;
    gateway-h1) load --name gateway-h1 --url "$gateway" --body "$work/query-gateway.json" --threads "$threads" \
                  --header "Authorization: Bearer $token" "${@:4}" > "$out" ;;
    floor-h1) load --name floor-h1 --url "$floor" --body "$work/query-direct.json" --threads "$threads" "${@:4}" > "$out" ;;
    gateway-h2) load --name gateway-h2 --url "$gateway" --body "$work/query-gateway.json" --threads "$threads" \
                  --http 2 --prime "http://127.0.0.1:$gateway_port/api/v2/heartbeat" \
                  --header "Authorization: Bearer $token" "${@:4}" > "$out" ;;
  esac
  # CPU per request of the JVM serving the run (warm-up of the run included), from /proc ticks
  [ -n "$cpu_pid" ] && echo "$(( $(ticks "$cpu_pid") - t0 )) $(getconf CLK_TCK)" > "$work/results/$name-t$threads-r$r.cpu"
  gateway_lines "$before" > "$work/results/$name-t$threads-r$r.gateway"
  echo "chroma-bench: $name, $threads thread(s), round $r: $(cat "$out")" >&2
}
# The gateway is a long-running JVM: warm it (JIT, policy instances, collection-id cache) over both
# protocols before measuring. Not reported.
uptime > "$work/uptime-start.txt"
echo "chroma-bench: warming the gateway for 2 x ${GATEWAY_WARMUP_SECONDS}s" >&2
run_variant gateway-h1 "$THREADS" warmup --warmup 0 --seconds "$GATEWAY_WARMUP_SECONDS"
run_variant gateway-h2 "$THREADS" warmup --warmup 0 --seconds "$GATEWAY_WARMUP_SECONDS"
run_variant floor-h1 "$THREADS" warmup --warmup 0 --seconds "$GATEWAY_WARMUP_SECONDS"
for r in $(seq 1 "$ROUNDS"); do
  for v in direct floor-h1 gateway-h1 gateway-h2; do run_variant "$v" 1 "$r"; done
  for v in direct floor-h1 gateway-h1 gateway-h2; do run_variant "$v" "$THREADS" "$r"; done
done
uptime > "$work/uptime-end.txt"

python3 - "$work" "$THREADS" "$ROUNDS" "$SECONDS_PER_RUN" "$WARMUP_SECONDS" "$ROWS" "$DIM" "$N_RESULTS" <<'PY'
import json, os, statistics, sys
w, threads, rounds, secs, warm, rows, dim, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:]
def med(name, t, key):
    return statistics.median(json.load(open(os.path.join(w, "results", f"{name}-t{t}-r{r}.json")))[key]
                             for r in range(1, rounds + 1))
def gateway_view(name, t):
    """What the gateway logged for the run(s): requests by protocol, every status, its own p50 latency."""
    if name in ("direct", "floor-h1"):
        return "-", "-"
    protos, statuses, lat = {}, set(), []
    for r in range(1, rounds + 1):
        for line in open(os.path.join(w, "results", f"{name}-t{t}-r{r}.gateway")):
            p, status, us = line.split()
            protos[p] = protos.get(p, 0) + 1
            statuses.add(status)
            lat.append(int(us))
    if not lat:
        return "none", "-"
    lat.sort()
    seen = ", ".join(f"{p} {c}" for p, c in sorted(protos.items())) + " (status " + "/".join(sorted(statuses)) + ")"
    return seen, f"{lat[len(lat) // 2]:.0f}"
def cpu(name, t):
    """CPU µs per request of the serving JVM (median over rounds), or - for direct."""
    if name == "direct":
        return "-"
    vals = []
    for r in range(1, rounds + 1):
        ticks, hz = open(os.path.join(w, "results", f"{name}-t{t}-r{r}.cpu")).read().split()
        res = json.load(open(os.path.join(w, "results", f"{name}-t{t}-r{r}.json")))
        reqs = res["requests"]  # every answered request of the run, its warm-up included, like the ticks
        vals.append(int(ticks) / float(hz) * 1e6 / reqs)
    return f"{statistics.median(vals):.0f}"
labels = {"direct": "direct to Chroma, HTTP/1.1", "floor-h1": "floor proxy (pass-through), HTTP/1.1",
          "gateway-h1": "through gateway, HTTP/1.1",
          "gateway-h2": "through gateway, HTTP/2 (h2c)"}
print(f"load while measuring: start `{open(os.path.join(w, 'uptime-start.txt')).read().strip()}`, "
      f"end `{open(os.path.join(w, 'uptime-end.txt')).read().strip()}`")
print(f"({rows} rows, dim {dim}, n_results {n}; {secs} s measured after {warm} s warm-up per run; "
      f"{rounds} round(s), median shown)")
print()
print("| run | threads | p50 (µs) | p99 (µs) | ops/s | CPU µs/req of the serving JVM | gateway's own p50 incl. upstream (µs) | requests the gateway logged |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for t in (1, threads):
    for v in ("direct", "floor-h1", "gateway-h1", "gateway-h2"):
        seen, own = gateway_view(v, t)
        print(f"| {labels[v]} | {t} | {med(v, t, 'p50_us'):.0f} | {med(v, t, 'p99_us'):.0f} | "
              f"{med(v, t, 'ops_per_s'):.0f} | {cpu(v, t)} | {own} | {seen} |")
print()
for v, label in (("gateway-h1", "HTTP/1.1"), ("gateway-h2", "HTTP/2")):
    print(f"- {label}: added latency p50 = {med(v, 1, 'p50_us') - med('direct', 1, 'p50_us'):.0f} µs, "
          f"p99 = {med(v, 1, 'p99_us') - med('direct', 1, 'p99_us'):.0f} µs; throughput at {threads} threads "
          f"gateway/direct = {100 * med(v, threads, 'ops_per_s') / med('direct', threads, 'ops_per_s'):.0f}%")
PY
