#!/usr/bin/env bash
# A scripted tour of the running demo (start scripts/demo.sh first, in another terminal): pymilvus and
# chromadb through the gateway (row filter, stripped vectors, masked PII, denies with reasons), a
# developer's quick-start in the sandbox, a bulk delete held until you approve it from a second
# terminal with `vectorgate approvals approve` (the exact command is printed; the tour waits), a
# refused token, and the recorded session listed and verified with `vectorgate sessions`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -f "$root/.demo/tokens.json" ]; then
  echo "demo-session: no .demo/tokens.json: start scripts/demo.sh first and wait for 'Vectorgate demo is up'" >&2
  exit 1
fi
if [ ! -f "$root/cli/target/vectorgate.jar" ]; then
  # the tour ends with `vectorgate sessions`; build the command now rather than in the middle
  "$root/scripts/vectorgate" --version >/dev/null
fi
echo "demo-session: watch it in the dashboard, http://127.0.0.1:9190/dashboard/ (erin, claims {\"groups\": [\"db-admins\"]}," \
  "can approve the held delete there; the demo's banner lists every login)" >&2
exec "$root/.venv/bin/python" "$root/python/demo_session.py" "$@"
