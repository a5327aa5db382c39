# Bulk deletes need approval
# A delete by filter (no explicit ids) or of more than vectorgate_config.bulk_delete.max_ids
# ids is held until an approver group approves it (not inside a sandbox, see sandbox.rego).
package vectorgate.library

import rego.v1

default bulk_cfg := {}

bulk_cfg := data.vectorgate_config.bulk_delete

bulk_max_ids := object.get(bulk_cfg, "max_ids", 100)

delete_ids := n if {
	n := input.operation.counts.ids
	is_number(n)
} else := 0

bulk_delete_reason := concat("", ["delete by filter on ", collection_label, " (no explicit ids)"]) if {
	action == "delete"
	delete_ids == 0
}

bulk_delete_reason := concat("", [
	"delete of ", format_int(delete_ids, 10), " ids on ", collection_label,
	" (more than ", str(bulk_max_ids), ")",
]) if {
	action == "delete"
	delete_ids > bulk_max_ids
}

obligation contains {
	"kind": "approval",
	"code": "bulk_delete_approval",
	"message": concat("", [bulk_delete_reason, " needs approval"]),
	"approver_groups": object.get(bulk_cfg, "approver_groups", []),
	"min_approvals": object.get(bulk_cfg, "min_approvals", 1),
	"expires_in_seconds": object.get(bulk_cfg, "expires_in_seconds", 3600),
} if {
	bulk_delete_reason
	not in_sandbox
}
