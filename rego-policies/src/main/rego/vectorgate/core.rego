# METADATA
# title: Vectorgate decision table (contract vectorgate/v1)
# description: |
#   Combines what every contributing rule in package vectorgate says into one decision.
#   Contributors (the shipped library, DSL-generated modules, an organisation's own Rego)
#   add elements to three partial sets:
#     deny       contains {"code", "message"}
#     allow      contains {"code", "message"}
#     obligation contains {"kind": "mask"|"strip_vectors"|"row_filter"|"limit_cap"|"approval"|"audit",
#                          "code", "message", ...kind-specific fields}
#   Rules: any deny denies; no allow denies (default deny); otherwise allow, with the merge of
#   every obligation that applies. See docs/contract.md.
package vectorgate

import rego.v1

contract_version := "vectorgate/v1"

# METADATA
# entrypoint: true
decision := {
	"allow": allowed,
	"reasons": reasons,
	"obligations": obligations,
}

default allowed := false

allowed if {
	no_denies
	count(allow_list) > 0
}

no_denies if {
	count(deny_list) == 0
	count(builtin_deny) == 0
}

# Built-in denies that no contributor can switch off.
# A missing contract field counts as a mismatch (null), so an input without one is denied.
builtin_deny contains {"code": "contract_mismatch", "message": msg} if {
	given := object.get(input, "contract", null)
	given != contract_version
	msg := concat("", ["input follows contract ", to_string(given), ", policy expects ", contract_version])
}

builtin_deny contains {"code": "unknown_operation", "message": msg} if {
	input.operation.action == "unknown"
	msg := concat("", ["the gateway could not classify this request (", protocol_detail, "); unknown operations are denied"])
}

# --- cost model (OPA Wasm, see docs/performance.md) ---------------------------------------------
# Iterating a set hashes every element twice (to find it and to fetch it), and adding to a set
# hashes it once, deeply: for obligation objects that is most of a decision's time. So each
# contributed set is walked exactly once, into an array (a comprehension keeps it empty, not
# undefined, when nothing contributes); everything below iterates those arrays. The sets
# already hold each element once, so the arrays have no duplicates.

deny_list := [d | some d in data.vectorgate.deny]

allow_list := [a | some a in data.vectorgate.allow]

obligation_list := [o | some o in data.vectorgate.obligation]

# Only built on the deny path.
effective_deny := {d | some d in deny_list} | builtin_deny

reasons := sort(effective_deny) if not no_denies

reasons := [{"code": "no_allow_rule", "message": msg}] if {
	no_denies
	count(allow_list) == 0
	msg := concat("", [
		"no rule allows ", to_string(object.get(input, ["operation", "action"], "")),
		" on collection ", to_string(object.get(input, ["operation", "resource", "collection"], "")),
		" for ", to_string(object.get(input, ["identity", "subject"], "")),
	])
}

# Reasons of an allow: every allow and obligation once per (code, message), in (code, message)
# order. Pairs hash and compare much faster than objects in Wasm (no key sorting), and sort
# orders [code, message] pairs exactly as it orders {"code", "message"} objects.
reasons := [{"code": p[0], "message": p[1]} | some p in sort(reason_pairs)] if allowed

reason_pairs := {[r.code, r.message] | some r in allow_list} | {[o.code, o.message] | some o in obligation_list}

# --- obligations -----------------------------------------------------------
# Kind-specific fields are read with object.get, so that the type checker accepts a policy whose
# contributors emit only some obligation kinds.

no_obligations := {"mask": [], "strip_vectors": false, "row_filter": []}

obligations := no_obligations if not allowed

obligations := object.union_n([
	{"mask": masks, "strip_vectors": strip_vectors, "row_filter": row_filters},
	limit_cap_part,
	approval_part,
	audit_part,
]) if allowed

mask_rank := {"partial": 1, "hash": 2, "redact": 3, "drop": 4}

rank_method := {1: "partial", 2: "hash", 3: "redact", 4: "drop"}

mask_obligations := [o | some o in obligation_list; o.kind == "mask"]

default masks := []

# One entry per (field, path); the strictest method wins: drop > redact > hash > partial.
# An unknown method counts as drop (fails closed).
masks := [{"field": k[0], "path": k[1], "method": rank_method[r]} |
	some k in sort(mask_keys)
	r := max([object.get(mask_rank, object.get(o, "method", "redact"), 4) |
		some o in mask_obligations
		object.get(o, "field", null) == k[0]
		object.get(o, "path", []) == k[1]
	])
] if count(mask_obligations) > 0

mask_keys := {[object.get(o, "field", null), object.get(o, "path", [])] | some o in mask_obligations}

default strip_vectors := false

strip_vectors if {
	some o in obligation_list
	o.kind == "strip_vectors"
}

row_filters := sort({{"field": object.get(o, "field", null), "op": object.get(o, "op", null), "value": object.get(o, "value", null)} |
	some o in obligation_list
	o.kind == "row_filter"
})

caps := [o | some o in obligation_list; o.kind == "limit_cap"]

default limit_cap_part := {}

# A cap without max caps at 0 (fails closed).
cap_max(c) := object.get(c, "max", 0)

# The smallest cap wins; it denies instead of clamping if any rule with that cap says so.
limit_cap_part := {"limit_cap": {"max": m, "mode": mode}} if {
	count(caps) > 0
	m := min([cap_max(c) | some c in caps])
	mode := cap_mode(m)
}

cap_mode(m) := "deny" if {
	some c in caps
	cap_max(c) == m
	object.get(c, "mode", "clamp") == "deny"
} else := "clamp"

approvals := [o | some o in obligation_list; o.kind == "approval"]

default approval_part := {}

# Several approval rules: every approver group may approve, the highest count and the
# shortest expiry apply.
approval_part := {"approval": {
	"reason": concat("; ", sort({a.message | some a in approvals})),
	"approver_groups": sort({g | some a in approvals; some g in object.get(a, "approver_groups", [])}),
	"min_approvals": max([object.get(a, "min_approvals", 1) | some a in approvals]),
	"expires_in_seconds": min([object.get(a, "expires_in_seconds", 3600) | some a in approvals]),
}} if {
	count(approvals) > 0
}

audits := [o | some o in obligation_list; o.kind == "audit"]

default audit_part := {}

# Labels merge; payloads are recorded unless any rule says not to; vectors only if a rule asks.
audit_part := {"audit": {
	"labels": object.union_n([object.get(a, "labels", {}) | some a in audits]),
	"record_payloads": every_records_payloads,
	"record_vectors": any_records_vectors,
}} if {
	count(audits) > 0
}

default every_records_payloads := true

every_records_payloads := false if {
	some a in audits
	object.get(a, "record_payloads", true) == false
}

default any_records_vectors := false

any_records_vectors if {
	some a in audits
	object.get(a, "record_vectors", false) == true
}

protocol_detail := concat(" ", [to_string(v) |
	some k in ["protocol", "rpc", "method", "path"]
	v := object.get(input.operation, ["protocol", k], null)
	v != null
])

to_string(x) := x if is_string(x)

else := json.marshal(x)
