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

# Filtering on a PII field would let a non-reader learn its values from which rows match
# (`email like "a%"`), masks notwithstanding. Adapters report the fields a client filter
# references (never the gateway's own row filter) in operation.attributes.filter_fields as
# [{"field", "path"}]; a filter field touches a PII field when the fields are equal and one path
# is a prefix of the other (filtering on the whole JSON field `profile` touches
# `profile.contact.email`, and the other way round). Malformed filter_fields touch every PII
# field: the check fails closed.
filter_fields := object.get(input.operation, ["attributes", "filter_fields"], [])

path_prefix(short, long) if {
	count(short) <= count(long)
	array.slice(long, 0, count(short)) == short
}

filter_touches(ff, pf) if {
	ff.field == pf.field
	fp := object.get(ff, "path", [])
	pp := object.get(pf, "path", [])
	is_array(fp)
	path_prefix(fp, pp)
}

filter_touches(ff, pf) if {
	ff.field == pf.field
	fp := object.get(ff, "path", [])
	pp := object.get(pf, "path", [])
	is_array(fp)
	path_prefix(pp, fp)
}

# A Milvus filter on the whole dynamic-field document `$meta` reads every dynamic key, whichever
# of the PII fields they are: it touches them all.
filter_touches(ff, _) if {
	ff.field == "$meta"
	count(object.get(ff, "path", [])) == 0
}

malformed_filter_field(ff) if not is_object(ff)

malformed_filter_field(ff) if {
	is_object(ff)
	not is_string(ff.field)
}

malformed_filter_field(ff) if {
	is_object(ff)
	not is_array(object.get(ff, "path", []))
}

malformed_filter_fields if not is_array(filter_fields)

malformed_filter_fields if {
	is_array(filter_fields)
	some ff in filter_fields
	malformed_filter_field(ff)
}

pii_filter_labels contains pii_field_label(pf) if {
	malformed_filter_fields
	some pf in pii_fields
}

pii_filter_labels contains pii_field_label(pf) if {
	is_array(filter_fields)
	some ff in filter_fields
	some pf in pii_fields
	filter_touches(ff, pf)
}

deny contains {"code": "pii_filter", "message": msg} if {
	has_pii
	not pii_reader
	count(pii_filter_labels) > 0
	msg := concat("", [
		"the filter on ", collection_label, " references PII field(s) ", concat(", ", sort(pii_filter_labels)),
		", which would reveal their values; only ", str_list(pii_reader_groups), " may filter on them",
	])
}
