package vectorgate.roles_test

import data.vectorgate.fixtures.decide
import data.vectorgate.fixtures.denied_with
import data.vectorgate.fixtures.req
import rego.v1

test_exact_collection_grant if {
	d := decide(req(["analysts"], "search", "docs", {}))
	d.allow
	{"code": "role_grant", "message": "role analysts allows search on docs"} in d.reasons
}

test_glob_collection_grant if {
	decide(req(["analysts"], "query", "kb_articles", {})).allow
}

test_glob_does_not_match_other_names if {
	denied_with(req(["analysts"], "search", "hr_records", {}), "no_allow_rule")
}

test_action_class_read_excludes_writes if {
	denied_with(req(["analysts"], "insert", "kb_articles", {}), "no_allow_rule")
}

test_star_collection_matches_no_collection if {
	r := object.remove(req(["analysts"], "list", "", {}), ["operation"])
	d := decide(object.union(r, {"operation": {"action": "list", "resource": {}}}))
	d.allow
	{"code": "role_grant", "message": "role analysts allows list on (no collection)"} in d.reasons
}

test_star_action_grants_everything_non_destructive if {
	decide(req(["admins"], "admin", "", {})).allow
	decide(req(["admins"], "alter_collection", "kb_articles", {})).allow
}

test_several_roles_are_listed if {
	d := decide(req(["analysts", "ml-engineers"], "search", "kb_articles", {}))
	{"code": "role_grant", "message": "role analysts, ml-engineers allows search on kb_articles"} in d.reasons
}

test_unknown_group_has_no_role if {
	denied_with(req(["visitors"], "search", "kb_articles", {}), "no_allow_rule")
}

test_no_groups_default_deny if {
	r := object.union(req([], "search", "kb_articles", {}), {"identity": {"groups": []}})
	denied_with(r, "no_allow_rule")
}

test_no_configuration_denies_everything if {
	d := data.vectorgate.decision with input as req(["admins"], "search", "kb_articles", {})
	not d.allow
	d.reasons[0].code == "no_allow_rule"
}

test_minimal_configuration_uses_defaults if {
	cfg := {
		"roles": {"r": {"grants": [{"collections": ["*"], "actions": ["*"]}]}},
		"collections": {"t": {"tenant_field": "org", "pii": [{"field": "email"}]}},
	}
	d := data.vectorgate.decision with input as req(["r"], "search", "t", {"operation": {"vectors_requested": true}})
		with data.vectorgate_config as cfg
	d.allow
	d.obligations.strip_vectors == true
	d.obligations.mask == [{"field": "email", "path": [], "method": "redact"}]
	d.obligations.row_filter == [{"field": "org", "op": "eq", "value": "acme"}]
}

glob_config := {"roles": {"g": {"grants": [{
	"collections": ["*_pii", "tenant_*_v2", "kb_?x", "a*b*c", "exact"],
	"actions": ["search"],
}]}}}

glob_allows(coll) if {
	d := data.vectorgate.decision with input as req(["g"], "search", coll, {}) with data.vectorgate_config as glob_config
	d.allow
}

test_glob_patterns if {
	glob_allows("customers_pii")
	glob_allows("_pii")
	glob_allows("tenant_acme_v2")
	glob_allows("tenant__v2")
	glob_allows("kb_1x")
	glob_allows("a_b_c")
	glob_allows("abc")
	glob_allows("exact")
	not glob_allows("customers_pii_2")
	not glob_allows("tenant_v2")
	not glob_allows("tenant_a/b_v2")
	not glob_allows("kb_12x")
	not glob_allows("a/b/c")
	not glob_allows("exactly")
	not glob_allows("")
}
