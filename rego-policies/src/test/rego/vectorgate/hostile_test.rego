package vectorgate.hostile_test

import data.vectorgate.fixtures.config
import data.vectorgate.fixtures.decide
import data.vectorgate.fixtures.req
import rego.v1

# Malformed or hostile inputs never allow more than a well-formed one would.

test_groups_as_string_grant_nothing if {
	r := object.union(req([], "search", "kb_articles", {}), {"identity": {"groups": "analysts"}})
	d := decide(r)
	not d.allow
	d.reasons[0].code == "no_allow_rule"
}

test_missing_operation_is_denied if {
	r := object.remove(req(["admins"], "search", "kb_articles", {}), ["operation"])
	d := decide(r)
	not d.allow
}

test_missing_identity_is_denied if {
	r := object.remove(req(["admins"], "search", "kb_articles", {}), ["identity"])
	d := decide(r)
	not d.allow
	d.reasons == [{"code": "no_allow_rule", "message": "no rule allows search on collection kb_articles for "}]
}

test_non_string_collection_matches_only_star if {
	r := object.union(req(["analysts"], "search", "kb_articles", {}), {"operation": {"resource": {"collection": ["docs"]}}})
	d := decide(r)
	not d.allow
}

test_glob_metacharacters_in_collection_are_literal if {
	# a collection literally named "kb_*" matches the grant pattern, "kb_[x]" does not
	decide(req(["analysts"], "search", "kb_*", {})).allow
	not decide(req(["analysts"], "search", "docs*", {})).allow
}

test_unknown_action_granted_by_star_is_still_denied if {
	d := decide(req(["admins"], "unknown", "kb_articles", {}))
	not d.allow
	d.reasons[0].code == "unknown_operation"
}

test_tenant_spoofing_through_claims_needs_configuration if {
	# without tenancy.claim the claims are ignored: identity.tenant decides
	r := object.union(req(["analysts"], "search", "docs", {}), {"identity": {"claims": {"tenant": "globex"}}})
	decide(r).obligations.row_filter == [{"field": "tenant_id", "op": "eq", "value": "acme"}]
}

test_non_string_tenant_is_missing if {
	r := object.union(req(["analysts"], "search", "docs", {}), {"identity": {"tenant": ["acme", "globex"]}})
	d := decide(r)
	d.reasons[0].code == "tenant_claim_missing"
}

test_written_values_not_a_list_is_missing if {
	r := req(["ml-engineers"], "insert", "docs", {"operation": {"attributes": {"written_values": {"tenant_id": "acme"}}}})
	d := decide(r)
	not d.allow
	d.reasons[0].code == "tenant_write_field_missing"
}

test_malformed_usage_counts_as_exhausted if {
	r := req(["analysts"], "search", "kb_articles", {"context": {"usage": {"requests_last_minute": "0"}}})
	d := decide(r)
	d.reasons == [{"code": "budget_requests_exceeded", "message": "alice used 0 requests in the last minute, the budget is 10"}]
}

test_config_fixture_is_used if {
	config.roles.analysts.limit_cap == 100
}
