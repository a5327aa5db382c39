#!/usr/bin/env bash
# The sample OIDC identity provider on its own (mock-oauth2-server on 127.0.0.1), for trying a
# gateway, rollout or approvals by hand. Issues a token per sample persona (alice, bob, carol,
# dave of samples/org/data.json; rita: admin API reader; otto: admin API operator), writes them to
# .dev-idp/tokens.json and prints the `identity:` line for the gateway config. Stays up until Ctrl-C.
#
#   scripts/dev-idp.sh [--port 18080] [--hours 8] [--tokens-out FILE] [--persona name:g1,g2[:tenant]]...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/.dev-idp"
mkdir -p "$out"
if [ ! -f "$out/classpath.txt" ] || [ "${VECTORGATE_REBUILD:-0}" = "1" ]; then
  echo "dev-idp: compiling the proxy's test fixtures (mvn -pl proxy -am test-compile; first use)" >&2
  mvn -q -B -ntp -pl proxy -am -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$out/classpath.txt" >/dev/null
fi
exec java -cp "$root/proxy/target/test-classes:$root/proxy/target/classes:$(cat "$out/classpath.txt")" \
  io.vectorgate.proxy.demo.DevIdp --tokens-out "$out/tokens.json" "$@"
