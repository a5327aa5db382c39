# Roles from OIDC groups
# A role is named after the OIDC group that confers it (vectorgate_config.roles.<group>).
# Its grants allow actions on collections matched by glob patterns; nothing else is allowed
# (the decision table denies by default).
package vectorgate.library

import rego.v1

# The configured roles the caller holds, keyed by group.
my_roles := {g: r |
	some g in input.identity.groups
	r := data.vectorgate_config.roles[g]
}

# What a grant's action list may name to cover this action.
action_tags := {action, "*", concat("", ["@", object.get(action_class, action, "unknown")])}

granting_roles contains g if {
	some g, r in my_roles
	some grant in r.grants
	some a in grant.actions
	action_tags[a]
	some p in grant.collections
	collection_matches(p)
}

# "*" matches any collection name (and the empty name of list/admin operations); other
# patterns are globs where "*" does not cross "/". A pattern without glob syntax matches only
# itself. Patterns with at most one "*" and no other glob metacharacters (the common case:
# "kb_*", "*_pii", "tenant_*_v2") are matched with string operations. Only the rest reach
# glob.match, which in Wasm compiles a regular expression on every call.
collection_matches(p) if p == "*"

else if p == collection

else if {
	has_glob_syntax(p)
	glob_matches(p)
}

glob_matches(p) if simple_glob_match(p)

else if {
	not simple_pattern(p)
	glob.match(p, ["/"], collection)
}

glob_metacharacters := ["?", "[", "]", "{", "}", "\\"]

has_glob_syntax(p) if contains(p, "*")

else if has_glob_metacharacter(p)

simple_pattern(p) if {
	count(split(p, "*")) == 2
	not has_glob_metacharacter(p)
}

has_glob_metacharacter(p) if {
	some m in glob_metacharacters
	contains(p, m)
}

simple_glob_match(p) if {
	simple_pattern(p)
	parts := split(p, "*")
	startswith(collection, parts[0])
	endswith(collection, parts[1])
	count(collection) >= count(parts[0]) + count(parts[1])
	middle := substring(collection, count(parts[0]), (count(collection) - count(parts[0])) - count(parts[1]))
	not contains(middle, "/")
}

allow contains {"code": "role_grant", "message": msg} if {
	count(granting_roles) > 0
	msg := concat("", [
		"role ", concat(", ", sort(granting_roles)), " allows ", action, " on ", collection_label,
	])
}
