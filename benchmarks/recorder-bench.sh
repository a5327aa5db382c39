#!/usr/bin/env bash
# Recorder micro-benchmark (issue 16): the recorder alone, no gateway, no network.
# Part 1: the writer thread's per-entry work (entry encoding, chain hash, index row) with the streaming
# encoder against the tree encoder it replaced (kept in the test sources as the oracle), ROUNDS
# alternating rounds of ENTRIES entries each in one JVM: entries/s and per-entry p50/p99.
# Part 2: Recorder.append through the real queue, writer thread, segment files and index, per fsync
# policy, with and without the SQLite index: the caller's append() cost and the sustained rate under a
# flood of RECORDER_ENTRIES, then SEQUENTIAL appends one at a time waiting for each ack (what a gateway
# with `acknowledge: durable` waits per request).
# Env: ROUNDS (default 6), ENTRIES (default 50000), RECORDER_ENTRIES (default 100000), SEQUENTIAL
# (default 2000), SKIP_BUILD=1 (use recorder/target as built). Prints Markdown tables; the load of
# the machine before and after is printed too: compare the rounds of one run, not runs of different days.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
ROUNDS="${ROUNDS:-6}"
ENTRIES="${ENTRIES:-50000}"
RECORDER_ENTRIES="${RECORDER_ENTRIES:-100000}"
SEQUENTIAL="${SEQUENTIAL:-2000}"
work="$root/benchmarks/target/recorder-bench"
mkdir -p "$work"
. "$root/benchmarks/lib.sh"
if [ "${SKIP_BUILD:-0}" != "1" ]; then
  echo "recorder-bench: compiling the recorder and its tests" >&2
  mvn -q -B -o -ntp -pl recorder -am test-compile -Dsurefire.skip=true >&2
fi
mvn -q -B -o -ntp -pl recorder dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/classpath.txt" >/dev/null
cp="$root/recorder/target/test-classes:$root/recorder/target/classes:$root/model/target/classes:$(cat "$work/classpath.txt")"
warn_logback "$work/logback.xml"
echo "machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xms512m -Xmx512m -Dlogback.configurationFile="$work/logback.xml" -cp "$cp" \
  io.vectorgate.recorder.EncoderBench "$ROUNDS" "$ENTRIES" "$RECORDER_ENTRIES" "$SEQUENTIAL"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
