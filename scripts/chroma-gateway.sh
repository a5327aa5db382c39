#!/usr/bin/env bash
# Chroma behind the Vectorgate HTTP gateway, on free loopback ports: starts Chroma (data in
# .chroma-gateway/chroma-data), an OIDC provider (mock-oauth2-server) and the gateway from a copy of
# samples/chroma-demo/gateway.yaml (or --config FILE) with the ports replaced and every path made
# absolute, so the copy runs from anywhere. Prints the ports, a token per sample user and a chromadb
# snippet; runs until Ctrl-C. Loads no data: clients create their collections themselves (the gateway
# computes no embeddings: send them, or let the client's embedding function compute them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
config="$root/samples/chroma-demo/gateway.yaml"
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; echo "usage: scripts/chroma-gateway.sh [--config FILE]"; exit 0 ;;
    *) echo "chroma-gateway: unknown argument \`$1\` (usage: scripts/chroma-gateway.sh [--config FILE])" >&2; exit 2 ;;
  esac
done
work="$root/.chroma-gateway"

"$root/scripts/bootstrap.sh" >&2
free_port() { "$root/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
chroma_port=$(free_port); gateway_port=$(free_port); oidc_port=$(free_port)
mkdir -p "$work"
"$root/.venv/bin/python" "$root/python/chroma_gateway_config.py" --config "$config" --out "$work/gateway.yaml" \
  --chroma-port "$chroma_port" --gateway-port "$gateway_port" --oidc-port "$oidc_port"

echo "chroma-gateway: building the gateway (mvn -pl proxy -am test-compile; log: .chroma-gateway/build.log)" >&2
if ! mvn -q -B -ntp -Dstyle.color=never -pl proxy -am test-compile \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt" >"$work/build.log" 2>&1; then
  tail -n 30 "$work/build.log" >&2
  echo "chroma-gateway: the build failed (full log: .chroma-gateway/build.log)" >&2
  exit 1
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "chroma-gateway: stopped" >&2
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

echo "chroma-gateway: starting Chroma on 127.0.0.1:$chroma_port (log: .chroma-gateway/chroma.log)" >&2
ANONYMIZED_TELEMETRY=False "$root/.venv/bin/chroma" run --host 127.0.0.1 --port "$chroma_port" \
  --path "$work/chroma-data" >"$work/chroma.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$chroma_port") 2>/dev/null; then break; fi
  if ! kill -0 "${pids[0]}" 2>/dev/null; then tail -n 20 "$work/chroma.log" >&2; exit 1; fi
  sleep 0.2
done

export VECTORGATE_CHROMA_CREDENTIAL="${VECTORGATE_CHROMA_CREDENTIAL:-local-chroma-credential}"
if [ -z "${VECTORGATE_MASK_KEY:-}" ]; then
  VECTORGATE_MASK_KEY="$("$root/.venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))')"
  export VECTORGATE_MASK_KEY
fi
echo "chroma-gateway: starting the OIDC provider and the gateway (config: .chroma-gateway/gateway.yaml; log: .chroma-gateway/gateway.log)" >&2
java -Dvectorgate.root="$root" -Dvectorgate.opa="$root/tools/bin/opa" \
  -Dvectorgate.demo.footer=$'\nLogs: .chroma-gateway/*.log   Stop: Ctrl-C\n' \
  -cp "$root/proxy/target/test-classes:$root/proxy/target/classes:$(cat "$work/classpath.txt")" \
  io.vectorgate.proxy.demo.DemoMain --config "$work/gateway.yaml" \
  --tokens-out "$work/tokens.json" --oidc-port "$oidc_port" 2>"$work/gateway.log" &
pids+=($!)

wait -n "${pids[@]}" || true
echo "chroma-gateway: a component exited; last lines of its logs:" >&2
tail -n 20 "$work/gateway.log" "$work/chroma.log" >&2
exit 1
