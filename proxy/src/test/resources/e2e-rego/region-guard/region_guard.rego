# Test-only contributor (PymilvusRowFilterRecheckE2ETest): rows of kb_regions whose dynamic key
# `region` is "eu" stay out of reach of everyone but admins: a row filter `region != "eu"`.
package vectorgate

import rego.v1

obligation contains {
	"kind": "row_filter",
	"code": "region_row_filter",
	"message": "rows of kb_regions with region eu are withheld",
	"field": "region",
	"op": "ne",
	"value": "eu",
} if {
	input.operation.resource.collection == "kb_regions"
	input.operation.action in {"search", "query", "get", "count"}
	not "admins" in input.identity.groups
}
