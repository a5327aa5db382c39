#!/usr/bin/env bash
# The Vectorgate demo, the whole product on loopback: Milvus Lite and Chroma (with the sample
# organisation's data), an OIDC provider (mock-oauth2-server) and one gateway from
# samples/demo/gateway.yaml with a Milvus gRPC listener, a Chroma HTTP listener, session recording,
# approvals in hold mode, the admin API and /metrics. Prints a token per sample user, the URLs and
# pymilvus/chromadb snippets, then stays up until Ctrl-C. The scripted tour is scripts/demo-session.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
demo="$root/.demo"
milvus_port=19531
chroma_port=8001
oidc_port=18080
gateway_ports="19530 8000 9190"   # the listeners and the admin API of samples/demo/gateway.yaml

"$root/scripts/bootstrap.sh"

for p in $milvus_port $chroma_port $oidc_port $gateway_ports; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "demo: port $p on 127.0.0.1 is in use (another demo running?); stop it first" >&2
    exit 1
  fi
done

mkdir -p "$demo"
echo "demo: building the gateway (mvn -pl proxy -am test-compile; log: .demo/build.log)" >&2
if ! mvn -q -B -ntp -Dstyle.color=never -pl proxy -am test-compile \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$demo/classpath.txt" >"$demo/build.log" 2>&1; then
  tail -n 30 "$demo/build.log" >&2
  echo "demo: the build failed (full log: .demo/build.log)" >&2
  exit 1
fi

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

wait_port() { # name port pid log
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then
      echo "demo: $1 exited; last lines of $4:" >&2
      tail -n 20 "$4" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "demo: $1 did not open 127.0.0.1:$2 within 2 minutes (log: $4)" >&2
  exit 1
}

# a fresh demo every time: data, recording, approvals and tokens of an earlier run are removed
rm -rf "$demo/milvus-data" "$demo/chroma-data" "$demo/recording" "$demo/approvals.db" "$demo/tokens" "$demo/tokens.json"

echo "demo: starting Milvus Lite on 127.0.0.1:$milvus_port (log: .demo/milvus-lite.log)" >&2
"$root/.venv/bin/milvus-lite" server --host 127.0.0.1 --port "$milvus_port" --data-dir "$demo/milvus-data" \
  >"$demo/milvus-lite.log" 2>&1 &
pids+=($!)
echo "demo: starting Chroma on 127.0.0.1:$chroma_port (log: .demo/chroma.log)" >&2
ANONYMIZED_TELEMETRY=False "$root/.venv/bin/chroma" run --host 127.0.0.1 --port "$chroma_port" \
  --path "$demo/chroma-data" >"$demo/chroma.log" 2>&1 &
pids+=($!)
wait_port "Milvus Lite" "$milvus_port" "${pids[0]}" "$demo/milvus-lite.log"
wait_port "Chroma" "$chroma_port" "${pids[1]}" "$demo/chroma.log"

echo "demo: loading the sample data (docs: 2 tenants; customers: PII) straight into Milvus Lite and Chroma" >&2
"$root/.venv/bin/python" "$root/python/load_sample.py" --uri "http://127.0.0.1:$milvus_port" \
  --chroma "127.0.0.1:$chroma_port" >&2

export VECTORGATE_MILVUS_CREDENTIAL="root:Milvus"
export VECTORGATE_CHROMA_CREDENTIAL="demo-chroma-credential"   # this Chroma runs without authentication
VECTORGATE_MASK_KEY="$("$root/.venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))')"
export VECTORGATE_MASK_KEY

echo "demo: starting the OIDC provider and the gateway (log: .demo/gateway.log)" >&2
java -Dvectorgate.root="$root" -Dvectorgate.opa="$root/tools/bin/opa" \
  -cp "$root/proxy/target/test-classes:$root/proxy/target/classes:$(cat "$demo/classpath.txt")" \
  io.vectorgate.proxy.demo.DemoMain --config "$root/samples/demo/gateway.yaml" \
  --tokens-out "$demo/tokens.json" --oidc-port "$oidc_port" 2>"$demo/gateway.log" &
pids+=($!)

wait -n "${pids[@]}" || true
echo "demo: a component exited; last lines of its logs:" >&2
tail -n 20 "$demo/gateway.log" "$demo/milvus-lite.log" "$demo/chroma.log" >&2
exit 1
