#!/usr/bin/env bash
# The Vectorgate demo: Milvus Lite + an OIDC provider + the Milvus gRPC gateway with the sample
# organisation's policy, on loopback. Prints a token per sample user and how to connect with
# pymilvus, then stays up until Ctrl-C. The scripted tour is scripts/demo-session.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
demo="$root/.demo"
milvus_port=19531
gateway_port=19530
oidc_port=18080

"$root/scripts/bootstrap.sh"

for p in $milvus_port $gateway_port $oidc_port; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "demo: port $p on 127.0.0.1 is in use (another demo running?); stop it first" >&2
    exit 1
  fi
done

echo "demo: building the gateway (mvn -pl proxy -am install -DskipTests)" >&2
mvn -q -B -ntp -pl proxy -am -DskipTests install
mkdir -p "$demo"
mvn -q -B -ntp -pl proxy dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$demo/classpath.txt" >/dev/null

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  echo "demo: stopped" >&2
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

rm -rf "$demo/milvus-data"
echo "demo: starting Milvus Lite on 127.0.0.1:$milvus_port (log: .demo/milvus-lite.log)" >&2
"$root/.venv/bin/milvus-lite" server --host 127.0.0.1 --port "$milvus_port" --data-dir "$demo/milvus-data" \
  >"$demo/milvus-lite.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$milvus_port") 2>/dev/null; then break; fi
  if ! kill -0 "${pids[0]}" 2>/dev/null; then cat "$demo/milvus-lite.log" >&2; exit 1; fi
  sleep 0.2
done

echo "demo: loading sample data (docs: 2 tenants, customers: PII) straight into Milvus Lite" >&2
"$root/.venv/bin/python" "$root/python/load_sample.py" --uri "http://127.0.0.1:$milvus_port" >&2

export VECTORGATE_MILVUS_CREDENTIAL="root:Milvus"
VECTORGATE_MASK_KEY="$("$root/.venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))')"
export VECTORGATE_MASK_KEY

echo "demo: starting the OIDC provider and the gateway (log: .demo/gateway.log)" >&2
java -Dvectorgate.root="$root" -Dvectorgate.opa="$root/tools/bin/opa" \
  -cp "$root/proxy/target/test-classes:$root/proxy/target/classes:$(cat "$demo/classpath.txt")" \
  io.vectorgate.proxy.demo.DemoMain --config "$root/samples/milvus-demo/gateway.yaml" \
  --tokens-out "$demo/tokens.json" --oidc-port "$oidc_port" 2>"$demo/gateway.log" &
pids+=($!)

wait -n "${pids[@]}" || true
echo "demo: a component exited; last lines of its logs:" >&2
tail -n 20 "$demo/gateway.log" "$demo/milvus-lite.log" >&2
exit 1
