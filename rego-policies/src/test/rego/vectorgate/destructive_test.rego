package vectorgate.destructive_test

import data.vectorgate.fixtures.decide
import data.vectorgate.fixtures.denied_with
import data.vectorgate.fixtures.req
import rego.v1

test_delete_all_denied_without_break_glass if {
	denied_with(req(["admins"], "delete_all", "kb_articles", {}), "destructive_requires_break_glass")
}

test_drop_and_truncate_denied_without_break_glass if {
	denied_with(req(["admins"], "drop_collection", "kb_articles", {}), "destructive_requires_break_glass")
	denied_with(req(["admins"], "truncate_collection", "kb_articles", {}), "destructive_requires_break_glass")
}

test_deny_message_names_break_glass_groups if {
	d := decide(req(["admins"], "drop_collection", "kb_articles", {}))
	d.reasons == [{
		"code": "destructive_requires_break_glass",
		"message": "drop_collection on kb_articles is destructive and only members of break-glass may request it",
	}]
}

test_break_glass_allowed_only_with_approval if {
	d := decide(req(["break-glass"], "delete_all", "kb_articles", {}))
	d.allow
	d.obligations.approval == {
		"reason": "delete_all on kb_articles is destructive: a break-glass request needs approval",
		"approver_groups": ["db-admins"],
		"min_approvals": 2,
		"expires_in_seconds": 900,
	}
	codes := {r.code | some r in d.reasons}
	codes == {"break_glass", "destructive_approval", "break_glass_audit"}
}

test_break_glass_is_audited if {
	d := decide(req(["break-glass"], "truncate_collection", "kb_articles", {}))
	d.obligations.audit.labels == {"break_glass": "true", "destructive_action": "truncate_collection"}
	d.obligations.audit.record_payloads == true
}

test_break_glass_exempt_from_write_window if {
	r := req(["break-glass"], "drop_collection", "kb_articles", {"context": {"time_ns": data.vectorgate.fixtures.saturday_morning}})
	decide(r).allow
}

test_misconfigured_group_list_still_denies if {
	cfg := object.union(data.vectorgate.fixtures.config, {"destructive": {"break_glass_groups": "break-glass"}})
	d := data.vectorgate.decision with input as req(["break-glass"], "delete_all", "kb_articles", {})
		with data.vectorgate_config as cfg
	d.reasons == [{
		"code": "destructive_requires_break_glass",
		"message": "delete_all on kb_articles is destructive and only members of break-glass may request it",
	}]
}
