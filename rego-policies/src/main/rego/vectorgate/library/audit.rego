# Audit hints per collection
# vectorgate_config.collections.<name>.audit attaches labels to every record of a request on
# that collection and can forbid recording payloads.
package vectorgate.library

import rego.v1

obligation contains {
	"kind": "audit",
	"code": "collection_audit",
	"message": msg,
	"labels": object.get(a, "labels", {}),
	"record_payloads": object.get(a, "record_payloads", true),
} if {
	a := coll_cfg.audit
	is_object(a)
	msg := concat("", ["requests on ", collection_label, " carry the collection's audit settings"])
}
