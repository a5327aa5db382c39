package io.vectorgate.engine.builtins;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Time zone abbreviations ("CET", "EDT", "+03") as Go prints them for the {@code MST} layout
 * element. Java has no such names (its short display names are locale data), so they are read from
 * the same TZif files Go loads (the system zoneinfo). Offsets still come from Java's tz rules.
 */
final class TzAbbreviations {
  private TzAbbreviations() {}

  private static final Logger LOG = LoggerFactory.getLogger(TzAbbreviations.class);
  private static final Path ZONEINFO = Path.of("/usr/share/zoneinfo");
  private static final Map<String, Optional<TzFile>> CACHE = new ConcurrentHashMap<>();

  /** The parts of a TZif file that name zones: transitions, their types, and the POSIX TZ footer. */
  private record TzFile(long[] transitions, int[] transitionTypes, String[] typeNames, boolean[] typeIsDst,
      String footerStd, String footerDst, int footerDstOffset) {
    /** The footer name for an instant, chosen by its UTC offset (Java's isDaylightSavings is wrong for Dublin's negative DST). */
    String footerName(ZoneId id, Instant instant) {
      if (footerDst != null && id.getRules().getOffset(instant).getTotalSeconds() == footerDstOffset) {
        return footerDst;
      }
      return footerStd;
    }
  }

  static String abbreviation(String goName, ZoneId id, Instant instant) {
    Optional<TzFile> file = CACHE.computeIfAbsent(goName, TzAbbreviations::load);
    if (file.isPresent()) {
      String n = lookup(file.get(), id, instant);
      if (n != null) {
        return n;
      }
    }
    return id.getDisplayName(TextStyle.SHORT, Locale.ROOT);
  }

  private static String lookup(TzFile f, ZoneId id, Instant instant) {
    long t = instant.getEpochSecond();
    int n = f.transitions().length;
    if (n > 0 && t >= f.transitions()[n - 1] && f.footerStd() != null) {
      return f.footerName(id, instant);
    }
    if (n == 0 || t < f.transitions()[0]) {
      if (n == 0 && f.footerStd() != null) {
        return f.footerName(id, instant);
      }
      for (int k = 0; k < f.typeNames().length; k++) {
        if (!f.typeIsDst()[k]) {
          return f.typeNames()[k];
        }
      }
      return f.typeNames().length > 0 ? f.typeNames()[0] : null;
    }
    int lo = 0;
    int hi = n - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (f.transitions()[mid] <= t) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return f.typeNames()[f.transitionTypes()[lo]];
  }

  private static Optional<TzFile> load(String goName) {
    Path path;
    if (goName.equals("Local")) {
      String tz = System.getenv("TZ");
      if (tz != null && !tz.isEmpty()) {
        path = tz.startsWith("/") ? Path.of(tz) : ZONEINFO.resolve(tz.startsWith(":") ? tz.substring(1) : tz);
      } else {
        path = Path.of("/etc/localtime");
      }
    } else {
      if (goName.contains("..") || goName.startsWith("/")) {
        return Optional.empty();
      }
      path = ZONEINFO.resolve(goName);
    }
    try {
      if (!Files.isRegularFile(path)) {
        return Optional.empty();
      }
      return Optional.of(parse(Files.readAllBytes(path)));
    } catch (IOException | RuntimeException e) {
      LOG.warn("event=tzif_unreadable zone={} path={} error={}", goName, path, e.toString());
      return Optional.empty();
    }
  }

  /** Parses a TZif file (RFC 8536), preferring the 64-bit v2+ body. */
  private static TzFile parse(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    if (data.length < 44 || data[0] != 'T' || data[1] != 'Z' || data[2] != 'i' || data[3] != 'f') {
      throw new IllegalArgumentException("not a TZif file");
    }
    int version = data[4];
    int[] counts = header(b, 0);
    int timeSize = 4;
    int start = 44;
    if (version >= '2') {
      int v1len = counts[3] * 5 + counts[4] * 6 + counts[5] + counts[2] * 8 + counts[1] + counts[0];
      start = 44 + v1len + 44;
      counts = header(b, 44 + v1len);
      timeSize = 8;
    }
    int isutc = counts[0];
    int isstd = counts[1];
    int leap = counts[2];
    int timecnt = counts[3];
    int typecnt = counts[4];
    int charcnt = counts[5];
    b.position(start);
    long[] trans = new long[timecnt];
    for (int i = 0; i < timecnt; i++) {
      trans[i] = timeSize == 8 ? b.getLong() : b.getInt();
    }
    int[] idx = new int[timecnt];
    for (int i = 0; i < timecnt; i++) {
      idx[i] = b.get() & 0xFF;
    }
    int[] abbrIdx = new int[typecnt];
    boolean[] dst = new boolean[typecnt];
    for (int i = 0; i < typecnt; i++) {
      b.getInt();
      dst[i] = b.get() != 0;
      abbrIdx[i] = b.get() & 0xFF;
    }
    byte[] chars = new byte[charcnt];
    b.get(chars);
    String[] names = new String[typecnt];
    for (int i = 0; i < typecnt; i++) {
      int e = abbrIdx[i];
      while (e < charcnt && chars[e] != 0) {
        e++;
      }
      names[i] = new String(chars, abbrIdx[i], e - abbrIdx[i], StandardCharsets.US_ASCII);
    }
    b.position(b.position() + leap * (timeSize + 4) + isstd + isutc);
    String std = null;
    String dstName = null;
    int dstOffset = 0;
    if (version >= '2' && b.remaining() > 1 && b.get() == '\n') {
      int s = b.position();
      int e = s;
      while (e < data.length && data[e] != '\n') {
        e++;
      }
      String footer = new String(data, s, e - s, StandardCharsets.US_ASCII);
      Footer parsed = footer(footer);
      std = parsed.std();
      dstName = parsed.dst();
      dstOffset = parsed.dstOffset();
    }
    return new TzFile(trans, idx, names, dst, std, dstName, dstOffset);
  }

  private static int[] header(ByteBuffer b, int at) {
    int[] c = new int[6];
    for (int i = 0; i < 6; i++) {
      c[i] = b.getInt(at + 20 + 4 * i);
    }
    return c;
  }

  private record Footer(String std, String dst, int dstOffset) {}

  /** Names and DST offset (seconds east of UTC) of a POSIX TZ string such as {@code CET-1CEST,M3.5.0,M10.5.0/3} or {@code <+03>-3}. */
  private static Footer footer(String tz) {
    if (tz.isEmpty()) {
      return new Footer(null, null, 0);
    }
    int[] pos = {0};
    String std = name(tz, pos);
    int stdOffset = -offset(tz, pos);
    if (pos[0] >= tz.length() || tz.charAt(pos[0]) == ',') {
      return new Footer(std, null, 0);
    }
    String dst = name(tz, pos);
    int dstOffset = stdOffset + 3600;
    if (pos[0] < tz.length() && tz.charAt(pos[0]) != ',') {
      dstOffset = -offset(tz, pos);
    }
    return new Footer(std, dst, dstOffset);
  }

  /** A POSIX offset [+-]hh[:mm[:ss]] in seconds (POSIX sign: positive is west of UTC). */
  private static int offset(String tz, int[] pos) {
    int i = pos[0];
    int sign = 1;
    if (i < tz.length() && (tz.charAt(i) == '+' || tz.charAt(i) == '-')) {
      sign = tz.charAt(i) == '-' ? -1 : 1;
      i++;
    }
    int total = 0;
    int mult = 3600;
    while (i < tz.length() && Character.isDigit(tz.charAt(i)) && mult >= 1) {
      int v = 0;
      while (i < tz.length() && Character.isDigit(tz.charAt(i))) {
        v = v * 10 + (tz.charAt(i) - '0');
        i++;
      }
      total += v * mult;
      mult /= 60;
      if (i < tz.length() && tz.charAt(i) == ':') {
        i++;
      } else {
        break;
      }
    }
    pos[0] = i;
    return sign * total;
  }

  private static String name(String tz, int[] pos) {
    int i = pos[0];
    if (i < tz.length() && tz.charAt(i) == '<') {
      int e = tz.indexOf('>', i);
      pos[0] = e + 1;
      return tz.substring(i + 1, e);
    }
    int e = i;
    while (e < tz.length() && Character.isLetter(tz.charAt(e))) {
      e++;
    }
    pos[0] = e;
    return tz.substring(i, e);
  }

}
