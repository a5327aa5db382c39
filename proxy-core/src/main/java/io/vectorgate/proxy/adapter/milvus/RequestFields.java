package io.vectorgate.proxy.adapter.milvus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Closed-world decoding: how the gateway treats every field of every Milvus request message, read
 * from the one list {@code request-fields.txt} (next to this class). A field is either
 * {@link Treatment#MODELLED} (it reaches the policy input, or an obligation rewrites it) or
 * {@link Treatment#REFUSED} (a request that sets it is refused with {@link #UNSUPPORTED_FIELD}
 * naming it, see {@link ProtoGuard}). A test walks the proto's descriptors and fails on a field in
 * neither list, so a field a newer proto adds cannot pass unclassified.
 */
public final class RequestFields {
  /** The refusal code of a set field the gateway does not model. */
  public static final String UNSUPPORTED_FIELD = "unsupported_field";
  static final String RESOURCE = "request-fields.txt";

  /** How a field is treated. */
  public enum Treatment { MODELLED, REFUSED }

  /** One field's entry: its treatment and where it reaches the input (or why it is refused). */
  public record Entry(Treatment treatment, String note) {}

  private static final Map<String, Map<String, Entry>> TABLE = load();

  private RequestFields() {}

  /** The entry of {@code field} of the message named {@code messageFullName}, if listed. */
  public static Optional<Entry> entry(String messageFullName, String field) {
    Map<String, Entry> m = TABLE.get(messageFullName);
    return m == null ? Optional.empty() : Optional.ofNullable(m.get(field));
  }

  /** Whether a set {@code field} of {@code messageFullName} is refused. */
  static boolean refused(String messageFullName, String field) {
    return entry(messageFullName, field).map(e -> e.treatment() == Treatment.REFUSED).orElse(false);
  }

  /** The whole table: message full name → field name → entry. */
  public static Map<String, Map<String, Entry>> table() {
    return TABLE;
  }

  private static Map<String, Map<String, Entry>> load() {
    InputStream in = RequestFields.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException(RESOURCE + " is missing from the classpath (next to " + RequestFields.class.getName() + ")");
    }
    Map<String, Map<String, Entry>> table = new LinkedHashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        String[] parts = t.split("\\s+", 4);
        if (parts.length < 4) {
          throw new IllegalStateException(RESOURCE + ":" + n + ": expected `<message> <field> <modelled|refused> <note>`");
        }
        Treatment treatment = switch (parts[2]) {
          case "modelled" -> Treatment.MODELLED;
          case "refused" -> Treatment.REFUSED;
          default -> throw new IllegalStateException(RESOURCE + ":" + n + ": unknown treatment `" + parts[2] + "`");
        };
        Map<String, Entry> fields = table.computeIfAbsent(parts[0], k -> new LinkedHashMap<>());
        if (fields.put(parts[1], new Entry(treatment, parts[3])) != null) {
          throw new IllegalStateException(RESOURCE + ":" + n + ": `" + parts[0] + "." + parts[1] + "` is listed twice");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    table.replaceAll((k, v) -> Collections.unmodifiableMap(v));
    return Collections.unmodifiableMap(table);
  }
}
