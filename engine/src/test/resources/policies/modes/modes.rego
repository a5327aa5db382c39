# A test policy whose result shape the input chooses, to drive every fail-closed path of the engine.
package vectorgate

import rego.v1

# METADATA
# entrypoint: true
decision := 42 if {
	input.mode == "number"
} else := {"reasons": []} if {
	input.mode == "noallow"
} else := {"allow": "yes"} if {
	input.mode == "stringallow"
} else := {"allow": true, "obligations": {"limit_cap": {"max": -1}}} if {
	input.mode == "badcap"
} else := true if {
	input.mode == "true"
} else := false if {
	input.mode == "false"
} else := {"allow": spin_count == 0, "reasons": []} if {
	input.mode == "spin"
} else := {"allow": conflict == 1, "reasons": []} if {
	input.mode == "conflict"
} else := {"allow": true, "reasons": [{"code": "echo", "message": echo}], "obligations": {"limit_cap": {"max": data.modes.cap}}} if {
	object.get(input, "mode", "") != "undefined"
}

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
