package vectorgate.pii_test

import data.vectorgate.fixtures.decide
import data.vectorgate.fixtures.denied_with
import data.vectorgate.fixtures.req
import rego.v1

test_masks_for_non_readers if {
	d := decide(req(["analysts"], "query", "customers", {}))
	d.allow
	d.obligations.mask == [
		{"field": "email", "path": [], "method": "hash"},
		{"field": "notes", "path": [], "method": "redact"},
		{"field": "profile", "path": ["contact", "phone"], "method": "partial"},
	]
	{
		"code": "pii_masked",
		"message": "PII fields of customers (email, profile.contact.phone, notes) are masked: the caller is not in pii-readers",
	} in d.reasons
}

test_no_masks_for_readers if {
	d := decide(req(["analysts", "pii-readers"], "search", "customers", {}))
	d.allow
	d.obligations.mask == []
}

test_no_masks_for_non_row_actions if {
	d := decide(req(["analysts"], "count", "customers", {}))
	d.obligations.mask == []
}

test_collection_reader_groups_override if {
	d := decide(req(["ml-engineers", "pii-readers"], "get", "medical", {}))
	d.obligations.mask == [{"field": "diagnosis", "path": [], "method": "drop"}]
	d2 := decide(req(["ml-engineers", "clinicians"], "get", "medical", {}))
	d2.obligations.mask == []
}

test_bulk_copy_denied_to_non_readers if {
	denied_with(req(["admins"], "export", "customers", {}), "pii_bulk_copy")
	denied_with(req(["admins"], "snapshot", "customers", {}), "pii_bulk_copy")
	decide(req(["admins", "pii-readers"], "export", "customers", {})).allow
}

test_default_method_from_config if {
	cfg := object.union(data.vectorgate.fixtures.config, {"pii": {"default_method": "hash"}})
	d := data.vectorgate.decision with input as req(["analysts"], "query", "customers", {}) with data.vectorgate_config as cfg
	{"field": "notes", "path": [], "method": "hash"} in d.obligations.mask
}
