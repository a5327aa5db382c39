# Chroma client handshakes (a contributor to the vectorgate decision table)
# chromadb's HttpClient reads /api/v2/auth/identity, its tenant and database, /pre-flight-checks
# (and heartbeat/version) before any collection call. The Chroma adapter classifies them as
# `describe` without a collection; they return no records, so every verified identity may make
# them. Every deny still applies.
package vectorgate

import rego.v1

chroma_system_paths := {
	"/api/v2",
	"/api/v2/auth/identity",
	"/api/v2/pre-flight-checks",
	"/api/v2/heartbeat",
	"/api/v2/healthcheck",
	"/api/v2/version",
}

chroma_session_path(p) if chroma_system_paths[p]

# GET /api/v2/tenants/{tenant}
chroma_session_path(p) if {
	parts := split(p, "/")
	count(parts) == 5
	parts[1] == "api"
	parts[2] == "v2"
	parts[3] == "tenants"
}

# GET /api/v2/tenants/{tenant}/databases/{database}
chroma_session_path(p) if {
	parts := split(p, "/")
	count(parts) == 7
	parts[1] == "api"
	parts[2] == "v2"
	parts[3] == "tenants"
	parts[5] == "databases"
}

allow contains {"code": "client_handshake", "message": msg} if {
	input.connection.kind == "chroma"
	input.operation.action == "describe"
	input.operation.protocol.method == "GET"
	object.get(input.operation, ["resource", "collection"], null) == null
	chroma_session_path(input.operation.protocol.path)
	msg := concat("", ["chroma client handshake GET ", input.operation.protocol.path, " by a verified identity"])
}
