package vectorgate.tenancy_test

import data.vectorgate.fixtures.decide
import data.vectorgate.fixtures.denied_with
import data.vectorgate.fixtures.req
import rego.v1

written(values, truncated) := {"operation": {"attributes": {"written_values": values, "written_values_truncated": truncated}}}

test_row_filter_on_reads if {
	d := decide(req(["analysts"], "search", "docs", {}))
	d.allow
	d.obligations.row_filter == [{"field": "tenant_id", "op": "eq", "value": "acme"}]
	{"code": "tenant_row_filter", "message": "rows of docs are limited to tenant acme (tenant_id)"} in d.reasons
}

test_row_filter_on_deletes_and_counts if {
	decide(req(["analysts"], "count", "docs", {})).obligations.row_filter[0].value == "acme"
	d := decide(req(["ml-engineers"], "delete", "docs", {"operation": {"counts": {"ids": 2}}}))
	d.obligations.row_filter == [{"field": "tenant_id", "op": "eq", "value": "acme"}]
}

test_no_row_filter_on_single_tenant_collection if {
	decide(req(["analysts"], "search", "kb_articles", {})).obligations.row_filter == []
}

test_bypass_group_sees_all_tenants if {
	d := decide(req(["admins"], "search", "docs", {}))
	d.allow
	d.obligations.row_filter == []
}

test_tenant_from_configured_claim if {
	cfg := object.union(data.vectorgate.fixtures.config, {"tenancy": {"claim": "org"}})
	d := data.vectorgate.decision with input as req(["analysts"], "search", "docs", {}) with data.vectorgate_config as cfg
	d.obligations.row_filter == [{"field": "tenant_id", "op": "eq", "value": "org-7"}]
}

test_missing_tenant_denied if {
	r := object.union(req(["analysts"], "search", "docs", {}), {"identity": {"tenant": ""}})
	d := decide(r)
	d.reasons == [{"code": "tenant_claim_missing", "message": "docs is multi-tenant and alice carries no tenant claim"}]
}

test_missing_configured_claim_denied if {
	cfg := object.union(data.vectorgate.fixtures.config, {"tenancy": {"claim": "department"}})
	d := data.vectorgate.decision with input as req(["analysts"], "search", "docs", {}) with data.vectorgate_config as cfg
	not d.allow
	d.reasons[0].code == "tenant_claim_missing"
}

test_unscoped_actions_denied if {
	denied_with(req(["analysts", "break-glass"], "truncate_collection", "docs", {}), "tenant_action_unscoped")
	denied_with(req(["ml-engineers"], "import", "docs", {}), "tenant_action_unscoped")
	decide(req(["admins"], "import", "docs", {})).allow
}

test_write_own_tenant_allowed_with_filter if {
	d := decide(req(["ml-engineers"], "insert", "docs", written({"tenant_id": ["acme"]}, false)))
	d.allow
	d.obligations.row_filter == [{"field": "tenant_id", "op": "eq", "value": "acme"}]
}

test_write_other_tenant_denied if {
	d := decide(req(["ml-engineers"], "upsert", "docs", written({"tenant_id": ["acme", "globex"]}, false)))
	not d.allow
	d.reasons == [{"code": "tenant_write_other_tenant", "message": "upsert would place rows of docs in tenant globex, not acme"}]
}

test_update_moving_rows_denied if {
	denied_with(req(["ml-engineers"], "update", "docs", written({"tenant_id": ["globex"]}, false)), "tenant_write_other_tenant")
	decide(req(["ml-engineers"], "update", "docs", written({"title": ["x"]}, false))).allow
}

test_write_without_tenant_field_denied if {
	d := decide(req(["ml-engineers"], "insert", "docs", written({"title": ["x"]}, false)))
	d.reasons == [{"code": "tenant_write_field_missing", "message": "insert into multi-tenant docs does not set tenant_id"}]
	denied_with(req(["ml-engineers"], "upsert", "docs", written({"tenant_id": []}, false)), "tenant_write_field_missing")
	denied_with(req(["ml-engineers"], "upsert", "docs", {}), "tenant_write_field_missing")
}

test_truncated_write_values_denied if {
	vals := [v | some i in numbers.range(1, 64); v := sprintf("t%d", [i])]
	d := decide(req(["ml-engineers"], "insert", "docs", written({"tenant_id": vals}, true)))
	not d.allow
	"tenant_write_values_truncated" in {r.code | some r in d.reasons}
	"tenant_write_other_tenant" in {r.code | some r in d.reasons}
}

test_namespace_tenancy if {
	denied_with(req(["ml-engineers"], "search", "ns_tenants", {"operation": {"resource": {"namespace": "globex"}}}), "tenant_namespace_mismatch")
	denied_with(req(["ml-engineers"], "search", "ns_tenants", {}), "tenant_namespace_mismatch")
	d := decide(req(["ml-engineers"], "search", "ns_tenants", {"operation": {"resource": {"namespace": "acme"}}}))
	d.allow
	d.obligations.row_filter == []
}
