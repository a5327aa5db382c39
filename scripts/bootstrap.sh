#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need that Maven does not fetch itself.
# Idempotent; each step is skipped when its result is already present.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-opa.sh"
if [ -x "$root/scripts/setup-venv.sh" ]; then
  "$root/scripts/setup-venv.sh"
fi
