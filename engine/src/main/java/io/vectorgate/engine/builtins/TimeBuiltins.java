package io.vectorgate.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;

/** OPA's {@code time.*} builtins, with Go's semantics (see {@link GoTime}). */
final class TimeBuiltins {
  private TimeBuiltins() {}

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> ZONE_IDS = ZoneId.getAvailableZoneIds();

  /** A time value: Unix nanoseconds, the zone to view it in, and the optional layout (3rd array element). */
  record TzTime(long ns, GoTime.Zone zone, String layout) {
    ZonedDateTime zoned() {
      return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L))
          .atZone(zone.id());
    }
  }

  static List<HostBuiltin> all() {
    return List.of(
        new HostBuiltin("time.parse_rfc3339_ns", 1, a -> parseNs("time.parse_rfc3339_ns", GoTime.RFC3339,
            HostBuiltin.string("time.parse_rfc3339_ns", a[0], 1))),
        new HostBuiltin("time.parse_ns", 2, a -> {
          String layout = HostBuiltin.string("time.parse_ns", a[0], 1);
          String value = HostBuiltin.string("time.parse_ns", a[1], 2);
          return parseNs("time.parse_ns", GoTime.NAMED_LAYOUTS.getOrDefault(layout, layout), value);
        }),
        new HostBuiltin("time.parse_duration_ns", 1,
            a -> NODES.numberNode(GoTime.parseDuration(HostBuiltin.string("time.parse_duration_ns", a[0], 1)))),
        new HostBuiltin("time.date", 1, a -> {
          ZonedDateTime t = tzTime("time.date", a[0]).zoned();
          return ints(t.getYear(), t.getMonthValue(), t.getDayOfMonth());
        }),
        new HostBuiltin("time.clock", 1, a -> {
          ZonedDateTime t = tzTime("time.clock", a[0]).zoned();
          return ints(t.getHour(), t.getMinute(), t.getSecond());
        }),
        new HostBuiltin("time.weekday", 1,
            a -> NODES.textNode(GoTime.weekdayName(tzTime("time.weekday", a[0]).zoned().getDayOfWeek()))),
        new HostBuiltin("time.add_date", 4, TimeBuiltins::addDate),
        new HostBuiltin("time.diff", 2, TimeBuiltins::diff),
        new HostBuiltin("time.format", 1, a -> {
          TzTime t = tzTime("time.format", a[0]);
          String layout = t.layout().isEmpty() ? GoTime.RFC3339_NANO
              : GoTime.NAMED_LAYOUTS.getOrDefault(t.layout(), t.layout());
          return NODES.textNode(GoTime.format(t.ns(), t.zone(), layout));
        }));
  }

  private static JsonNode parseNs(String builtin, String layout, String value) {
    try {
      return NODES.numberNode(safeNs(builtin, GoTime.parse(layout, value)));
    } catch (GoTime.ParseError e) {
      throw new BuiltinException(builtin, e.getMessage(), e);
    }
  }

  private static long safeNs(String builtin, BigInteger ns) {
    if (ns.bitLength() > 63) {
      throw new BuiltinException(builtin, "time outside of valid range");
    }
    return ns.longValue();
  }

  private static ArrayNode ints(long... values) {
    ArrayNode a = NODES.arrayNode();
    for (long v : values) {
      a.add(v);
    }
    return a;
  }

  /** OPA's tzTime: {@code ns}, or {@code [ns]}, {@code [ns, tz]}, {@code [ns, tz, layout]}. */
  static TzTime tzTime(String builtin, RegoValue a) {
    RegoValue nVal;
    GoTime.Zone zone = GoTime.Zone.UTC;
    String layout = "";
    if (a instanceof RegoValue.Arr arr) {
      if (arr.items().isEmpty()) {
        throw new BuiltinException(builtin, "operand 1 must be one of {number, array} but got empty array");
      }
      nVal = HostBuiltin.number(builtin, arr.items().get(0), 1);
      if (arr.items().size() > 1) {
        zone = zone(builtin, HostBuiltin.string(builtin, arr.items().get(1), 1));
      }
      if (arr.items().size() > 2) {
        layout = HostBuiltin.string(builtin, arr.items().get(2), 1);
      }
    } else if (a instanceof RegoValue.Num) {
      nVal = a;
    } else {
      throw new BuiltinException(builtin, "operand 1 must be either number (ns) or [number (ns), string (tz)] but got "
          + a.typeName());
    }
    BigDecimal d = ((RegoValue.Num) nVal).decimal();
    BigInteger i;
    try {
      i = d.toBigIntegerExact();
    } catch (ArithmeticException e) {
      throw new BuiltinException(builtin, "timestamp too big", e);
    }
    if (i.bitLength() > 63) {
      throw new BuiltinException(builtin, "timestamp too big");
    }
    return new TzTime(i.longValue(), zone, layout);
  }

  /** Go's LoadLocation as OPA uses it: "" and "UTC" are UTC, "Local" the process zone, else an IANA name. */
  static GoTime.Zone zone(String builtin, String name) {
    switch (name) {
      case "", "UTC":
        return GoTime.Zone.UTC;
      case "Local":
        return new GoTime.Zone(ZoneId.systemDefault(), "Local");
      default:
        if (ZONE_IDS.contains(name)) {
          return new GoTime.Zone(ZoneId.of(name), name);
        }
        // EST, MST and HST are tzdata zones (fixed offsets) that Java only knows as short ids
        String fixed = ZoneId.SHORT_IDS.get(name);
        if (fixed != null && (fixed.startsWith("-") || fixed.startsWith("+"))) {
          return new GoTime.Zone(ZoneId.of(fixed), name);
        }
        throw new BuiltinException(builtin, "unknown time zone " + name);
    }
  }

  private static JsonNode addDate(RegoValue[] a) {
    String b = "time.add_date";
    TzTime t = tzTime(b, a[0]);
    long years = HostBuiltin.integer(b, a[1], 2);
    long months = HostBuiltin.integer(b, a[2], 3);
    long days = HostBuiltin.integer(b, a[3], 4);
    ZonedDateTime z = t.zoned();
    BigInteger ns;
    try {
      ns = GoTime.date(Math.addExact(z.getYear(), years), Math.addExact(z.getMonthValue(), months),
          Math.addExact(z.getDayOfMonth(), days), z.getHour(), z.getMinute(), z.getSecond(), z.getNano(), t.zone());
    } catch (ArithmeticException | java.time.DateTimeException e) {
      throw new BuiltinException(b, "time outside of valid range", e);
    }
    return NODES.numberNode(safeNs(b, ns));
  }

  private static JsonNode diff(RegoValue[] a) {
    TzTime a1 = tzTime("time.diff", a[0]);
    TzTime a2 = tzTime("time.diff", a[1]);
    ZonedDateTime t1 = a1.zoned();
    ZonedDateTime t2 = a2.zoned().withZoneSameInstant(a1.zone().id());
    if (t1.toInstant().isAfter(t2.toInstant())) {
      ZonedDateTime tmp = t1;
      t1 = t2;
      t2 = tmp;
    }
    int year = t2.getYear() - t1.getYear();
    int month = t2.getMonthValue() - t1.getMonthValue();
    int day = t2.getDayOfMonth() - t1.getDayOfMonth();
    int hour = t2.getHour() - t1.getHour();
    int min = t2.getMinute() - t1.getMinute();
    int sec = t2.getSecond() - t1.getSecond();
    if (sec < 0) {
      sec += 60;
      min--;
    }
    if (min < 0) {
      min += 60;
      hour--;
    }
    if (hour < 0) {
      hour += 24;
      day--;
    }
    if (day < 0) {
      day += java.time.YearMonth.of(t1.getYear(), t1.getMonthValue()).lengthOfMonth();
      month--;
    }
    if (month < 0) {
      month += 12;
      year--;
    }
    return ints(year, month, day, hour, min, sec);
  }
}
