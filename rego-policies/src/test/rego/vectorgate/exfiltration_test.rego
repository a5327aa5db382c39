package vectorgate.exfiltration_test

import data.vectorgate.fixtures.decide
import data.vectorgate.fixtures.denied_with
import data.vectorgate.fixtures.req
import rego.v1

usage(u) := {"context": {"usage": u}}

test_role_limit_cap if {
	d := decide(req(["analysts"], "search", "kb_articles", {}))
	d.obligations.limit_cap == {"max": 100, "mode": "clamp"}
	{"code": "role_limit_cap", "message": "results are capped at 100 by roles analysts"} in d.reasons
}

test_most_generous_role_cap_wins if {
	d := decide(req(["analysts", "ml-engineers"], "query", "kb_articles", {}))
	d.obligations.limit_cap.max == 1000
}

test_default_cap_for_roles_without_one if {
	d := decide(req(["admins"], "get", "kb_articles", {}))
	d.obligations.limit_cap.max == 50
	{"code": "role_limit_cap", "message": "results are capped at 50 by the default"} in d.reasons
}

test_non_numeric_role_cap_is_ignored if {
	d := decide(req(["auditors", "admins"], "search", "kb_articles", {}))
	d.obligations.limit_cap.max == 50
}

test_cap_mode_deny_from_config if {
	cfg := object.union(data.vectorgate.fixtures.config, {"defaults": {"limit_cap_mode": "deny"}})
	d := data.vectorgate.decision with input as req(["analysts"], "search", "kb_articles", {}) with data.vectorgate_config as cfg
	d.obligations.limit_cap == {"max": 100, "mode": "deny"}
}

test_no_cap_without_any_configured if {
	d := data.vectorgate.decision with input as req(["r"], "search", "kb_articles", {})
		with data.vectorgate_config as {"roles": {"r": {"grants": [{"collections": ["*"], "actions": ["search"]}]}}}
	d.allow
	not d.obligations.limit_cap
}

test_no_cap_on_count if {
	d := decide(req(["analysts"], "count", "kb_articles", {}))
	not d.obligations.limit_cap
}

test_vectors_stripped_for_others if {
	d := decide(req(["analysts"], "search", "kb_articles", {"operation": {"vectors_requested": true}}))
	d.allow
	d.obligations.strip_vectors == true
	{"code": "vectors_stripped", "message": "vectors are removed from the response: only ml-engineers may receive them"} in d.reasons
}

test_vectors_kept_for_named_groups if {
	d := decide(req(["ml-engineers"], "search", "kb_articles", {"operation": {"vectors_requested": true}}))
	d.obligations.strip_vectors == false
}

test_vectors_deny_mode if {
	cfg := object.union(data.vectorgate.fixtures.config, {"vectors": {"mode": "deny"}})
	d := data.vectorgate.decision with input as req(["analysts"], "search", "kb_articles", {"operation": {"vectors_requested": true}})
		with data.vectorgate_config as cfg
	not d.allow
	d.reasons == [{"code": "vectors_not_permitted", "message": "the request asks for vectors, which only ml-engineers may receive"}]
}

test_request_budget if {
	denied_with(req(["analysts"], "describe", "kb_articles", usage({"requests_last_minute": 10})), "budget_requests_exceeded")
	decide(req(["analysts"], "describe", "kb_articles", usage({"requests_last_minute": 9}))).allow
}

test_request_budget_message if {
	d := decide(req(["analysts"], "search", "kb_articles", usage({"requests_last_minute": 12})))
	d.reasons == [{"code": "budget_requests_exceeded", "message": "alice used 12 requests in the last minute, the budget is 10"}]
}

test_most_generous_role_budget_wins if {
	decide(req(["analysts", "ml-engineers"], "search", "kb_articles", usage({"requests_last_minute": 50}))).allow
}

test_default_budget_applies_without_role_budget if {
	denied_with(req(["admins"], "search", "kb_articles", usage({"requests_last_minute": 5})), "budget_requests_exceeded")
}

test_missing_usage_counts_as_zero if {
	r := object.remove(req(["analysts"], "search", "kb_articles", {}), ["context"])
	decide(object.union(r, {"context": {"time_ns": data.vectorgate.fixtures.tuesday_morning}})).allow
}

test_rows_budget if {
	denied_with(req(["analysts"], "query", "kb_articles", usage({"rows_last_hour": 1000})), "budget_rows_exceeded")
	decide(req(["analysts"], "count", "kb_articles", usage({"rows_last_hour": 1000}))).allow
}

test_vectors_budget if {
	r := req(["ml-engineers"], "search", "kb_articles", object.union(usage({"vectors_last_hour": 5000}), {"operation": {"vectors_requested": true}}))
	denied_with(r, "budget_vectors_exceeded")
	decide(req(["ml-engineers"], "search", "kb_articles", usage({"vectors_last_hour": 5000}))).allow
}

test_pagination_budget if {
	r := req(["analysts"], "query", "kb_articles", object.union(usage({"pages_last_hour": 20}), {"operation": {"paging": true}}))
	d := decide(r)
	d.reasons == [{"code": "pagination_budget_exceeded", "message": "alice used 20 iterator/scroll pages in the last hour, the budget is 20"}]
	decide(req(["analysts"], "query", "kb_articles", usage({"pages_last_hour": 20}))).allow
}

test_deep_offset if {
	d := decide(req(["analysts"], "query", "kb_articles", {"operation": {"offset": 501}}))
	d.reasons == [{
		"code": "pagination_offset_exceeded",
		"message": "offset 501 is past the deepest page allowed (500); paging through a whole collection is blocked",
	}]
	decide(req(["analysts"], "query", "kb_articles", {"operation": {"offset": 500}})).allow
}
