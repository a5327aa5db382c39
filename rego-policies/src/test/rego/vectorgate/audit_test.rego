package vectorgate.audit_test

import data.vectorgate.fixtures.decide
import data.vectorgate.fixtures.req
import rego.v1

test_collection_audit_labels if {
	d := decide(req(["analysts"], "search", "customers", {}))
	d.obligations.audit == {"labels": {"data_class": "pii"}, "record_payloads": false, "record_vectors": false}
	{"code": "collection_audit", "message": "requests on customers carry the collection's audit settings"} in d.reasons
}

test_record_payloads_defaults_true if {
	d := decide(req(["analysts"], "search", "docs", {}))
	d.obligations.audit.record_payloads == true
}

test_no_audit_without_config if {
	d := decide(req(["analysts"], "search", "kb_articles", {}))
	not d.obligations.audit
}
