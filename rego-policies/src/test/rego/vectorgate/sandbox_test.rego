package vectorgate.sandbox_test

import data.vectorgate.fixtures.allowed_with
import data.vectorgate.fixtures.codes
import data.vectorgate.fixtures.decide
import data.vectorgate.fixtures.denied_with
import data.vectorgate.fixtures.req
import data.vectorgate.fixtures.saturday_morning
import data.vectorgate.fixtures.tuesday_night
import rego.v1

# The pymilvus quick-start's steps, as a developer, on its own collection name.
test_developer_runs_a_quick_start_in_the_sandbox if {
	every act in ["drop_collection", "create_collection", "insert", "search", "query", "get", "delete", "describe", "create_index", "truncate_collection", "delete_all"] {
		allowed_with(req(["developers"], act, "demo_collection", {}), "sandbox")
	}
}

test_sandbox_allow_names_the_sandbox if {
	d := decide(req(["developers"], "insert", "demo_collection", {}))
	{"code": "sandbox", "message": "insert on demo_collection is inside the sandbox quick-starts of alice"} in d.reasons
}

test_sandbox_without_name_is_called_sandbox if {
	d := decide(req(["testers"], "insert", "test_collection", {}))
	d.allow
	{"code": "sandbox", "message": "insert on test_collection is inside the sandbox sandbox of alice"} in d.reasons
}

test_delete_by_filter_in_sandbox_needs_no_approval if {
	d := decide(req(["developers"], "delete", "demo_collection", {"operation": {"filter": "subject == \"biology\"", "counts": {"ids": 0}}}))
	d.allow
	not d.obligations.approval
}

test_drop_in_sandbox_needs_neither_break_glass_nor_approval if {
	d := decide(req(["developers"], "drop_collection", "demo_collection", {}))
	d.allow
	not d.obligations.approval
	not "destructive_requires_break_glass" in codes(d)
}

test_sandbox_has_no_write_window if {
	every t in [saturday_morning, tuesday_night] {
		allowed_with(req(["developers"], "insert", "demo_collection", {"context": {"time_ns": t}}), "sandbox")
	}
}

test_outside_the_sandbox_the_controls_stay if {
	# ml-engineers write kb_* (not a sandbox member): bulk delete held, night write denied
	d := decide(req(["ml-engineers"], "delete", "kb_articles", {"operation": {"counts": {"ids": 0}}}))
	d.obligations.approval
	denied_with(req(["ml-engineers"], "insert", "kb_articles", {"context": {"time_ns": saturday_morning}}), "outside_write_window")
	denied_with(req(["admins"], "drop_collection", "demo_collection", {}), "destructive_requires_break_glass")
}

test_except_patterns_are_outside_the_sandbox if {
	denied_with(req(["developers"], "insert", "kb_articles", {}), "no_allow_rule")
}

test_configured_collections_are_never_in_a_sandbox if {
	every c in ["docs", "customers", "kb_open"] {
		d := decide(req(["developers"], "insert", c, {}))
		not d.allow
		not "sandbox" in codes(d)
	}
}

test_non_members_get_nothing_from_a_sandbox if {
	d := decide(req(["analysts"], "insert", "demo_collection", {}))
	not d.allow
	not "sandbox" in codes(d)
	denied_with(req(["testers"], "insert", "demo_collection", {}), "no_allow_rule")
}

test_collection_less_actions_are_not_sandboxed if {
	d := decide(req(["developers"], "admin", "", {}))
	not d.allow
	not "sandbox" in codes(d)
}

test_budgets_still_apply_in_the_sandbox if {
	denied_with(req(["developers"], "search", "demo_collection", {"context": {"usage": {"requests_last_minute": 5}}}), "budget_requests_exceeded")
}

test_no_sandboxes_configured if {
	d := data.vectorgate.decision with input as req(["developers"], "insert", "demo_collection", {})
		with data.vectorgate_config as {"roles": {}}
	not d.allow
}
