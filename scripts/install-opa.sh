#!/usr/bin/env bash
# Installs the pinned OPA CLI into tools/bin, built from the Go module proxy.
# Idempotent: does nothing when tools/bin/opa already reports the pinned version.
set -euo pipefail
OPA_VERSION="${OPA_VERSION:-v1.22.3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/tools/bin"
opa="$bin/opa"
if [ -x "$opa" ] && "$opa" version 2>/dev/null | grep -q "^Version: ${OPA_VERSION#v}\$"; then
  exit 0
fi
command -v go >/dev/null || { echo "install-opa: 'go' is not on PATH; Go >= 1.24 is needed to build OPA $OPA_VERSION" >&2; exit 1; }
mkdir -p "$bin"
echo "install-opa: building OPA $OPA_VERSION with $(go version | cut -d' ' -f3) into $bin (first time only, a few minutes)" >&2
GOBIN="$bin" CGO_ENABLED=0 go install "github.com/open-policy-agent/opa@$OPA_VERSION"
"$opa" version | head -1 >&2
