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

ff(fields) := {"operation": {"attributes": {"filter_fields": fields}}}

test_filter_on_pii_field_denied_to_non_readers if {
	r := req(["analysts"], "query", "customers", ff([{"field": "email", "path": []}]))
	d := decide(r)
	not d.allow
	{
		"code": "pii_filter",
		"message": "the filter on customers references PII field(s) email, which would reveal their values; only pii-readers may filter on them",
	} in d.reasons
}

test_filter_on_pii_field_allowed_to_readers if {
	d := decide(req(["analysts", "pii-readers"], "query", "customers", ff([{"field": "email", "path": []}])))
	d.allow
	not "pii_filter" in data.vectorgate.fixtures.codes(d)
}

test_filter_on_other_fields_allowed if {
	d := decide(req(["analysts"], "search", "customers", ff([
		{"field": "segment", "path": []},
		{"field": "profile", "path": ["contact", "city"]},
		{"field": "profile", "path": ["name"]},
	])))
	d.allow
}

test_filter_on_whole_json_field_touches_pii_key if {
	denied_with(req(["analysts"], "query", "customers", ff([{"field": "profile", "path": []}])), "pii_filter")
	denied_with(req(["analysts"], "query", "customers", ff([{"field": "profile"}])), "pii_filter")
	denied_with(req(["analysts"], "search", "customers", ff([{"field": "profile", "path": ["contact"]}])), "pii_filter")
}

test_filter_below_pii_key_touches_it if {
	r := req(["analysts"], "get", "customers", ff([{"field": "profile", "path": ["contact", "phone", "mobile"]}]))
	denied_with(r, "pii_filter")
}

test_filter_applies_to_every_filtered_action if {
	every act in ["count", "delete", "search", "get"] {
		denied_with(req(["admins"], act, "customers", ff([{"field": "notes", "path": []}])), "pii_filter")
	}
}

test_filter_labels_listed_sorted if {
	d := decide(req(["analysts"], "query", "customers", ff([
		{"field": "notes", "path": []},
		{"field": "profile", "path": []},
		{"field": "email", "path": []},
		{"field": "notes", "path": []},
	])))
	{
		"code": "pii_filter",
		"message": "the filter on customers references PII field(s) email, notes, profile.contact.phone, which would reveal their values; only pii-readers may filter on them",
	} in d.reasons
}

test_filter_collection_reader_groups if {
	r := req(["ml-engineers", "pii-readers"], "query", "medical", ff([{"field": "diagnosis", "path": []}]))
	d := decide(r)
	not d.allow
	some reason in d.reasons
	reason.code == "pii_filter"
	contains(reason.message, "only clinicians may filter")
	decide(req(["ml-engineers", "clinicians"], "query", "medical", ff([{"field": "diagnosis", "path": []}]))).allow
}

test_filter_on_collection_without_pii_allowed if {
	decide(req(["analysts"], "query", "kb_articles", ff([{"field": "email", "path": []}]))).allow
}

test_malformed_filter_fields_fail_closed if {
	denied_with(req(["analysts"], "query", "customers", ff("email")), "pii_filter")
	denied_with(req(["analysts"], "query", "customers", ff([{"field": 7}])), "pii_filter")
	denied_with(req(["analysts"], "query", "customers", ff(["email"])), "pii_filter")
	denied_with(req(["analysts"], "query", "customers", ff([{"field": "segment", "path": "contact"}])), "pii_filter")
	decide(req(["analysts", "pii-readers"], "query", "customers", ff("email"))).allow
}

test_no_filter_fields_no_pii_filter if {
	d := decide(req(["analysts"], "query", "customers", {}))
	d.allow
}

test_filter_on_whole_milvus_dynamic_document_touches_every_pii_field if {
	d := decide(req(["analysts"], "query", "customers", ff([{"field": "$meta", "path": []}])))
	not d.allow
	{
		"code": "pii_filter",
		"message": "the filter on customers references PII field(s) email, notes, profile.contact.phone, which would reveal their values; only pii-readers may filter on them",
	} in d.reasons
	decide(req(["analysts"], "query", "customers", ff([{"field": "$meta", "path": ["segment"]}]))).allow
}
