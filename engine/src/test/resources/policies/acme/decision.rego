# A test decision table for the engine (not the shipped library): roles come from data,
# collections match glob patterns, limits and masks come from the roles, tenants become row
# filters, and a few denies always win.
package vectorgate

import rego.v1

# METADATA
# entrypoint: true
decision := {
	"allow": allowed,
	"reasons": reasons,
	"obligations": obligations,
}

default allowed := false

allowed if {
	count(denies) == 0
	count(grants) > 0
}

collection := object.get(input.operation, ["resource", "collection"], "")

roles contains r if {
	some g in input.identity.groups
	some r in object.get(data.acme.group_roles, g, [])
}

grants contains {"code": "role_grant", "message": concat("", ["role ", r, " may ", input.operation.action, " ", collection])} if {
	some r in roles
	role := data.acme.roles[r]
	input.operation.action in role.actions
	some pattern in role.collections
	glob.match(pattern, ["."], collection)
}

denies contains {"code": "blocked_subject", "message": concat("", ["subject ", input.identity.subject, " is blocked"])} if {
	input.identity.subject in data.acme.blocked_subjects
}

denies contains {"code": "rate_limited", "message": "too many requests in the last minute"} if {
	input.context.usage.requests_last_minute > data.acme.rate_limit_per_minute
}

denies contains {"code": "tenant_mismatch", "message": concat("", ["collection ", collection, " belongs to another tenant"])} if {
	owner := data.acme.collection_tenants[collection]
	owner != object.get(input.identity, "tenant", "")
}

denies contains {"code": "destructive_action", "message": concat("", [input.operation.action, " needs the admin group"])} if {
	input.operation.action in {"drop_collection", "delete_all", "truncate_collection"}
	not "admins" in input.identity.groups
}

denies contains {"code": "too_many_ids", "message": "request names too many ids"} if {
	input.operation.counts.ids > data.acme.max_ids
}

reasons := sort(denies) if count(denies) > 0

reasons := [{"code": "no_grant", "message": concat("", ["no role grants ", input.operation.action, " on ", collection])}] if {
	count(denies) == 0
	count(grants) == 0
}

reasons := sort(grants) if allowed

obligations := {"mask": [], "strip_vectors": false, "row_filter": []} if not allowed

obligations := object.union_n([
	{"mask": masks, "strip_vectors": strip_vectors, "row_filter": row_filters},
	cap_part,
]) if allowed

masked_fields := {f | some r in roles; some f in object.get(data.acme.roles[r], "mask", [])} - {f | some r in roles; some f in object.get(data.acme.roles[r], "unmask", [])}

masks := [{"field": f, "path": [], "method": "redact"} | some f in sort(masked_fields)]

default strip_vectors := false

strip_vectors if {
	input.operation.vectors_requested
	not "vector_reader" in roles
}

row_filters := [{"field": "tenant", "op": "eq", "value": input.identity.tenant} |
	input.identity.tenant
	not "cross_tenant" in roles
]

caps := [object.get(data.acme.roles[r], "max_limit", data.acme.default_max_limit) | some r in roles]

default cap_part := {}

cap_part := {"limit_cap": {"max": max(caps), "mode": "clamp"}} if count(caps) > 0
