#!/usr/bin/env bash
# A scripted pymilvus session against the running demo (start scripts/demo.sh first, in another
# terminal): allow with a tenant row filter, masking, an unmasked PII reader, denies with reasons,
# a bulk delete held for approval, and a refused token.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -f "$root/.demo/tokens.json" ]; then
  echo "demo-session: no .demo/tokens.json: start scripts/demo.sh first and wait for 'Vectorgate demo is up'" >&2
  exit 1
fi
exec "$root/.venv/bin/python" "$root/python/demo_session.py" --gateway 127.0.0.1:19530 --tokens "$root/.demo/tokens.json" "$@"
