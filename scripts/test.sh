#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the project's own toolchain
# (OPA into tools/bin, the Python venv into .venv) and runs every module's tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/bootstrap.sh
mvn -B -ntp verify "$@"
scripts/validate-deploy.sh
