#!/usr/bin/env bash
# What recording costs per record, without the gateway (issue 16): RecordingCostDriver (proxy test scope)
# feeds a real Recorder (segments, chain, fsync policy, index) the draft the pipeline builds for a pymilvus
# search (gRPC payloads as lazy protobuf messages), RATE per second from one producer, and prints per round
# the CPU per entry of the recorder's writer and index threads (user, system), of the JVM, and the caller's
# append() cost. ACK=durable waits for each ack (the gateway's `acknowledge: durable`).
# Env: RATE (default 600), SECONDS_PER_RUN (15), WARMUP_SECONDS (25), FSYNC (every_record|interval),
# INDEX (sqlite|none), ACK (queued|durable), ROUNDS (3). Compare builds by running it from each checkout
# in alternation; the load of the machine is printed before and after.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$root/benchmarks/target/recording-cost"
mkdir -p "$work"
. "$root/benchmarks/lib.sh"
reactor_classpath proxy
modules=""
for m in model engine proxy-core recorder approvals rollout proxy; do modules="$modules:$root/$m/target/classes"; done
warn_logback "$work/logback.xml"
echo "machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xms512m -Xmx512m -Dlogback.configurationFile="$work/logback.xml" \
  -cp "$root/proxy/target/test-classes${modules}:$(cat "$root/proxy/target/bench-classpath.txt")" \
  io.vectorgate.proxy.bench.RecordingCostDriver "${RATE:-600}" "${SECONDS_PER_RUN:-15}" "${WARMUP_SECONDS:-25}" \
  "${FSYNC:-every_record}" "${INDEX:-sqlite}" "${ACK:-queued}" "${ROUNDS:-3}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
