#!/usr/bin/env bash
# Installs the pinned OPA CLI into tools/bin, built from the Go module proxy.
# Idempotent: does nothing when tools/bin/opa already reports the pinned version.
set -euo pipefail
OPA_VERSION="${OPA_VERSION:-v1.22.3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/tools/bin"
opa="$bin/opa"
# capture first: `opa version | grep -q` can fail under pipefail when grep exits before opa finishes writing
if [ -x "$opa" ]; then
  have="$("$opa" version 2>/dev/null || true)"
  case $'\n'"$have"$'\n' in
    *$'\n'"Version: ${OPA_VERSION#v}"$'\n'*) exit 0 ;;
  esac
fi
command -v go >/dev/null || { echo "install-opa: 'go' is not on PATH; Go >= 1.24 is needed to build OPA $OPA_VERSION" >&2; exit 1; }
mkdir -p "$bin"
echo "install-opa: building OPA $OPA_VERSION with $(go version | cut -d' ' -f3) into $bin (first time only, a few minutes)" >&2
GOBIN="$bin" CGO_ENABLED=0 go install "github.com/open-policy-agent/opa@$OPA_VERSION"
# no `| head` here: under pipefail, head exiting first kills opa with SIGPIPE and the script with 141
have="$("$opa" version)"
printf 'install-opa: %s\n' "${have%%$'\n'*}" >&2
