#!/usr/bin/env bash
# Engine warm-up benchmark: p50/p99 of the first DECISIONS decisions after an activation, with the
# engine's warm-up off and on, in separate JVMs that alternate (off, on, off, on, ...) so both see
# the same load. Two scenarios: "start" (a fresh JVM's first activation) and "swap" (a hot swap in a
# JVM that already served 10 × DECISIONS decisions on the previous bundle).
# Env: DECISIONS (default 2000), ROUNDS (default 3), WARMUP_ITERATIONS (default 2000 per instance),
# WARMUP_BUDGET_MS (default 2000), SCENARIOS (default "start swap"), SKIP_BUILD=1.
# Prints a markdown table; raw JSON lines in benchmarks/target/warmup-bench/.
#
# ENGINES="plan wasm" switches to the per-block mode (issue 15: "measure the first 2,000 decisions
# after start and after a swap"): no warm-up, the analyst search with a changing context (time,
# request id, usage), each engine in its own JVMs (engines and scenarios alternate, ROUNDS times),
# and a table of p50/p90/p99/max per block of BLOCK decisions (default 250) of the first DECISIONS.
# This mode runs the working tree's engine (compiled into engine/target/classes, as engine-ab.sh),
# not the installed jar.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -n "${ENGINES:-}" ]; then
  DECISIONS="${DECISIONS:-2000}"
  ROUNDS="${ROUNDS:-3}"
  BLOCK="${BLOCK:-250}"
  SCENARIOS="${SCENARIOS:-start swap}"
  out="$root/benchmarks/target/warmup-bench"
  mkdir -p "$out"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  mvn -B -q -o -ntp -pl engine -am compile
  mvn -B -q -o -ntp -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$tmp/cp.txt" >/dev/null
  deps="$(tr ':' '\n' < "$tmp/cp.txt" | grep -v '/io/vectorgate/' | paste -sd:)"
  cp="$tmp/runner:$root/engine/target/classes:$root/model/target/classes:$deps"
  mkdir -p "$tmp/runner"
  javac -nowarn -proc:none -d "$tmp/runner" -cp "$cp" \
    benchmarks/src/main/java/io/vectorgate/benchmarks/{FirstDecisions,DecideBenchmark}.java
  results="$out/blocks.jsonl"
  : > "$results"
  echo "start: $(uptime)" | tee "$out/uptime.txt" >&2
  for r in $(seq 1 "$ROUNDS"); do
    for s in $SCENARIOS; do
      for e in $ENGINES; do
        echo "warmup-bench: round $r scenario $s engine $e" >&2
        java -Dvectorgate.root="$root" -Dvectorgate.opa="$root/tools/bin/opa" -cp "$cp" \
          io.vectorgate.benchmarks.FirstDecisions 0 0 "$DECISIONS" "$s" "$e" "$BLOCK" 2>>"$out/stderr.log" \
          | tail -1 >> "$results"
      done
    done
  done
  echo "end: $(uptime)" | tee -a "$out/uptime.txt" >&2
  python3 - "$results" <<'PY'
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| scenario | engine | decisions | runs | p50 µs | p90 µs | p99 µs | max µs |")
print("|---|---|---|---:|---:|---:|---:|---:|")
for sc in dict.fromkeys(r["scenario"] for r in rows):
    for e in dict.fromkeys(r["engine"] for r in rows):
        g = [r for r in rows if r["scenario"] == sc and r["engine"] == e]
        for i, b in enumerate(g[0]["blocks"]):
            med = lambda k: statistics.median(r["blocks"][i][k] for r in g)
            print(f"| {sc} | {e} | {b['from']}-{b['to']} | {len(g)} | {med('p50_us'):.1f} | {med('p90_us'):.1f} | "
                  f"{med('p99_us'):.1f} | {med('max_us'):.1f} |")
print()
print("medians over the runs of each row; fail-closed decisions (all runs):", sum(r["fail_closed"] for r in rows))
PY
  exit 0
fi
DECISIONS="${DECISIONS:-2000}"
ROUNDS="${ROUNDS:-3}"
WARMUP_ITERATIONS="${WARMUP_ITERATIONS:-2000}"
WARMUP_BUDGET_MS="${WARMUP_BUDGET_MS:-2000}"
SCENARIOS="${SCENARIOS:-start swap}"
out="$root/benchmarks/target/warmup-bench"
mkdir -p "$out"
scripts/bootstrap.sh
if [ "${SKIP_BUILD:-0}" != "1" ]; then
  # only this module: engine and model come from ~/.m2 (never -am in the shared checkout)
  mvn -B -q -ntp -o -DskipTests package -pl benchmarks
fi
jar="$root/benchmarks/target/benchmarks.jar"
results="$out/results.jsonl"
: > "$results"
echo "start: $(uptime)" | tee "$out/uptime.txt" >&2
for r in $(seq 1 "$ROUNDS"); do
  for s in $SCENARIOS; do
    for it in 0 "$WARMUP_ITERATIONS"; do
      echo "warmup-bench: round $r scenario $s warm-up iterations $it" >&2
      java -Dvectorgate.root="$root" -Dvectorgate.opa="$root/tools/bin/opa" -cp "$jar" \
        io.vectorgate.benchmarks.FirstDecisions "$it" "$WARMUP_BUDGET_MS" "$DECISIONS" "$s" 2>>"$out/stderr.log" \
        | tail -1 | tee -a "$results" >&2
    done
  done
done
echo "end: $(uptime)" | tee -a "$out/uptime.txt" >&2
python3 - "$results" <<'PY'
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| scenario | warm-up | runs | activation ms | warm-up evaluations | p50 µs | p90 µs | p99 µs | max µs | mean of first 100 µs | time for all decisions ms | fail-closed decisions (all runs) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for sc in dict.fromkeys(r["scenario"] for r in rows):
    for on in (False, True):
        g = [r for r in rows if r["scenario"] == sc and (r["warmup_iterations"] > 0) == on]
        if not g:
            continue
        med = lambda k: statistics.median(r[k] for r in g)
        label = f"on ({g[0]['warmup_iterations']}/instance, ≤ {g[0]['warmup_budget_ms']} ms)" if on else "off"
        print(f"| {sc} | {label} | {len(g)} | {med('activation_ms'):.0f} | {med('warmup_evaluations'):.0f} | "
              f"{med('p50_us'):.0f} | {med('p90_us'):.0f} | {med('p99_us'):.0f} | {med('max_us'):.0f} | "
              f"{med('first100_mean_us'):.0f} | {med('decisions_ms'):.0f} | {sum(r['fail_closed'] for r in g)} |")
print()
print("medians over the runs of each row; decisions per run:", rows[0]["decisions"])
PY
