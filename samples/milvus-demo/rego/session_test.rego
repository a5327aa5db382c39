package vectorgate_session_test

import rego.v1

import data.vectorgate

base := {
	"contract": "vectorgate/v1",
	"identity": {"subject": "bob", "groups": ["analysts"]},
	"connection": {"name": "lite", "kind": "milvus"},
	"context": {"time": "2026-11-25T09:00:00Z", "time_ns": 1795597200000000000},
}

test_connect_is_allowed if {
	d := vectorgate.decision with input as object.union(base, {"operation": {
		"action": "describe",
		"protocol": {"protocol": "grpc", "rpc": "/milvus.proto.milvus.MilvusService/Connect"},
	}})
	d.allow
}

test_describe_of_a_collection_is_not_a_handshake if {
	d := vectorgate.decision with input as object.union(base, {"operation": {
		"action": "describe",
		"resource": {"collection": "secrets"},
		"protocol": {"protocol": "grpc", "rpc": "/milvus.proto.milvus.MilvusService/Connect"},
	}})
	not d.allow
}

test_other_rpcs_are_not_handshakes if {
	d := vectorgate.decision with input as object.union(base, {"operation": {
		"action": "describe",
		"protocol": {"protocol": "grpc", "rpc": "/milvus.proto.milvus.MilvusService/DescribeDatabase"},
	}})
	not d.allow
}

test_alloc_timestamp_is_allowed if {
	d := vectorgate.decision with input as object.union(base, {"operation": {
		"action": "admin",
		"protocol": {"protocol": "grpc", "rpc": "/milvus.proto.milvus.MilvusService/AllocTimestamp"},
	}})
	d.allow
}

test_other_admin_rpcs_stay_denied if {
	d := vectorgate.decision with input as object.union(base, {"operation": {
		"action": "admin",
		"protocol": {"protocol": "grpc", "rpc": "/milvus.proto.milvus.MilvusService/CreateCredential"},
	}})
	not d.allow
}
