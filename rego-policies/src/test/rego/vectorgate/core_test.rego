package vectorgate.core_test

import data.vectorgate.fixtures.decide
import data.vectorgate.fixtures.req
import rego.v1

allow_one := {{"code": "test_allow", "message": "test allows"}}

test_contract_mismatch_denies if {
	r := object.union(req(["admins"], "search", "kb_articles", {}), {"contract": "vectorgate/v0"})
	d := decide(r)
	not d.allow
	d.reasons == [{"code": "contract_mismatch", "message": "input follows contract vectorgate/v0, policy expects vectorgate/v1"}]
	d.obligations == {"mask": [], "strip_vectors": false, "row_filter": []}
}

test_missing_contract_denies if {
	r := object.remove(req(["admins"], "search", "kb_articles", {}), ["contract"])
	d := data.vectorgate.decision with input as r with data.vectorgate.allow as allow_one
	not d.allow
	d.reasons[0].code == "contract_mismatch"
}

test_unknown_operation_denied_even_when_allowed if {
	d := decide(req(["admins"], "unknown", "kb_articles", {"operation": {"protocol": {"protocol": "http", "rpc": null, "method": "POST", "path": "/x"}}}))
	not d.allow
	d.reasons == [{"code": "unknown_operation", "message": "the gateway could not classify this request (http POST /x); unknown operations are denied"}]
}

test_default_deny_message if {
	d := data.vectorgate.decision with input as req(["nobody"], "search", "kb_articles", {})
	d.reasons == [{"code": "no_allow_rule", "message": "no rule allows search on collection kb_articles for alice"}]
}

test_deny_overrides_allow if {
	d := data.vectorgate.decision with input as req([], "search", "c", {})
		with data.vectorgate.allow as allow_one
		with data.vectorgate.deny as {{"code": "b", "message": "no"}, {"code": "a", "message": "never"}}
	not d.allow
	d.reasons == [{"code": "a", "message": "never"}, {"code": "b", "message": "no"}]
}

test_strictest_mask_wins if {
	d := data.vectorgate.decision with input as req([], "search", "c", {})
		with data.vectorgate.allow as allow_one
		with data.vectorgate.obligation as {
			{"kind": "mask", "code": "m1", "message": "m", "field": "email", "method": "partial"},
			{"kind": "mask", "code": "m2", "message": "m", "field": "email", "method": "hash"},
			{"kind": "mask", "code": "m3", "message": "m", "field": "email", "path": ["x"]},
			{"kind": "mask", "code": "m4", "message": "m", "field": "ssn", "method": "drop"},
		}
	d.allow
	d.obligations.mask == [
		{"field": "email", "path": [], "method": "hash"},
		{"field": "email", "path": ["x"], "method": "redact"},
		{"field": "ssn", "path": [], "method": "drop"},
	]
	{r.code | some r in d.reasons} == {"test_allow", "m1", "m2", "m3", "m4"}
}

test_smallest_cap_and_deny_mode if {
	d := data.vectorgate.decision with input as req([], "search", "c", {})
		with data.vectorgate.allow as allow_one
		with data.vectorgate.obligation as {
			{"kind": "limit_cap", "code": "c1", "message": "c", "max": 100},
			{"kind": "limit_cap", "code": "c2", "message": "c", "max": 10, "mode": "deny"},
			{"kind": "limit_cap", "code": "c3", "message": "c", "max": 10},
		}
	d.obligations.limit_cap == {"max": 10, "mode": "deny"}
}

test_approvals_merge if {
	d := data.vectorgate.decision with input as req([], "delete", "c", {})
		with data.vectorgate.allow as allow_one
		with data.vectorgate.obligation as {
			{"kind": "approval", "code": "a1", "message": "first", "approver_groups": ["x"], "min_approvals": 2, "expires_in_seconds": 600},
			{"kind": "approval", "code": "a2", "message": "second", "approver_groups": ["y", "x"]},
		}
	d.obligations.approval == {"reason": "first; second", "approver_groups": ["x", "y"], "min_approvals": 2, "expires_in_seconds": 600}
}

test_audit_merge if {
	d := data.vectorgate.decision with input as req([], "search", "c", {})
		with data.vectorgate.allow as allow_one
		with data.vectorgate.obligation as {
			{"kind": "audit", "code": "a1", "message": "a", "labels": {"k": "v"}, "record_vectors": true},
			{"kind": "audit", "code": "a2", "message": "a", "labels": {"j": "w"}, "record_payloads": false},
		}
	d.obligations.audit == {"labels": {"k": "v", "j": "w"}, "record_payloads": false, "record_vectors": true}
}

test_row_filters_and_strip_merge if {
	d := data.vectorgate.decision with input as req([], "search", "c", {})
		with data.vectorgate.allow as allow_one
		with data.vectorgate.obligation as {
			{"kind": "row_filter", "code": "r1", "message": "r", "field": "t", "op": "eq", "value": "a"},
			{"kind": "row_filter", "code": "r2", "message": "r", "field": "t", "op": "eq", "value": "a"},
			{"kind": "row_filter", "code": "r3", "message": "r", "field": "s", "op": "in", "value": [1, 2]},
			{"kind": "strip_vectors", "code": "s", "message": "s"},
		}
	d.obligations.row_filter == [{"field": "s", "op": "in", "value": [1, 2]}, {"field": "t", "op": "eq", "value": "a"}]
	d.obligations.strip_vectors == true
}

test_obligations_dropped_when_denied if {
	d := data.vectorgate.decision with input as req([], "search", "c", {})
		with data.vectorgate.allow as allow_one
		with data.vectorgate.deny as {{"code": "d", "message": "d"}}
		with data.vectorgate.obligation as {{"kind": "strip_vectors", "code": "s", "message": "s"}}
	d.obligations == {"mask": [], "strip_vectors": false, "row_filter": []}
}

test_protocol_detail_non_string if {
	d := data.vectorgate.decision with input as req([], "unknown", "c", {"operation": {"protocol": {"protocol": "grpc", "rpc": 7}}})
	d.reasons[0].message == "the gateway could not classify this request (grpc 7); unknown operations are denied"
}

test_library_decision_for_analyst_search if {
	d := decide(req(["analysts"], "search", "kb_articles", {}))
	d == {
		"allow": true,
		"reasons": [
			{"code": "role_grant", "message": "role analysts allows search on kb_articles"},
			{"code": "role_limit_cap", "message": "results are capped at 100 by roles analysts"},
		],
		"obligations": {"mask": [], "strip_vectors": false, "row_filter": [], "limit_cap": {"max": 100, "mode": "clamp"}},
	}
}

test_unknown_mask_method_counts_as_drop if {
	d := data.vectorgate.decision with input as req([], "search", "c", {})
		with data.vectorgate.allow as allow_one
		with data.vectorgate.obligation as {{"kind": "mask", "code": "m", "message": "m", "field": "email", "method": "rot13"}}
	d.obligations.mask == [{"field": "email", "path": [], "method": "drop"}]
}

test_cap_without_max_caps_at_zero if {
	d := data.vectorgate.decision with input as req([], "search", "c", {})
		with data.vectorgate.allow as allow_one
		with data.vectorgate.obligation as {{"kind": "limit_cap", "code": "c", "message": "c"}}
	d.obligations.limit_cap == {"max": 0, "mode": "clamp"}
}
