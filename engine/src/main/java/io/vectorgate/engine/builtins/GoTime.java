package io.vectorgate.engine.builtins;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;

/**
 * Go's time package semantics that OPA's time builtins expose: reference-layout formatting and
 * parsing (time.Format / time.Parse), time.ParseDuration and time.Date normalisation.
 */
final class GoTime {
  private GoTime() {}

  static final String RFC3339 = "2006-01-02T15:04:05Z07:00";
  static final String RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";

  /** OPA's names for Go's layout constants (topdown acceptedTimeFormats). */
  static final Map<String, String> NAMED_LAYOUTS = Map.of(
      "ANSIC", "Mon Jan _2 15:04:05 2006",
      "UnixDate", "Mon Jan _2 15:04:05 MST 2006",
      "RubyDate", "Mon Jan 02 15:04:05 -0700 2006",
      "RFC822", "02 Jan 06 15:04 MST",
      "RFC822Z", "02 Jan 06 15:04 -0700",
      "RFC850", "Monday, 02-Jan-06 15:04:05 MST",
      "RFC1123", "Mon, 02 Jan 2006 15:04:05 MST",
      "RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700",
      "RFC3339", RFC3339,
      "RFC3339Nano", RFC3339_NANO);

  static final long MIN_NS = Long.MIN_VALUE;
  static final long MAX_NS = Long.MAX_VALUE;

  // layout elements (Go's std* constants)
  private static final int LONG_MONTH = 1;
  private static final int MONTH = 2;
  private static final int NUM_MONTH = 3;
  private static final int ZERO_MONTH = 4;
  private static final int LONG_WEEKDAY = 5;
  private static final int WEEKDAY = 6;
  private static final int DAY = 7;
  private static final int UNDER_DAY = 8;
  private static final int ZERO_DAY = 9;
  private static final int UNDER_YEARDAY = 10;
  private static final int ZERO_YEARDAY = 11;
  private static final int HOUR = 12;
  private static final int HOUR12 = 13;
  private static final int ZERO_HOUR12 = 14;
  private static final int MINUTE = 15;
  private static final int ZERO_MINUTE = 16;
  private static final int SECOND = 17;
  private static final int ZERO_SECOND = 18;
  private static final int LONG_YEAR = 19;
  private static final int YEAR = 20;
  private static final int PM = 21;
  private static final int PM_LOWER = 22;
  private static final int TZ = 23;
  private static final int ISO_TZ = 24;
  private static final int ISO_SECONDS_TZ = 25;
  private static final int ISO_SHORT_TZ = 26;
  private static final int ISO_COLON_TZ = 27;
  private static final int ISO_COLON_SECONDS_TZ = 28;
  private static final int NUM_TZ = 29;
  private static final int NUM_SECONDS_TZ = 30;
  private static final int NUM_SHORT_TZ = 31;
  private static final int NUM_COLON_TZ = 32;
  private static final int NUM_COLON_SECONDS_TZ = 33;
  private static final int FRAC0 = 34;
  private static final int FRAC9 = 35;

  private static final String[] LONG_MONTHS = {"January", "February", "March", "April", "May", "June", "July",
      "August", "September", "October", "November", "December"};
  private static final String[] LONG_DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
      "Saturday"};
  private static final String[] SHORT_MONTHS = new String[12];
  private static final String[] SHORT_DAYS = new String[7];

  static {
    for (int i = 0; i < 12; i++) {
      SHORT_MONTHS[i] = LONG_MONTHS[i].substring(0, 3);
    }
    for (int i = 0; i < 7; i++) {
      SHORT_DAYS[i] = LONG_DAYS[i].substring(0, 3);
    }
  }

  /** One step of Go's nextStdChunk: literal prefix, element code (0 = none), fraction digits/separator, rest. */
  private record Chunk(String prefix, int std, int fracDigits, char fracSep, String suffix) {}

  private static boolean startsWithLower(String s, int i) {
    return i < s.length() && s.charAt(i) >= 'a' && s.charAt(i) <= 'z';
  }

  private static boolean isDigitAt(String s, int i) {
    return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
  }

  private static Chunk chunk(String l, int i, int std, int len) {
    return new Chunk(l.substring(0, i), std, 0, '.', l.substring(i + len));
  }

  private static Chunk nextStdChunk(String l) {
    for (int i = 0; i < l.length(); i++) {
      char c = l.charAt(i);
      switch (c) {
        case 'J':
          if (l.startsWith("Jan", i)) {
            if (l.startsWith("January", i)) {
              return chunk(l, i, LONG_MONTH, 7);
            }
            if (!startsWithLower(l, i + 3)) {
              return chunk(l, i, MONTH, 3);
            }
          }
          break;
        case 'M':
          if (l.startsWith("Mon", i)) {
            if (l.startsWith("Monday", i)) {
              return chunk(l, i, LONG_WEEKDAY, 6);
            }
            if (!startsWithLower(l, i + 3)) {
              return chunk(l, i, WEEKDAY, 3);
            }
          }
          if (l.startsWith("MST", i)) {
            return chunk(l, i, TZ, 3);
          }
          break;
        case '0':
          if (i + 1 < l.length() && l.charAt(i + 1) >= '1' && l.charAt(i + 1) <= '6') {
            int[] std0x = {ZERO_MONTH, ZERO_DAY, ZERO_HOUR12, ZERO_MINUTE, ZERO_SECOND, YEAR};
            return chunk(l, i, std0x[l.charAt(i + 1) - '1'], 2);
          }
          if (l.startsWith("002", i)) {
            return chunk(l, i, ZERO_YEARDAY, 3);
          }
          break;
        case '1':
          if (l.startsWith("15", i)) {
            return chunk(l, i, HOUR, 2);
          }
          return chunk(l, i, NUM_MONTH, 1);
        case '2':
          if (l.startsWith("2006", i)) {
            return chunk(l, i, LONG_YEAR, 4);
          }
          return chunk(l, i, DAY, 1);
        case '_':
          if (i + 1 < l.length() && l.charAt(i + 1) == '2') {
            if (l.startsWith("2006", i + 1)) {
              return new Chunk(l.substring(0, i + 1), LONG_YEAR, 0, '.', l.substring(i + 5));
            }
            return chunk(l, i, UNDER_DAY, 2);
          }
          if (l.startsWith("__2", i)) {
            return chunk(l, i, UNDER_YEARDAY, 3);
          }
          break;
        case '3':
          return chunk(l, i, HOUR12, 1);
        case '4':
          return chunk(l, i, MINUTE, 1);
        case '5':
          return chunk(l, i, SECOND, 1);
        case 'P':
          if (l.startsWith("PM", i)) {
            return chunk(l, i, PM, 2);
          }
          break;
        case 'p':
          if (l.startsWith("pm", i)) {
            return chunk(l, i, PM_LOWER, 2);
          }
          break;
        case '-':
          if (l.startsWith("-070000", i)) {
            return chunk(l, i, NUM_SECONDS_TZ, 7);
          }
          if (l.startsWith("-07:00:00", i)) {
            return chunk(l, i, NUM_COLON_SECONDS_TZ, 9);
          }
          if (l.startsWith("-0700", i)) {
            return chunk(l, i, NUM_TZ, 5);
          }
          if (l.startsWith("-07:00", i)) {
            return chunk(l, i, NUM_COLON_TZ, 6);
          }
          if (l.startsWith("-07", i)) {
            return chunk(l, i, NUM_SHORT_TZ, 3);
          }
          break;
        case 'Z':
          if (l.startsWith("Z070000", i)) {
            return chunk(l, i, ISO_SECONDS_TZ, 7);
          }
          if (l.startsWith("Z07:00:00", i)) {
            return chunk(l, i, ISO_COLON_SECONDS_TZ, 9);
          }
          if (l.startsWith("Z0700", i)) {
            return chunk(l, i, ISO_TZ, 5);
          }
          if (l.startsWith("Z07:00", i)) {
            return chunk(l, i, ISO_COLON_TZ, 6);
          }
          if (l.startsWith("Z07", i)) {
            return chunk(l, i, ISO_SHORT_TZ, 3);
          }
          break;
        case '.', ',':
          if (i + 1 < l.length() && (l.charAt(i + 1) == '0' || l.charAt(i + 1) == '9')) {
            char ch = l.charAt(i + 1);
            int j = i + 1;
            while (j < l.length() && l.charAt(j) == ch) {
              j++;
            }
            if (!isDigitAt(l, j)) {
              return new Chunk(l.substring(0, i), ch == '0' ? FRAC0 : FRAC9, j - (i + 1), c, l.substring(j));
            }
          }
          break;
        default:
          break;
      }
    }
    return new Chunk(l, 0, 0, '.', "");
  }

  // ---------------------------------------------------------------- formatting

  /** A resolved zone: Java rules plus the "Go name" flavour (UTC, Local, or an IANA id). */
  record Zone(ZoneId id, String name) {
    static final Zone UTC = new Zone(ZoneOffset.UTC, "UTC");

    ZoneOffset offsetAt(Instant instant) {
      return id.getRules().getOffset(instant);
    }

    String abbreviation(Instant instant) {
      if (name.equals("UTC")) {
        return "UTC";
      }
      return TzAbbreviations.abbreviation(name, id, instant);
    }
  }

  private static void appendInt(StringBuilder b, long x, int width) {
    if (x < 0) {
      b.append('-');
      x = -x;
    }
    String s = Long.toString(x);
    for (int k = s.length(); k < width; k++) {
      b.append('0');
    }
    b.append(s);
  }

  /** Go's Time.Format(layout) for the instant {@code ns} (Unix nanoseconds) in {@code zone}. */
  static String format(long ns, Zone zone, String layout) {
    Instant instant = Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
    ZonedDateTime t = instant.atZone(zone.id());
    int offset = t.getOffset().getTotalSeconds();
    StringBuilder b = new StringBuilder();
    String l = layout;
    while (!l.isEmpty()) {
      Chunk c = nextStdChunk(l);
      b.append(c.prefix());
      if (c.std() == 0) {
        break;
      }
      l = c.suffix();
      int year = t.getYear();
      int hour = t.getHour();
      switch (c.std()) {
        case YEAR -> appendInt(b, Math.floorMod(year, 100), 2);
        case LONG_YEAR -> appendInt(b, year, 4);
        case MONTH -> b.append(SHORT_MONTHS[t.getMonthValue() - 1]);
        case LONG_MONTH -> b.append(LONG_MONTHS[t.getMonthValue() - 1]);
        case NUM_MONTH -> appendInt(b, t.getMonthValue(), 0);
        case ZERO_MONTH -> appendInt(b, t.getMonthValue(), 2);
        case WEEKDAY -> b.append(SHORT_DAYS[t.getDayOfWeek().getValue() % 7]);
        case LONG_WEEKDAY -> b.append(LONG_DAYS[t.getDayOfWeek().getValue() % 7]);
        case DAY -> appendInt(b, t.getDayOfMonth(), 0);
        case UNDER_DAY -> {
          if (t.getDayOfMonth() < 10) {
            b.append(' ');
          }
          appendInt(b, t.getDayOfMonth(), 0);
        }
        case ZERO_DAY -> appendInt(b, t.getDayOfMonth(), 2);
        case UNDER_YEARDAY -> {
          int yd = t.getDayOfYear();
          if (yd < 100) {
            b.append(' ');
            if (yd < 10) {
              b.append(' ');
            }
          }
          appendInt(b, yd, 0);
        }
        case ZERO_YEARDAY -> appendInt(b, t.getDayOfYear(), 3);
        case HOUR -> appendInt(b, hour, 2);
        case HOUR12 -> appendInt(b, hour % 12 == 0 ? 12 : hour % 12, 0);
        case ZERO_HOUR12 -> appendInt(b, hour % 12 == 0 ? 12 : hour % 12, 2);
        case MINUTE -> appendInt(b, t.getMinute(), 0);
        case ZERO_MINUTE -> appendInt(b, t.getMinute(), 2);
        case SECOND -> appendInt(b, t.getSecond(), 0);
        case ZERO_SECOND -> appendInt(b, t.getSecond(), 2);
        case PM -> b.append(hour >= 12 ? "PM" : "AM");
        case PM_LOWER -> b.append(hour >= 12 ? "pm" : "am");
        case ISO_TZ, ISO_COLON_TZ, ISO_SECONDS_TZ, ISO_SHORT_TZ, ISO_COLON_SECONDS_TZ, NUM_TZ, NUM_COLON_TZ,
            NUM_SECONDS_TZ, NUM_SHORT_TZ, NUM_COLON_SECONDS_TZ -> {
          int std = c.std();
          boolean iso = std == ISO_TZ || std == ISO_COLON_TZ || std == ISO_SECONDS_TZ || std == ISO_SHORT_TZ
              || std == ISO_COLON_SECONDS_TZ;
          if (offset == 0 && iso) {
            b.append('Z');
            break;
          }
          int zm = offset / 60;
          int absoffset = offset;
          if (zm < 0) {
            b.append('-');
            zm = -zm;
            absoffset = -absoffset;
          } else {
            b.append('+');
          }
          appendInt(b, zm / 60, 2);
          if (std == ISO_COLON_TZ || std == NUM_COLON_TZ || std == ISO_COLON_SECONDS_TZ || std == NUM_COLON_SECONDS_TZ) {
            b.append(':');
          }
          if (std != NUM_SHORT_TZ && std != ISO_SHORT_TZ) {
            appendInt(b, zm % 60, 2);
          }
          if (std == ISO_SECONDS_TZ || std == NUM_SECONDS_TZ || std == NUM_COLON_SECONDS_TZ || std == ISO_COLON_SECONDS_TZ) {
            if (std == NUM_COLON_SECONDS_TZ || std == ISO_COLON_SECONDS_TZ) {
              b.append(':');
            }
            appendInt(b, absoffset % 60, 2);
          }
        }
        case TZ -> {
          String name = zone.abbreviation(instant);
          if (name != null && !name.isEmpty()) {
            b.append(name);
            break;
          }
          int z = offset / 60;
          if (z < 0) {
            b.append('-');
            z = -z;
          } else {
            b.append('+');
          }
          appendInt(b, z / 60, 2);
          appendInt(b, z % 60, 2);
        }
        case FRAC0, FRAC9 -> {
          int nanos = t.getNano();
          boolean trim = c.std() == FRAC9;
          int n = c.fracDigits();
          if (trim && (n == 0 || nanos == 0)) {
            break;
          }
          StringBuilder f = new StringBuilder().append(c.fracSep());
          appendInt(f, nanos, 9);
          if (n < 9) {
            f.setLength(f.length() - 9 + n);
          }
          if (trim) {
            while (f.length() > 0 && f.charAt(f.length() - 1) == '0') {
              f.setLength(f.length() - 1);
            }
            if (f.length() > 0 && f.charAt(f.length() - 1) == c.fracSep()) {
              f.setLength(f.length() - 1);
            }
          }
          b.append(f);
        }
        default -> throw new IllegalStateException("layout element " + c.std());
      }
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- parsing

  /** A time.Parse failure; the message follows Go's {@code parsing time "v" as "layout": ...}. */
  static final class ParseError extends Exception {
    private static final long serialVersionUID = 1L;

    ParseError(String layout, String value, String elem, String valueElem, String msg) {
      super(msg.isEmpty()
          ? "parsing time " + GoText.quote(value, false) + " as " + GoText.quote(layout, false) + ": cannot parse "
              + GoText.quote(valueElem, false) + " as " + GoText.quote(elem, false)
          : "parsing time " + GoText.quote(value, false) + msg);
    }
  }

  private static final class Bad extends Exception {
    private static final long serialVersionUID = 1L;
  }

  private static String cutspace(String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) == ' ') {
      i++;
    }
    return s.substring(i);
  }

  private static String skip(String value, String prefix) throws Bad {
    while (!prefix.isEmpty()) {
      if (prefix.charAt(0) == ' ') {
        if (!value.isEmpty() && value.charAt(0) != ' ') {
          throw new Bad();
        }
        prefix = cutspace(prefix);
        value = cutspace(value);
        continue;
      }
      if (value.isEmpty() || value.charAt(0) != prefix.charAt(0)) {
        throw new Bad();
      }
      prefix = prefix.substring(1);
      value = value.substring(1);
    }
    return value;
  }

  /** Parse state threaded through the element handlers (Go keeps these as locals). */
  private static final class P {
    String value;
    int num;
  }

  private static void getnum(P p, boolean fixed) throws Bad {
    String s = p.value;
    if (!isDigitAt(s, 0)) {
      throw new Bad();
    }
    if (!isDigitAt(s, 1)) {
      if (fixed) {
        throw new Bad();
      }
      p.num = s.charAt(0) - '0';
      p.value = s.substring(1);
      return;
    }
    p.num = (s.charAt(0) - '0') * 10 + (s.charAt(1) - '0');
    p.value = s.substring(2);
  }

  private static void getnum3(P p, boolean fixed) throws Bad {
    String s = p.value;
    int n = 0;
    int i = 0;
    for (; i < 3 && isDigitAt(s, i); i++) {
      n = n * 10 + (s.charAt(i) - '0');
    }
    if (i == 0 || (fixed && i != 3)) {
      throw new Bad();
    }
    p.num = n;
    p.value = s.substring(i);
  }

  private static int lookup(String[] tab, P p) throws Bad {
    for (int i = 0; i < tab.length; i++) {
      String v = tab[i];
      if (p.value.length() >= v.length() && p.value.substring(0, v.length()).equalsIgnoreCase(v)
          && asciiOnly(p.value.substring(0, v.length()))) {
        p.value = p.value.substring(v.length());
        return i;
      }
    }
    throw new Bad();
  }

  private static boolean asciiOnly(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static boolean commaOrPeriod(char c) {
    return c == '.' || c == ',';
  }

  /** Go's parseNanoseconds: value[0] is the separator, value[1:nbytes] the digits. */
  private static int parseNanoseconds(String value, int nbytes) throws Bad {
    if (!commaOrPeriod(value.charAt(0))) {
      throw new Bad();
    }
    if (nbytes > 10) {
      value = value.substring(0, 10);
      nbytes = 10;
    }
    int ns = 0;
    for (int i = 1; i < nbytes; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw new Bad();
      }
      ns = ns * 10 + (c - '0');
    }
    for (int i = 0; i < 10 - nbytes; i++) {
      ns *= 10;
    }
    return ns;
  }

  private static int parseTimeZone(String value) {
    if (value.length() < 3) {
      return 0;
    }
    if (value.startsWith("ChST") || value.startsWith("MeST")) {
      return 4;
    }
    if (value.startsWith("GMT")) {
      return 3 + parseSignedOffset(value.substring(3));
    }
    if (value.charAt(0) == '+' || value.charAt(0) == '-') {
      return parseSignedOffset(value);
    }
    int nUpper = 0;
    for (; nUpper < 6; nUpper++) {
      if (nUpper >= value.length()) {
        break;
      }
      char c = value.charAt(nUpper);
      if (c < 'A' || c > 'Z') {
        break;
      }
    }
    switch (nUpper) {
      case 5:
        return value.charAt(4) == 'T' ? 5 : 0;
      case 4:
        return value.charAt(3) == 'T' || value.startsWith("WITA") ? 4 : 0;
      case 3:
        return 3;
      default:
        return 0;
    }
  }

  private static int parseSignedOffset(String value) {
    if (value.isEmpty()) {
      return 0;
    }
    char sign = value.charAt(0);
    if (sign != '-' && sign != '+') {
      return 0;
    }
    int i = 1;
    long x = 0;
    while (i < value.length() && isDigitAt(value, i)) {
      x = x * 10 + (value.charAt(i) - '0');
      if (x > 1_000_000) {
        return 0;
      }
      i++;
    }
    if (i == 1 || x > 12) {
      return 0;
    }
    return i;
  }

  private static boolean isLeap(long year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  private static int daysIn(int month, long year) {
    if (month == 2) {
      return isLeap(year) ? 29 : 28;
    }
    return switch (month) {
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  private static final int[] DAYS_BEFORE = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

  /**
   * Go's time.Parse(layout, value) reduced to what OPA keeps: the Unix time in nanoseconds, as an
   * exact integer (it may lie outside the int64 range, which the caller rejects).
   */
  static BigInteger parse(String layout, String value) throws ParseError {
    final String alayout = layout;
    final String avalue = value;
    String rangeErr = "";
    boolean amSet = false;
    boolean pmSet = false;
    long year = 0;
    int month = -1;
    int day = -1;
    int yday = -1;
    int hour = 0;
    int min = 0;
    int sec = 0;
    int nsec = 0;
    boolean utcZone = false;
    int zoneOffset = -1;
    String zoneName = "";
    P p = new P();
    while (true) {
      Chunk c = nextStdChunk(layout);
      String stdstr = layout.substring(c.prefix().length(), layout.length() - c.suffix().length());
      try {
        value = skip(value, c.prefix());
      } catch (Bad e) {
        throw new ParseError(alayout, avalue, c.prefix(), value, "");
      }
      if (c.std() == 0) {
        if (!value.isEmpty()) {
          throw new ParseError(alayout, avalue, "", value, ": extra text: " + GoText.quote(value, false));
        }
        break;
      }
      layout = c.suffix();
      String hold = value;
      p.value = value;
      try {
        switch (c.std()) {
          case YEAR -> {
            if (value.length() < 2) {
              throw new Bad();
            }
            year = atoi(value.substring(0, 2));
            p.value = value.substring(2);
            year += year >= 69 ? 1900 : 2000;
          }
          case LONG_YEAR -> {
            if (value.length() < 4 || !isDigitAt(value, 0)) {
              throw new Bad();
            }
            year = atoi(value.substring(0, 4));
            p.value = value.substring(4);
          }
          case MONTH -> month = lookup(SHORT_MONTHS, p) + 1;
          case LONG_MONTH -> month = lookup(LONG_MONTHS, p) + 1;
          case NUM_MONTH, ZERO_MONTH -> {
            getnum(p, c.std() == ZERO_MONTH);
            month = p.num;
            if (month <= 0 || month > 12) {
              rangeErr = "month";
            }
          }
          case WEEKDAY -> lookup(SHORT_DAYS, p);
          case LONG_WEEKDAY -> lookup(LONG_DAYS, p);
          case DAY, UNDER_DAY, ZERO_DAY -> {
            if (c.std() == UNDER_DAY && !p.value.isEmpty() && p.value.charAt(0) == ' ') {
              p.value = p.value.substring(1);
            }
            getnum(p, c.std() == ZERO_DAY);
            day = p.num;
          }
          case UNDER_YEARDAY, ZERO_YEARDAY -> {
            for (int k = 0; k < 2; k++) {
              if (c.std() == UNDER_YEARDAY && !p.value.isEmpty() && p.value.charAt(0) == ' ') {
                p.value = p.value.substring(1);
              }
            }
            getnum3(p, c.std() == ZERO_YEARDAY);
            yday = p.num;
          }
          case HOUR -> {
            getnum(p, false);
            hour = p.num;
            if (hour < 0 || hour >= 24) {
              rangeErr = "hour";
            }
          }
          case HOUR12, ZERO_HOUR12 -> {
            getnum(p, c.std() == ZERO_HOUR12);
            hour = p.num;
            if (hour < 0 || hour > 12) {
              rangeErr = "hour";
            }
          }
          case MINUTE, ZERO_MINUTE -> {
            getnum(p, c.std() == ZERO_MINUTE);
            min = p.num;
            if (min < 0 || min >= 60) {
              rangeErr = "minute";
            }
          }
          case SECOND, ZERO_SECOND -> {
            getnum(p, c.std() == ZERO_SECOND);
            sec = p.num;
            if (sec < 0 || sec >= 60) {
              rangeErr = "second";
              break;
            }
            String v = p.value;
            if (v.length() >= 2 && commaOrPeriod(v.charAt(0)) && isDigitAt(v, 1)) {
              int next = nextStdChunk(layout).std();
              if (next == FRAC0 || next == FRAC9) {
                break;
              }
              int n = 2;
              while (n < v.length() && isDigitAt(v, n)) {
                n++;
              }
              nsec = parseNanoseconds(v, n);
              p.value = v.substring(n);
            }
          }
          case PM, PM_LOWER -> {
            if (value.length() < 2) {
              throw new Bad();
            }
            String s = value.substring(0, 2);
            p.value = value.substring(2);
            String pmS = c.std() == PM ? "PM" : "pm";
            String amS = c.std() == PM ? "AM" : "am";
            if (s.equals(pmS)) {
              pmSet = true;
            } else if (s.equals(amS)) {
              amSet = true;
            } else {
              throw new Bad();
            }
          }
          case ISO_TZ, ISO_SHORT_TZ, ISO_COLON_TZ, ISO_SECONDS_TZ, ISO_COLON_SECONDS_TZ, NUM_TZ, NUM_SHORT_TZ,
              NUM_COLON_TZ, NUM_SECONDS_TZ, NUM_COLON_SECONDS_TZ -> {
            int std = c.std();
            boolean iso = std == ISO_TZ || std == ISO_SHORT_TZ || std == ISO_COLON_TZ || std == ISO_SECONDS_TZ
                || std == ISO_COLON_SECONDS_TZ;
            if (iso && !value.isEmpty() && value.charAt(0) == 'Z') {
              p.value = value.substring(1);
              utcZone = true;
              break;
            }
            String sign;
            String hh;
            String mm;
            String ss;
            if (std == ISO_TZ || std == NUM_TZ) {
              if (value.length() < 5 || value.charAt(3) == ':') {
                throw new Bad();
              }
              sign = value.substring(0, 1);
              hh = value.substring(1, 3);
              mm = value.substring(3, 5);
              ss = "00";
              p.value = value.substring(5);
            } else if (std == NUM_SHORT_TZ || std == ISO_SHORT_TZ) {
              if (value.length() < 3) {
                throw new Bad();
              }
              sign = value.substring(0, 1);
              hh = value.substring(1, 3);
              mm = "00";
              ss = "00";
              p.value = value.substring(3);
            } else if (std == ISO_COLON_TZ || std == NUM_COLON_TZ) {
              if (value.length() < 6 || value.charAt(3) != ':') {
                throw new Bad();
              }
              sign = value.substring(0, 1);
              hh = value.substring(1, 3);
              mm = value.substring(4, 6);
              ss = "00";
              p.value = value.substring(6);
            } else if (std == NUM_COLON_SECONDS_TZ || std == ISO_COLON_SECONDS_TZ) {
              if (value.length() < 9 || value.charAt(3) != ':' || value.charAt(6) != ':') {
                throw new Bad();
              }
              sign = value.substring(0, 1);
              hh = value.substring(1, 3);
              mm = value.substring(4, 6);
              ss = value.substring(7, 9);
              p.value = value.substring(9);
            } else {
              if (value.length() < 7 || value.charAt(3) == ':' || value.charAt(5) == ':') {
                throw new Bad();
              }
              sign = value.substring(0, 1);
              hh = value.substring(1, 3);
              mm = value.substring(3, 5);
              ss = value.substring(5, 7);
              p.value = value.substring(7);
            }
            int hr = fixed2(hh);
            int mi = fixed2(mm);
            int se = fixed2(ss);
            if (hr > 24) {
              rangeErr = "time zone offset hour";
            }
            if (mi > 60) {
              rangeErr = "time zone offset minute";
            }
            if (se > 60) {
              rangeErr = "time zone offset second";
            }
            zoneOffset = (hr * 60 + mi) * 60 + se;
            if (sign.equals("-")) {
              zoneOffset = -zoneOffset;
            } else if (!sign.equals("+")) {
              throw new Bad();
            }
          }
          case TZ -> {
            if (value.startsWith("UTC")) {
              utcZone = true;
              p.value = value.substring(3);
              break;
            }
            int n = parseTimeZone(value);
            if (n == 0) {
              throw new Bad();
            }
            zoneName = value.substring(0, n);
            p.value = value.substring(n);
          }
          case FRAC0 -> {
            int ndigit = 1 + c.fracDigits();
            if (value.length() < ndigit) {
              throw new Bad();
            }
            nsec = parseNanoseconds(value, ndigit);
            p.value = value.substring(ndigit);
          }
          case FRAC9 -> {
            if (value.length() < 2 || !commaOrPeriod(value.charAt(0)) || !isDigitAt(value, 1)) {
              break;
            }
            int i = 0;
            while (i + 1 < value.length() && isDigitAt(value, i + 1)) {
              i++;
            }
            nsec = parseNanoseconds(value, 1 + i);
            p.value = value.substring(1 + i);
          }
          default -> throw new IllegalStateException("layout element " + c.std());
        }
      } catch (Bad e) {
        throw new ParseError(alayout, avalue, stdstr, hold, "");
      }
      value = p.value;
      if (!rangeErr.isEmpty()) {
        throw new ParseError(alayout, avalue, stdstr, value, ": " + rangeErr + " out of range");
      }
    }
    if (pmSet && hour < 12) {
      hour += 12;
    } else if (amSet && hour == 12) {
      hour = 0;
    }
    if (yday >= 0) {
      int d = 0;
      int m = 0;
      if (isLeap(year)) {
        if (yday == 31 + 29) {
          m = 2;
          d = 29;
        } else if (yday > 31 + 29) {
          yday--;
        }
      }
      if (yday < 1 || yday > 365) {
        throw new ParseError(alayout, avalue, "", value, ": day-of-year out of range");
      }
      if (m == 0) {
        m = (yday - 1) / 31 + 1;
        if (DAYS_BEFORE[m] < yday) {
          m++;
        }
        d = yday - DAYS_BEFORE[m - 1];
      }
      if (month >= 0 && month != m) {
        throw new ParseError(alayout, avalue, "", value, ": day-of-year does not match month");
      }
      month = m;
      if (day >= 0 && day != d) {
        throw new ParseError(alayout, avalue, "", value, ": day-of-year does not match day");
      }
      day = d;
    } else {
      if (month < 0) {
        month = 1;
      }
      if (day < 0) {
        day = 1;
      }
    }
    if (day < 1 || day > daysIn(month, year)) {
      throw new ParseError(alayout, avalue, "", value, ": day out of range");
    }
    long epochDay = LocalDate.of((int) year, month, day).toEpochDay();
    long wallSec = epochDay * 86_400L + hour * 3600L + min * 60L + sec;
    long offset = 0;
    if (!utcZone && zoneOffset != -1) {
      offset = zoneOffset;
    }
    // A zone abbreviation other than UTC does not move the instant: Go records it with an unknown
    // (zero) offset unless the process's local zone knows the name; OPA runs with the local zone.
    if (!utcZone && zoneOffset == -1 && !zoneName.isEmpty()) {
      offset = localOffsetForName(zoneName, wallSec);
    }
    return BigInteger.valueOf(wallSec - offset).multiply(BigInteger.valueOf(1_000_000_000L)).add(BigInteger.valueOf(nsec));
  }

  private static long localOffsetForName(String name, long wallSec) {
    ZoneId local = ZoneId.systemDefault();
    if (local.normalized() instanceof ZoneOffset) {
      return 0;
    }
    Instant guess = Instant.ofEpochSecond(wallSec);
    for (ZoneOffset candidate : local.getRules().getValidOffsets(guess.atOffset(ZoneOffset.UTC).toLocalDateTime())) {
      Instant at = Instant.ofEpochSecond(wallSec - candidate.getTotalSeconds());
      if (name.equals(TzAbbreviations.abbreviation("Local", local, at))) {
        return candidate.getTotalSeconds();
      }
    }
    return 0;
  }

  private static int fixed2(String s) throws Bad {
    if (s.length() != 2 || !isDigitAt(s, 0) || !isDigitAt(s, 1)) {
      throw new Bad();
    }
    return (s.charAt(0) - '0') * 10 + (s.charAt(1) - '0');
  }

  private static int atoi(String s) throws Bad {
    int i = 0;
    boolean neg = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      neg = s.charAt(0) == '-';
      i = 1;
    }
    if (i >= s.length()) {
      throw new Bad();
    }
    int x = 0;
    for (; i < s.length(); i++) {
      if (!isDigitAt(s, i)) {
        throw new Bad();
      }
      x = x * 10 + (s.charAt(i) - '0');
    }
    return neg ? -x : x;
  }

  // ---------------------------------------------------------------- durations

  private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);

  /** Go's time.ParseDuration: nanoseconds, or an error message. */
  static long parseDuration(String orig) {
    String s = orig;
    BigInteger d = BigInteger.ZERO;
    boolean neg = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      neg = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return 0;
    }
    if (s.isEmpty()) {
      throw invalidDuration(orig);
    }
    while (!s.isEmpty()) {
      BigInteger v;
      long f = 0;
      double scale = 1;
      char c0 = s.charAt(0);
      if (!(c0 == '.' || (c0 >= '0' && c0 <= '9'))) {
        throw invalidDuration(orig);
      }
      int pl = s.length();
      int i = 0;
      BigInteger x = BigInteger.ZERO;
      for (; i < s.length() && isDigitAt(s, i); i++) {
        if (x.compareTo(TWO_63.divide(BigInteger.TEN)) > 0) {
          throw invalidDuration(orig);
        }
        x = x.multiply(BigInteger.TEN).add(BigInteger.valueOf(s.charAt(i) - '0'));
        if (x.compareTo(TWO_63) > 0) {
          throw invalidDuration(orig);
        }
      }
      v = x;
      s = s.substring(i);
      boolean pre = pl != s.length();
      boolean post = false;
      if (!s.isEmpty() && s.charAt(0) == '.') {
        s = s.substring(1);
        pl = s.length();
        boolean overflow = false;
        int k = 0;
        for (; k < s.length() && isDigitAt(s, k); k++) {
          if (overflow) {
            continue;
          }
          if (f > Long.MAX_VALUE / 10) {
            overflow = true;
            continue;
          }
          long y = f * 10 + (s.charAt(k) - '0');
          if (y < 0) {
            overflow = true;
            continue;
          }
          f = y;
          scale *= 10;
        }
        s = s.substring(k);
        post = pl != s.length();
      }
      if (!pre && !post) {
        throw invalidDuration(orig);
      }
      int u = 0;
      while (u < s.length() && s.charAt(u) != '.' && !isDigitAt(s, u)) {
        u++;
      }
      if (u == 0) {
        throw new IllegalArgumentException("time: missing unit in duration " + GoText.quote(orig, false));
      }
      String unitName = s.substring(0, u);
      s = s.substring(u);
      long unit = switch (unitName) {
        case "ns" -> 1L;
        case "us", "\u00b5s", "\u03bcs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        default -> throw new IllegalArgumentException("time: unknown unit " + GoText.quote(unitName, false)
            + " in duration " + GoText.quote(orig, false));
      };
      BigInteger bu = BigInteger.valueOf(unit);
      if (v.compareTo(TWO_63.divide(bu)) > 0) {
        throw invalidDuration(orig);
      }
      v = v.multiply(bu);
      if (f > 0) {
        double add = (double) f * ((double) unit / scale);
        v = v.add(new BigDecimal(add).toBigInteger());
        if (v.compareTo(TWO_63) > 0) {
          throw invalidDuration(orig);
        }
      }
      d = d.add(v);
      if (d.compareTo(TWO_63) > 0) {
        throw invalidDuration(orig);
      }
    }
    if (neg) {
      return d.negate().longValue();
    }
    if (d.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0) {
      throw invalidDuration(orig);
    }
    return d.longValue();
  }

  private static IllegalArgumentException invalidDuration(String orig) {
    return new IllegalArgumentException("time: invalid duration " + GoText.quote(orig, false));
  }

  // ---------------------------------------------------------------- dates

  /** The instant of Go's time.Date(year, month, day, hour, min, sec, nsec, zone), as Unix nanoseconds (exact). */
  static BigInteger date(long year, long month, long day, long hour, long min, long sec, long nsec, Zone zone) {
    long m = month - 1;
    year += Math.floorDiv(m, 12);
    m = Math.floorMod(m, 12);
    sec += Math.floorDiv(nsec, 1_000_000_000L);
    nsec = Math.floorMod(nsec, 1_000_000_000L);
    if (Math.abs(year) > 100_000_000L) {
      throw new ArithmeticException("year out of range");
    }
    long epochDay = LocalDate.of((int) year, (int) m + 1, 1).toEpochDay() + (day - 1);
    long wall = Math.addExact(Math.multiplyExact(epochDay, 86_400L), hour * 3600L + min * 60L + sec);
    int off1 = zone.offsetAt(Instant.ofEpochSecond(wall)).getTotalSeconds();
    int off2 = zone.offsetAt(Instant.ofEpochSecond(wall - off1)).getTotalSeconds();
    long unix = wall - off2;
    return BigInteger.valueOf(unix).multiply(BigInteger.valueOf(1_000_000_000L)).add(BigInteger.valueOf(nsec));
  }

  static String weekdayName(DayOfWeek d) {
    return LONG_DAYS[d.getValue() % 7];
  }
}
