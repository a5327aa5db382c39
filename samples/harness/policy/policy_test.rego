package vectorgate_example_test

import rego.v1

analyst_query := {
	"contract": "vectorgate/v1",
	"identity": {"subject": "alice", "groups": ["analysts"]},
	"connection": {"name": "milvus-main", "kind": "milvus"},
	"operation": {"action": "query", "resource": {"collection": "docs"}, "limit": 500},
	"context": {"time_ns": 1741082400000000000},
}

test_analyst_reads_docs_capped if {
	d := data.vectorgate.decision with input as analyst_query
	d.allow
	d.obligations.limit_cap.max == 100
}

test_other_collections_are_denied if {
	d := data.vectorgate.decision with input as json.patch(analyst_query, [{"op": "replace", "path": "/operation/resource/collection", "value": "hr"}])
	not d.allow
}
