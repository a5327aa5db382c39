# Sandboxes: collections where a group may do everything
# vectorgate_config.sandboxes is a list of {"name", "groups", "collections", "except"}: a caller
# holding one of a sandbox's groups, on a collection matched by one of its "collections" globs and
# by none of its "except" globs, is allowed every action there (code sandbox). Inside a sandbox the
# destructive-action, bulk-delete and write-window controls do not apply, so a client's own
# quick-start (create, insert, search, delete by filter, drop) runs start to finish. A collection
# with its own settings (vectorgate_config.collections: tenancy, PII, audit) is never part of a
# sandbox; budgets, result caps and vector stripping still apply everywhere.
package vectorgate.library

import rego.v1

default sandboxes := []

sandboxes := data.vectorgate_config.sandboxes

# The name of the sandbox this request falls in (the first one listed that matches).
sandbox_name := names[0] if {
	names := [object.get(sb, "name", "sandbox") |
		some sb in sandboxes
		sandbox_matches(sb)
	]
	count(names) > 0
}

in_sandbox if sandbox_name

sandbox_matches(sb) if {
	collection != ""
	not configured_collection
	in_any(object.get(sb, "groups", []))
	some p in object.get(sb, "collections", [])
	collection_matches(p)
	not sandbox_excepts(sb)
}

configured_collection if {
	_ := data.vectorgate_config.collections[collection]
}

sandbox_excepts(sb) if {
	some p in object.get(sb, "except", [])
	collection_matches(p)
}

allow contains {"code": "sandbox", "message": msg} if {
	in_sandbox
	msg := concat("", [action, " on ", collection_label, " is inside the sandbox ", str(sandbox_name), " of ", subject])
}
