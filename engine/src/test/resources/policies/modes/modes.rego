# A test policy whose result shape the input chooses, to drive every fail-closed path of the engine.
package vectorgate

import rego.v1

# METADATA
# entrypoint: true
decision := 42 if {
	mode == "number"
} else := {"reasons": []} if {
	mode == "noallow"
} else := {"allow": "yes"} if {
	mode == "stringallow"
} else := {"allow": true, "obligations": {"limit_cap": {"max": -1}}} if {
	mode == "badcap"
} else := true if {
	mode == "true"
} else := false if {
	mode == "false"
} else := {"allow": spin_count == 0, "reasons": []} if {
	mode == "spin"
} else := {"allow": conflict == 1, "reasons": []} if {
	mode == "conflict"
} else := {"allow": t1 == t2, "now": t1, "reasons": [{"code": "now", "message": json.marshal(t1)}]} if {
	mode == "now"
	t1 := time.now_ns()
	t2 := time.now_ns()
} else := {"allow": true, "reasons": [{"code": "echo", "message": echo}], "obligations": {"limit_cap": {"max": data.modes.cap}}} if {
	mode != "undefined"
}

# the mode comes from the raw input, or from a typed input's operation attributes
mode := object.get(input, "mode", object.get(input, ["operation", "attributes", "mode"], ""))

echo := concat(",", [object.get(input, "a", "-"), object.get(input, "b", "-")])

# numbers.range once, then only comparisons: CPU-bound without allocating per step
spin_count := count([1 |
	r := numbers.range(1, input.n)
	some i in r
	some j in r
	i < 0
	j < 0
])

conflict := input.x

conflict := input.y

# METADATA
# entrypoint: true
echo_input := input
