# Exfiltration guards
# Limit / top_k caps per role, vectors only for named groups, per-identity volume budgets on
# the gateway's usage counters, and a stop to pagination dumps (iterator / scroll pages and
# deep offsets past a budget).
package vectorgate.library

import rego.v1

# --- limit cap ---------------------------------------------------------------

default defaults_cfg := {}

defaults_cfg := data.vectorgate_config.defaults

role_caps := [c |
	some r in my_roles
	c := r.limit_cap
	is_number(c)
]

# The most generous cap among the caller's roles; roles without a cap do not lift it.
limit_cap := max(role_caps) if count(role_caps) > 0

else := defaults_cfg.limit_cap

limit_cap_source := concat("", ["roles ", concat(", ", sort({g | some g, r in my_roles; r.limit_cap == limit_cap}))]) if {
	count(role_caps) > 0
} else := "the default"

obligation contains {
	"kind": "limit_cap",
	"code": "role_limit_cap",
	"message": msg,
	"max": limit_cap,
	"mode": object.get(defaults_cfg, "limit_cap_mode", "clamp"),
} if {
	returns_rows
	is_number(limit_cap)
	msg := concat("", ["results are capped at ", str(limit_cap), " by ", limit_cap_source])
}

# --- vectors -------------------------------------------------------------------

default vectors_cfg := {}

vectors_cfg := data.vectorgate_config.vectors

vector_reader_groups := object.get(vectors_cfg, "reader_groups", [])

vector_reader if in_any(vector_reader_groups)

vectors_mode := object.get(vectors_cfg, "mode", "strip")

obligation contains {"kind": "strip_vectors", "code": "vectors_stripped", "message": msg} if {
	vectors_requested == true
	not vector_reader
	vectors_mode != "deny"
	msg := concat("", ["vectors are removed from the response: only ", str_list(vector_reader_groups), " may receive them"])
}

deny contains {"code": "vectors_not_permitted", "message": msg} if {
	vectors_requested == true
	not vector_reader
	vectors_mode == "deny"
	msg := concat("", ["the request asks for vectors, which only ", str_list(vector_reader_groups), " may receive"])
}

# --- budgets -------------------------------------------------------------------

# The caller's budget for key: the most generous among their roles, else the default.
budget(key) := max(vals) if {
	vals := [v |
		some r in my_roles
		v := r.budget[key]
		is_number(v)
	]
	count(vals) > 0
} else := defaults_cfg.budget[key]

budget_deny(code, what, used, limit) := {"code": code, "message": concat("", [
	subject, " used ", str(used), " ", what, ", the budget is ", str(limit),
])}

deny contains budget_deny("budget_requests_exceeded", "requests in the last minute", used, limit) if {
	limit := budget("requests_per_minute")
	used := usage("requests_last_minute")
	exhausted(used, limit)
}

deny contains budget_deny("budget_rows_exceeded", "rows in the last hour", used, limit) if {
	returns_rows
	limit := budget("rows_per_hour")
	used := usage("rows_last_hour")
	exhausted(used, limit)
}

deny contains budget_deny("budget_vectors_exceeded", "vectors in the last hour", used, limit) if {
	vectors_requested == true
	vector_reader
	limit := budget("vectors_per_hour")
	used := usage("vectors_last_hour")
	exhausted(used, limit)
}

deny contains budget_deny("pagination_budget_exceeded", "iterator/scroll pages in the last hour", used, limit) if {
	input.operation.paging == true
	limit := budget("pages_per_hour")
	used := usage("pages_last_hour")
	exhausted(used, limit)
}

deny contains {"code": "pagination_offset_exceeded", "message": msg} if {
	returns_rows
	offset := input.operation.offset
	is_number(offset)
	limit := budget("max_offset")
	offset > limit
	msg := concat("", ["offset ", str(offset), " is past the deepest page allowed (", str(limit), "); paging through a whole collection is blocked"])
}
