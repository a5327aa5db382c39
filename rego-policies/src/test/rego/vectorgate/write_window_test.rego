package vectorgate.write_window_test

import data.vectorgate.fixtures.decide
import data.vectorgate.fixtures.denied_with
import data.vectorgate.fixtures.req
import data.vectorgate.fixtures.saturday_morning
import data.vectorgate.fixtures.tuesday_morning
import data.vectorgate.fixtures.tuesday_night
import rego.v1

at(ns) := {"context": {"time_ns": ns}}

test_write_inside_window if {
	decide(req(["ml-engineers"], "upsert", "kb_articles", at(tuesday_morning))).allow
}

test_write_on_weekend_denied if {
	d := decide(req(["ml-engineers"], "create_index", "kb_articles", at(saturday_morning)))
	d.reasons == [{
		"code": "outside_write_window",
		"message": "create_index on kb_articles is allowed only Monday, Tuesday, Wednesday, Thursday, Friday 07:00-20:00 Europe/Berlin",
	}]
}

test_write_at_night_denied_in_configured_zone if {
	# 22:00 UTC is 23:00 in Berlin: outside 07:00-20:00.
	denied_with(req(["ml-engineers"], "insert", "kb_articles", at(tuesday_night)), "outside_write_window")
}

test_reads_not_limited if {
	decide(req(["ml-engineers"], "search", "kb_articles", at(saturday_morning))).allow
}

test_collection_window_overrides if {
	denied_with(req(["ml-engineers"], "upsert", "kb_frozen", at(tuesday_morning)), "outside_write_window")
}

test_collection_window_false_exempts if {
	decide(req(["ml-engineers"], "upsert", "kb_open", at(saturday_morning))).allow
}

test_exempt_group if {
	decide(req(["ml-engineers", "break-glass"], "upsert", "kb_articles", at(saturday_morning))).allow
}

test_bad_time_zone_fails_closed if {
	cfg := object.union(data.vectorgate.fixtures.config, {"write_window": {"timezone": "Mars/Olympus"}})
	d := data.vectorgate.decision with input as req(["ml-engineers"], "upsert", "kb_articles", at(tuesday_morning))
		with data.vectorgate_config as cfg
	not d.allow
	d.reasons[0].code == "outside_write_window"
}

test_bad_window_bounds_fail_closed if {
	cfg := object.union(data.vectorgate.fixtures.config, {"write_window": {"start": 7}})
	d := data.vectorgate.decision with input as req(["ml-engineers"], "upsert", "kb_articles", at(tuesday_morning))
		with data.vectorgate_config as cfg
	d.reasons == [{
		"code": "outside_write_window",
		"message": "upsert on kb_articles is allowed only Monday, Tuesday, Wednesday, Thursday, Friday 7-20:00 Europe/Berlin",
	}]
}

test_clock_from_host_when_request_has_no_time if {
	r := object.union(req(["ml-engineers"], "upsert", "kb_articles", {}), {"context": {"time_ns": 0}})
	d := data.vectorgate.decision with input as r
		with data.vectorgate_config as data.vectorgate.fixtures.config
		with time.now_ns as saturday_morning
	d.reasons[0].code == "outside_write_window"
}

test_no_window_configured if {
	cfg := object.remove(data.vectorgate.fixtures.config, ["write_window"])
	d := data.vectorgate.decision with input as req(["ml-engineers"], "upsert", "kb_articles", at(saturday_morning))
		with data.vectorgate_config as cfg
	d.allow
}
