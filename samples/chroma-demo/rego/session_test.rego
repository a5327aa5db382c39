package vectorgate_test

import rego.v1

import data.vectorgate

handshake(path) := {
	"connection": {"name": "chroma", "kind": "chroma"},
	"operation": {"action": "describe", "resource": {}, "protocol": {"protocol": "http", "method": "GET", "path": path}},
}

test_identity_is_a_handshake if {
	some r in vectorgate.allow with input as handshake("/api/v2/auth/identity")
	r.code == "client_handshake"
}

test_tenant_and_database_are_handshakes if {
	count([r | some r in vectorgate.allow with input as handshake("/api/v2/tenants/t1"); r.code == "client_handshake"]) == 1
	count([r | some r in vectorgate.allow with input as handshake("/api/v2/tenants/t1/databases/d1"); r.code == "client_handshake"]) == 1
}

test_collection_reads_are_not_handshakes if {
	inp := object.union(handshake("/api/v2/tenants/t/databases/d/collections/docs"), {"operation": {"action": "describe", "resource": {"collection": "docs"}, "protocol": {"protocol": "http", "method": "GET", "path": "/api/v2/tenants/t/databases/d/collections/docs"}}})
	count([r | some r in vectorgate.allow with input as inp; r.code == "client_handshake"]) == 0
}

test_other_kinds_are_not_handshakes if {
	inp := object.union(handshake("/api/v2/auth/identity"), {"connection": {"name": "q", "kind": "qdrant"}})
	count([r | some r in vectorgate.allow with input as inp; r.code == "client_handshake"]) == 0
}
