# Shared facts of the Vectorgate library
# Request facts and configuration lookups every library rule uses. Each is computed at most
# once per evaluation and costs a handful of lookups: no walk over the configuration.
package vectorgate.library

import rego.v1

# The organisation's configuration is data.vectorgate_config (docs/contract.md, "Library
# configuration"). Rules reference the paths they need directly instead of copying the whole
# document, which keeps topdown evaluation cheap too.

action := input.operation.action

# The collection the operation names; "" for operations without one (list, admin).
default collection := ""

collection := c if {
	c := input.operation.resource.collection
	is_string(c)
}

collection_label := collection if collection != ""

else := "(no collection)"

# Per-collection settings, looked up by exact collection name.
default coll_cfg := {}

coll_cfg := data.vectorgate_config.collections[collection]

# The caller's groups as a set.
groups := {g | some g in input.identity.groups}

subject := str(object.get(input, ["identity", "subject"], "(anonymous)"))

# True when the caller belongs to any group in the list gs.
in_any(gs) if {
	some g in gs
	groups[g]
}

# The classes actions fall into; a grant may name a class as "@read", "@write", ...
action_class := {
	"search": "read",
	"query": "read",
	"get": "read",
	"count": "read",
	"describe": "read",
	"list": "read",
	"insert": "write",
	"upsert": "write",
	"update": "write",
	"delete": "write",
	"delete_all": "destructive",
	"drop_collection": "destructive",
	"truncate_collection": "destructive",
	"create_collection": "schema",
	"rename_collection": "schema",
	"alter_collection": "schema",
	"create_index": "schema",
	"drop_index": "schema",
	"snapshot": "data_movement",
	"export": "data_movement",
	"import": "data_movement",
	"admin": "admin",
}

# Actions whose response carries rows (and so PII, vectors and volume).
row_returning_actions := {"search", "query", "get"}

# Actions that change data or schema (subject to write windows): every write, destructive and
# schema action, and import. Read from action_class, which a decision builds anyway (a literal
# set would be built on every evaluation in Wasm).
modifying_classes := {"write", "destructive", "schema"}

modifying_action if modifying_classes[object.get(action_class, action, "")]

modifying_action if action == "import"

returns_rows if row_returning_actions[action]

default vectors_requested := false

vectors_requested := input.operation.vectors_requested

# A usage counter as the gateway sent it; 0 when absent. A malformed (non-numeric) counter is
# returned as is and counts as exhausted (see exhausted), so bad input fails closed.
usage(key) := object.get(input, ["context", "usage", key], 0)

exhausted(used, _) if not is_number(used)

exhausted(used, limit) if {
	is_number(used)
	used >= limit
}

# A total conversion to string, so that building a message can never fail (and so never
# makes a deny rule undefined).
str(x) := x if is_string(x)

else := json.marshal(x)

str_list(xs) := concat(", ", [str(x) | some x in xs]) if is_array(xs)

else := str(xs)
