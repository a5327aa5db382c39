package vectorgate.bulk_delete_test

import data.vectorgate.fixtures.decide
import data.vectorgate.fixtures.req
import rego.v1

test_delete_by_filter_needs_approval if {
	d := decide(req(["ml-engineers"], "delete", "kb_articles", {"operation": {"filter": "status == \"stale\"", "counts": {"ids": 0}}}))
	d.allow
	d.obligations.approval == {
		"reason": "delete by filter on kb_articles (no explicit ids) needs approval",
		"approver_groups": ["db-admins"],
		"min_approvals": 1,
		"expires_in_seconds": 3600,
	}
	{"code": "bulk_delete_approval", "message": "delete by filter on kb_articles (no explicit ids) needs approval"} in d.reasons
}

test_delete_many_ids_needs_approval if {
	d := decide(req(["ml-engineers"], "delete", "kb_articles", {"operation": {"counts": {"ids": 11}}}))
	d.obligations.approval.reason == "delete of 11 ids on kb_articles (more than 10) needs approval"
}

test_delete_few_ids_no_approval if {
	d := decide(req(["ml-engineers"], "delete", "kb_articles", {"operation": {"counts": {"ids": 10}}}))
	d.allow
	not d.obligations.approval
}

test_delete_without_counts_is_by_filter if {
	r := req(["ml-engineers"], "delete", "kb_articles", {})
	d := decide(object.union(r, {"operation": {"counts": {"ids": "many"}}}))
	d.obligations.approval.approver_groups == ["db-admins"]
}

test_default_max_ids_is_100 if {
	d := data.vectorgate.decision with input as req(["w"], "delete", "kb_articles", {"operation": {"counts": {"ids": 101}}})
		with data.vectorgate_config as {"roles": {"w": {"grants": [{"collections": ["*"], "actions": ["delete"]}]}}}
	d.obligations.approval.reason == "delete of 101 ids on kb_articles (more than 100) needs approval"
	d.obligations.approval.approver_groups == []
}
