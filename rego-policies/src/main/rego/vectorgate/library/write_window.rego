# Time windows for writes
# Data and schema changes are allowed only inside vectorgate_config.write_window (or the
# collection's own write_window; false exempts the collection), read in the window's time
# zone from the request time the gateway sets (context.time_ns). If the time cannot be
# computed (bad zone, bad config) the write is denied. Sandboxes (sandbox.rego) have no window.
package vectorgate.library

import rego.v1

window := coll_cfg.write_window

window := data.vectorgate_config.write_window if not has_collection_window

has_collection_window if {
	_ := coll_cfg.write_window
}

now_ns := t if {
	t := input.context.time_ns
	is_number(t)
	t > 0
} else := time.now_ns()

all_days := ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

window_zone := object.get(window, "timezone", "UTC")

minute_of_day(hhmm) := (to_number(parts[0]) * 60) + to_number(parts[1]) if {
	parts := split(hhmm, ":")
	count(parts) == 2
}

in_window if {
	day := time.weekday([now_ns, window_zone])
	day in object.get(window, "days", all_days)
	clock := time.clock([now_ns, window_zone])
	minute := (clock[0] * 60) + clock[1]
	minute >= minute_of_day(window.start)
	minute < minute_of_day(window.end)
}

window_exempt if in_any(object.get(window, "exempt_groups", []))

deny contains {"code": "outside_write_window", "message": msg} if {
	modifying_action
	window
	not window_exempt
	not in_sandbox
	not in_window
	msg := concat("", [
		action, " on ", collection_label, " is allowed only ", str_list(object.get(window, "days", all_days)),
		" ", str(object.get(window, "start", "?")), "-", str(object.get(window, "end", "?")),
		" ", str(window_zone),
	])
}
