#!/usr/bin/env bash
# Engine A/B in one JVM (issue 15): the engine of git revision BASE (default HEAD~1) against the working tree's
# engine, both deciding the same workload of DecideBenchmark on the plan engine, alternating round by round
# (io.vectorgate.benchmarks.EngineAb), so other load on the machine slows both alike. Prints p50/p99/mean,
# the median of the per-round p50s, thread CPU per decision and the memo's hits/misses per build, and the load.
# Usage: benchmarks/engine-ab.sh [BASE]; env WORKLOAD (changing|mixed|gateway|fixed, default changing), ROUNDS (20),
# PER_ROUND (10000), ENGINE (plan). Builds engine and model into their target/classes (no install).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
base="${1:-HEAD~1}"
WORKLOAD="${WORKLOAD:-changing}"
ROUNDS="${ROUNDS:-20}"
PER_ROUND="${PER_ROUND:-10000}"
ENGINE="${ENGINE:-plan}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mvn -B -q -o -ntp -pl engine -am compile
mvn -B -q -o -ntp -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$tmp/cp.txt" >/dev/null
# the benchmarks' dependencies without the project's own (installed) jars
deps="$(tr ':' '\n' < "$tmp/cp.txt" | grep -v '/io/vectorgate/' | paste -sd:)"
model="$root/model/target/classes"
git archive "$base" engine/src/main | tar -x -C "$tmp"
mkdir -p "$tmp/base-classes" "$tmp/runner"
javac -nowarn -proc:none -d "$tmp/base-classes" -cp "$model:$deps" $(find "$tmp/engine/src/main/java" -name '*.java') 2>&1 \
  | grep -v '^Note:' || true
if [ -d "$tmp/engine/src/main/resources" ]; then cp -r "$tmp/engine/src/main/resources/." "$tmp/base-classes/"; fi
javac -nowarn -proc:none -d "$tmp/runner" -cp "$root/engine/target/classes:$model:$deps" \
  benchmarks/src/main/java/io/vectorgate/benchmarks/{DecideRunner,DecideBenchmark,EngineAb}.java
echo "engine-ab: $base vs working tree, engine=$ENGINE workload=$WORKLOAD rounds=$ROUNDS x $PER_ROUND" >&2
java -Xmx1g -cp "$tmp/runner" io.vectorgate.benchmarks.EngineAb "$root" "$ENGINE" "$WORKLOAD" "$ROUNDS" "$PER_ROUND" \
  "base=$tmp/runner:$tmp/base-classes:$model:$deps" "head=$tmp/runner:$root/engine/target/classes:$model:$deps" \
  | grep -v ' INFO \| DEBUG '
