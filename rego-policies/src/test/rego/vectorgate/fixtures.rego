# Fixtures shared by the library's opa tests: a small organisation configuration and a request
# builder. Times: 2026-11-24T10:15:00Z is a Tuesday (11:15 in Europe/Berlin).
package vectorgate.fixtures

import rego.v1

tuesday_morning := 1795515300000000000

saturday_morning := 1795860900000000000

tuesday_night := 1795557600000000000

config := {
	"roles": {
		"analysts": {
			"grants": [
				{"collections": ["docs", "customers", "kb_*"], "actions": ["@read"]},
				{"collections": ["*"], "actions": ["list"]},
			],
			"limit_cap": 100,
			"budget": {"requests_per_minute": 10, "rows_per_hour": 1000, "pages_per_hour": 20, "max_offset": 500},
		},
		"ml-engineers": {
			"grants": [
				{"collections": ["*"], "actions": ["@read"]},
				{"collections": ["docs", "kb_*"], "actions": ["@write", "create_index"]},
			],
			"limit_cap": 1000,
			"budget": {"requests_per_minute": 100, "vectors_per_hour": 5000},
		},
		"admins": {"grants": [{"collections": ["*"], "actions": ["*"]}]},
		"auditors": {"grants": [{"collections": ["*"], "actions": ["describe"]}], "limit_cap": "lots"},
		"developers": {"grants": [{"collections": ["*"], "actions": ["list"]}], "limit_cap": 1000},
	},
	"sandboxes": [
		{"name": "quick-starts", "groups": ["developers"], "collections": ["*"], "except": ["kb_*"]},
		{"groups": ["testers"], "collections": ["test_*"]},
	],
	"defaults": {"limit_cap": 50, "budget": {"requests_per_minute": 5, "vectors_per_hour": 0}},
	"collections": {
		"docs": {"tenant_field": "tenant_id", "audit": {"labels": {"data_class": "internal"}}},
		"customers": {
			"pii": [
				{"field": "email", "method": "hash"},
				{"field": "profile", "path": ["contact", "phone"], "method": "partial"},
				{"field": "notes"},
			],
			"audit": {"labels": {"data_class": "pii"}, "record_payloads": false},
		},
		"medical": {"pii": [{"field": "diagnosis", "method": "drop"}], "pii_reader_groups": ["clinicians"]},
		"ns_tenants": {"tenant_namespace": true},
		"kb_frozen": {"write_window": {"days": ["Sunday"], "start": "00:00", "end": "01:00"}},
		"kb_open": {"write_window": false},
	},
	"pii": {"reader_groups": ["pii-readers"]},
	"vectors": {"reader_groups": ["ml-engineers"]},
	"tenancy": {"bypass_groups": ["admins"]},
	"destructive": {
		"break_glass_groups": ["break-glass"],
		"approver_groups": ["db-admins"],
		"min_approvals": 2,
		"expires_in_seconds": 900,
	},
	"bulk_delete": {"max_ids": 10, "approver_groups": ["db-admins"]},
	"write_window": {
		"timezone": "Europe/Berlin",
		"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
		"start": "07:00",
		"end": "20:00",
		"exempt_groups": ["break-glass"],
	},
}

base := {
	"contract": "vectorgate/v1",
	"identity": {
		"subject": "alice",
		"groups": ["analysts"],
		"tenant": "acme",
		"issuer": "https://idp.test",
		"claims": {"org": "org-7"},
	},
	"connection": {"name": "milvus-main", "kind": "milvus"},
	"operation": {
		"action": "search",
		"resource": {"database": "default", "collection": "kb_articles"},
		"limit": 10,
		"vectors_requested": false,
		"paging": false,
		"counts": {"ids": 0, "rows": 0, "queries": 1},
		"attributes": {},
		"protocol": {"protocol": "grpc", "rpc": "milvus.proto.milvus.MilvusService/Search"},
	},
	"context": {
		"time_ns": tuesday_morning,
		"usage": {"requests_last_minute": 0, "rows_last_hour": 0, "vectors_last_hour": 0, "pages_last_hour": 0},
	},
}

# A request: the base with the given groups, action and collection, deep-merged with patch.
req(grps, act, coll, patch) := object.union(
	object.union(base, {
		"identity": {"groups": grps},
		"operation": {"action": act, "resource": {"collection": coll}},
	}),
	patch,
)

# The library's decision for request r under the fixture configuration.
decide(r) := d if {
	d := data.vectorgate.decision with input as r with data.vectorgate_config as config
}

codes(d) := {r.code | some r in d.reasons}

allowed_with(r, code) if {
	d := decide(r)
	d.allow
	code in codes(d)
}

denied_with(r, code) if {
	d := decide(r)
	not d.allow
	code in codes(d)
}
