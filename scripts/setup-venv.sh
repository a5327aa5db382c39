#!/usr/bin/env bash
# Creates the project Python venv at <root>/.venv with the pinned packages of python/requirements.txt.
# Idempotent: a stamp file holds a hash of the requirements; nothing happens when it matches.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
req="$root/python/requirements.txt"
stamp="$venv/.vectorgate-requirements.sha256"
python="${VECTORGATE_PYTHON:-python3}"

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  echo "setup-venv: need Python >= 3.10 (found $("$python" --version 2>&1)); set VECTORGATE_PYTHON" >&2
  exit 1
fi
echo "setup-venv: installing $(grep -cv '^\s*#' "$req") pinned packages into $venv" >&2
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
"$venv/bin/python" -c 'import pymilvus, milvus_lite; print("setup-venv: pymilvus", pymilvus.__version__)' >&2
echo "$want" > "$stamp"
