# PII masking
# Fields listed under vectorgate_config.collections.<name>.pii (payload/metadata fields,
# Milvus dynamic keys, or keys inside a JSON field via "path") are masked in responses unless
# the caller is in a PII reader group. Bulk copies (export, snapshot) of such a collection are
# denied to non-readers, because they cannot be masked.
package vectorgate.library

import rego.v1

default pii_cfg := {}

pii_cfg := data.vectorgate_config.pii

pii_fields := object.get(coll_cfg, "pii", [])

pii_reader_groups := object.get(coll_cfg, "pii_reader_groups", object.get(pii_cfg, "reader_groups", []))

pii_default_method := object.get(pii_cfg, "default_method", "redact")

has_pii if count(pii_fields) > 0

pii_reader if in_any(pii_reader_groups)

pii_field_label(f) := concat(".", array.concat([str(f.field)], [str(p) | some p in object.get(f, "path", [])]))

pii_mask_message := concat("", [
	"PII fields of ", collection_label, " (", concat(", ", [pii_field_label(f) | some f in pii_fields]),
	") are masked: the caller is not in ", str_list(pii_reader_groups),
])

obligation contains {
	"kind": "mask",
	"code": "pii_masked",
	"message": pii_mask_message,
	"field": f.field,
	"path": object.get(f, "path", []),
	"method": object.get(f, "method", pii_default_method),
} if {
	returns_rows
	has_pii
	not pii_reader
	some f in pii_fields
}

deny contains {"code": "pii_bulk_copy", "message": msg} if {
	action in {"export", "snapshot"}
	has_pii
	not pii_reader
	msg := concat("", [
		action, " of ", collection_label, " would copy unmasked PII; only ",
		str_list(pii_reader_groups), " may do that",
	])
}
