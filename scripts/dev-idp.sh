#!/usr/bin/env bash
# The sample OIDC identity provider on its own: a thin wrapper around `vectorgate dev idp` (see its
# --help) that writes the tokens to .dev-idp/tokens.json. mock-oauth2-server on 127.0.0.1 with the
# sample personas (alice, bob, carol, dave, erin, frank of the sample organisation; rita: admin API
# reader; otto: admin API operator); prints the issuer, the `identity:` line for the gateway config
# and a token per persona. Stays up until Ctrl-C.
#
#   scripts/dev-idp.sh [--port 18080] [--hours 8] [--persona name:g1,g2[:tenant]]...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/scripts/vectorgate" dev idp --tokens-out "$root/.dev-idp/tokens.json" "$@"
