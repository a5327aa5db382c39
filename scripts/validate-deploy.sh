#!/usr/bin/env bash
# Validates deploy/ as far as a machine without a cluster or container runtime allows (docs/operations.md,
# "Deployment"): builds deploy/validate with Go (k8s.io/api and sigs.k8s.io/yaml from the Go module proxy,
# versions pinned in deploy/validate/go.sum), runs its own tests (each breakage is reported), then checks
# deploy/: strict decoding of every Kubernetes manifest into the k8s.io/api types of its kind, and the
# manifests, compose.yaml and haproxy.cfg cross-checked against deploy/config/gateway.yaml.
# When proxy/target/jib-image.tar exists (mvn -Pimage), it is inspected too.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v go >/dev/null || { echo "validate-deploy.sh: Go is required (the project installs opa with it too)" >&2; exit 1; }
cd "$root/deploy/validate"
go test ./...
go run . "$root/deploy"
if [ -f "$root/proxy/target/jib-image.tar" ]; then
  "$root/deploy/inspect-image.sh" "$root/proxy/target/jib-image.tar"
fi
