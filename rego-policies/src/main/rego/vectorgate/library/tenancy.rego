# Tenant isolation
# Collections with a tenant_field (or tenant_namespace) are multi-tenant. Callers outside
# tenancy.bypass_groups get a row filter on their tenant (from identity.tenant or the claim
# named by tenancy.claim), writes that would place rows in another tenant are denied, and
# operations that cannot be scoped to one tenant are denied.
package vectorgate.library

import rego.v1

default tenancy_cfg := {}

tenancy_cfg := data.vectorgate_config.tenancy

raw_tenant := input.identity.claims[tenancy_cfg.claim]

raw_tenant := input.identity.tenant if not tenancy_cfg.claim

tenant := raw_tenant if {
	is_string(raw_tenant)
	raw_tenant != ""
}

tenant_field := f if {
	f := coll_cfg.tenant_field
	is_string(f)
}

multi_tenant if tenant_field

multi_tenant if coll_cfg.tenant_namespace == true

tenant_bypass if in_any(object.get(tenancy_cfg, "bypass_groups", []))

tenant_scoped if {
	multi_tenant
	not tenant_bypass
}

# Operations a row filter (or a namespace pin) can confine to one tenant.
tenant_row_actions := {"search", "query", "get", "count", "insert", "upsert", "update", "delete"}

# Operations that act on every tenant's rows at once.
tenant_unscoped_actions := {"delete_all", "truncate_collection", "drop_collection", "export", "snapshot", "import"}

# Writes whose written values are checked against the caller's tenant.
tenant_write_actions := {"insert", "upsert", "update"}

written_values := object.get(input.operation, ["attributes", "written_values"], {})

deny contains {"code": "tenant_claim_missing", "message": msg} if {
	tenant_scoped
	tenant_row_actions[action]
	not tenant
	msg := concat("", [collection_label, " is multi-tenant and ", subject, " carries no tenant claim"])
}

deny contains {"code": "tenant_action_unscoped", "message": msg} if {
	tenant_scoped
	tenant_unscoped_actions[action]
	msg := concat("", [action, " on multi-tenant ", collection_label, " would touch every tenant; only ", str_list(object.get(tenancy_cfg, "bypass_groups", [])), " may do that"])
}

obligation contains {
	"kind": "row_filter",
	"code": "tenant_row_filter",
	"message": msg,
	"field": tenant_field,
	"op": "eq",
	"value": tenant,
} if {
	tenant_scoped
	tenant_row_actions[action]
	msg := concat("", ["rows of ", collection_label, " are limited to tenant ", tenant, " (", tenant_field, ")"])
}

deny contains {"code": "tenant_write_field_missing", "message": msg} if {
	tenant_scoped
	action in {"insert", "upsert"}
	tenant
	not written_tenant_values
	msg := concat("", [action, " into multi-tenant ", collection_label, " does not set ", tenant_field])
}

written_tenant_values := vs if {
	vs := written_values[tenant_field]
	is_array(vs)
	count(vs) > 0
}

deny contains {"code": "tenant_write_other_tenant", "message": msg} if {
	tenant_scoped
	tenant_write_actions[action]
	tenant
	others := [v | some v in written_values[tenant_field]; v != tenant]
	count(others) > 0
	msg := concat("", [action, " would place rows of ", collection_label, " in tenant ", str_list(others), ", not ", tenant])
}

deny contains {"code": "tenant_write_values_truncated", "message": msg} if {
	tenant_scoped
	tenant_write_actions[action]
	input.operation.attributes.written_values_truncated == true
	count(written_values[tenant_field]) >= 64
	msg := concat("", [action, " into ", collection_label, " writes more distinct ", tenant_field, " values than the gateway lists"])
}

deny contains {"code": "tenant_namespace_mismatch", "message": msg} if {
	tenant_scoped
	coll_cfg.tenant_namespace == true
	tenant_row_actions[action]
	tenant
	ns := object.get(input.operation, ["resource", "namespace"], "")
	ns != tenant
	msg := concat("", ["namespace ", str(ns), " of ", collection_label, " is not the caller's tenant ", tenant])
}
