# Destructive actions need break-glass and approval
# delete_all, drop_collection and truncate_collection (vectorgate_config.destructive.actions)
# are denied to everyone outside the break-glass groups, whatever their roles grant; a
# break-glass member is allowed only after approval, and the request is labelled for audit.
# Inside a sandbox (sandbox.rego) these actions are ordinary grants.
package vectorgate.library

import rego.v1

default destructive_cfg := {}

destructive_cfg := data.vectorgate_config.destructive

destructive_actions := object.get(destructive_cfg, "actions", ["delete_all", "drop_collection", "truncate_collection"])

is_destructive if {
	action in destructive_actions
	not in_sandbox
}

break_glass if in_any(object.get(destructive_cfg, "break_glass_groups", []))

deny contains {"code": "destructive_requires_break_glass", "message": msg} if {
	is_destructive
	not break_glass
	msg := concat("", [
		action, " on ", collection_label, " is destructive and only members of ",
		str_list(object.get(destructive_cfg, "break_glass_groups", [])), " may request it",
	])
}

allow contains {"code": "break_glass", "message": msg} if {
	is_destructive
	break_glass
	msg := concat("", [subject, " uses break-glass for ", action, " on ", collection_label])
}

obligation contains {
	"kind": "approval",
	"code": "destructive_approval",
	"message": msg,
	"approver_groups": object.get(destructive_cfg, "approver_groups", []),
	"min_approvals": object.get(destructive_cfg, "min_approvals", 1),
	"expires_in_seconds": object.get(destructive_cfg, "expires_in_seconds", 3600),
} if {
	is_destructive
	break_glass
	msg := concat("", [action, " on ", collection_label, " is destructive: a break-glass request needs approval"])
}

obligation contains {
	"kind": "audit",
	"code": "break_glass_audit",
	"message": msg,
	"labels": {"break_glass": "true", "destructive_action": action},
	"record_payloads": true,
} if {
	is_destructive
	break_glass
	msg := concat("", ["break-glass use by ", subject, " is labelled for audit"])
}
