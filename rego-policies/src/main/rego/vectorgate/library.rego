# The shipped Vectorgate library, wired into the decision table
# Everything the data-driven library (package vectorgate.library) decides lands in the
# decision table's partial sets here. An organisation configures it with the data document
# data.vectorgate_config (see docs/contract.md, "Library configuration"); it never edits Rego.
package vectorgate

import data.vectorgate.library
import rego.v1

deny contains d if {
	some d in library.deny
}

allow contains a if {
	some a in library.allow
}

obligation contains o if {
	some o in library.obligation
}
