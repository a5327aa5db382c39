package io.vectorgate.rollout;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The impact expectations file ({@value #VERSION}), read by this one parser for the rollout's
 * impact stage ({@link SampleImpactCheck}) and for the policy test harness ({@code vectorgate
 * impact}):
 *
 * <pre>
 * version: vectorgate-impact-expectations/v1
 * intended:                   # required, may be empty
 *   - change: newly_denied    # newly_denied | newly_allowed | obligations_changed | reasons_changed
 *     action: delete          # optional: only this action
 *     collection: docs        # optional: only this collection
 *     group: analysts         # optional: only callers in this identity group
 *     obligation: mask        # optional, obligations_changed only: this obligation is among those that changed
 *     max: 20                 # optional: at most this many requests
 *     note: why               # optional, free text
 * unreplayable: fail          # optional: fail (default) | count | ignore
 * </pre>
 *
 * YAML or JSON (a superset), at most 1 MiB, duplicate keys refused. Every problem is an
 * {@link Invalid} naming {@code file:line:col}; every entry keeps its line and column, so reports
 * name the entry that did not occur by its place in the file.
 */
public record ImpactExpectationsFile(String shown, List<Entry> intended, Unreplayable unreplayable) {
  public static final String VERSION = "vectorgate-impact-expectations/v1";
  /** The change kinds, in the order messages list them. */
  public static final List<String> CHANGES = List.of("newly_denied", "newly_allowed", "obligations_changed",
      "reasons_changed");
  /** The obligations an {@code obligations_changed} entry may name (contract names). */
  public static final List<String> OBLIGATIONS = List.of("mask", "strip_vectors", "row_filter", "limit_cap", "approval",
      "audit");
  static final long MAX_BYTES = 1024L * 1024;
  private static final List<String> TOP = List.of("intended", "unreplayable", "version");
  private static final List<String> ENTRY = List.of("action", "change", "collection", "group", "max", "note",
      "obligation");

  public ImpactExpectationsFile {
    intended = List.copyOf(intended);
  }

  /** One intended change at {@code line:column} of the file; null fields match anything. */
  public record Entry(int index, int line, int column, String change, String action, String collection, String group,
      String obligation, Long max, String note) {
    /** {@code file:line:col intended[i]}: where the entry is, for messages about it. */
    public String where(String shown) {
      return shown + ":" + line + ":" + column + " intended[" + index + "]";
    }

    /** {@code newly_denied action=delete collection=docs group=… obligation=…}. */
    public String describe() {
      return change + (action == null ? "" : " action=" + action) + (collection == null ? "" : " collection=" + collection)
          + (group == null ? "" : " group=" + group) + (obligation == null ? "" : " obligation=" + obligation);
    }
  }

  /** How records that cannot be replayed (no payload recorded, unsupported kind) count. */
  public enum Unreplayable {
    /** An error: the run fails (the default). */
    FAIL,
    /** Counted and listed, the run does not fail. */
    COUNT,
    /** Counted only. */
    IGNORE;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The file cannot be used: {@code file:line:col: detail} (line and column 0 when the whole file is meant). */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final int column;
    private final String detail;

    Invalid(String file, int line, int column, String detail, Throwable cause) {
      super(location(file, line, column) + ": " + detail, cause);
      this.file = file;
      this.line = line;
      this.column = column;
      this.detail = detail;
    }

    public String file() {
      return file;
    }

    public int line() {
      return line;
    }

    public int column() {
      return column;
    }

    /** The message without the location. */
    public String detail() {
      return detail;
    }

    /** {@code file:line:col}, or the file alone when there is no line. */
    public String location() {
      return location(file, line, column);
    }

    private static String location(String file, int line, int column) {
      return line <= 0 ? file : file + ":" + line + (column > 0 ? ":" + column : "");
    }
  }

  /**
   * Reads {@code file}; errors name it {@code shown} (the path as the user or the repository knows it).
   *
   * @throws Invalid if the file is missing, too large, not YAML/JSON, or not in the format above
   */
  public static ImpactExpectationsFile read(Path file, String shown) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new Invalid(shown, 0, 0, "expectations file does not exist", null);
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new Invalid(shown, 0, 0, "expectations file is larger than 1 MiB", null);
      }
    } catch (IOException e) {
      throw new Invalid(shown, 0, 0, "cannot read: " + e.getMessage(), e);
    }
    YAMLFactory f = new YAMLFactory();
    f.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    try (JsonParser p = f.createParser(file.toFile())) {
      return new Reader(p, shown).file();
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      throw new Invalid(shown, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
          "not valid YAML/JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new Invalid(shown, 0, 0, "cannot read: " + e.getMessage(), e);
    }
  }

  /** A walk over the parser's tokens that keeps the location of every key and value. */
  private record Reader(JsonParser p, String shown) {
    ImpactExpectationsFile file() throws IOException {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw invalid(p.currentTokenLocation(), "an expectations file must be a mapping with `version` and `intended`");
      }
      String version = null;
      Unreplayable unreplayable = Unreplayable.FAIL;
      List<Entry> intended = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonLocation at = p.currentTokenLocation();
        JsonToken v = p.nextToken();
        JsonLocation valueAt = p.currentTokenLocation();
        switch (key) {
          case "version" -> {
            version = v == JsonToken.VALUE_STRING ? p.getText() : null;
            if (!VERSION.equals(version)) {
              throw invalid(valueAt, "`version` must be `" + VERSION + "`, is " + shownValue(v));
            }
          }
          case "unreplayable" -> {
            String u = v == JsonToken.VALUE_STRING ? p.getText() : "";
            String was = shownValue(v);
            unreplayable = Arrays.stream(Unreplayable.values()).filter(x -> x.wireName().equals(u)).findFirst()
                .orElseThrow(() -> invalid(valueAt, "`unreplayable` must be one of fail, count, ignore; is " + was));
          }
          case "intended" -> {
            if (v != JsonToken.START_ARRAY) {
              throw invalid(valueAt, "`intended` must be a list (it may be empty)");
            }
            intended = entries();
          }
          default -> throw invalid(at, "unknown field `" + key + "` (allowed: " + String.join(", ", TOP) + ")");
        }
      }
      if (version == null) {
        throw new Invalid(shown, 1, 1, "`version` is missing; it must be `" + VERSION + "`", null);
      }
      if (intended == null) {
        throw new Invalid(shown, 1, 1, "`intended` is missing; it must be a list (it may be empty)", null);
      }
      return new ImpactExpectationsFile(shown, intended, unreplayable);
    }

    private List<Entry> entries() throws IOException {
      List<Entry> out = new ArrayList<>();
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        int i = out.size();
        JsonLocation at = p.currentTokenLocation();
        if (t != JsonToken.START_OBJECT) {
          throw invalid(at, "intended[" + i + "]: must be a mapping");
        }
        String change = null;
        String action = null;
        String collection = null;
        String group = null;
        String obligation = null;
        String note = null;
        Long max = null;
        JsonLocation obligationAt = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          JsonLocation keyAt = p.currentTokenLocation();
          JsonToken v = p.nextToken();
          JsonLocation valueAt = p.currentTokenLocation();
          String where = "intended[" + i + "]: ";
          switch (key) {
            case "change" -> {
              change = v == JsonToken.VALUE_STRING ? p.getText() : null;
              if (change == null || !CHANGES.contains(change)) {
                throw invalid(valueAt, where + "`change` must be one of " + String.join(", ", CHANGES) + "; is "
                    + shownValue(v));
              }
            }
            case "action" -> action = string(v, valueAt, where, key);
            case "collection" -> collection = string(v, valueAt, where, key);
            case "group" -> group = string(v, valueAt, where, key);
            case "note" -> note = string(v, valueAt, where, key);
            case "obligation" -> {
              obligation = string(v, valueAt, where, key);
              obligationAt = valueAt;
            }
            case "max" -> {
              if (v == JsonToken.VALUE_NULL) {
                max = null;
              } else if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                  || p.getLongValue() < 0) {
                throw invalid(valueAt, where + "`max` must be a non-negative integer; is " + shownValue(v));
              } else {
                max = p.getLongValue();
              }
            }
            default -> throw invalid(keyAt, where + "unknown field `" + key + "` (allowed: " + String.join(", ", ENTRY)
                + ")");
          }
        }
        if (change == null) {
          throw invalid(at, "intended[" + i + "]: `change` is missing; it must be one of " + String.join(", ", CHANGES));
        }
        if (obligation != null && (!change.equals("obligations_changed") || !OBLIGATIONS.contains(obligation))) {
          throw invalid(obligationAt, "intended[" + i + "]: `obligation` is only for obligations_changed and must be "
              + "one of " + String.join(", ", OBLIGATIONS));
        }
        out.add(new Entry(i, at.getLineNr(), at.getColumnNr(), change, action, collection, group, obligation, max, note));
      }
      return out;
    }

    private String string(JsonToken v, JsonLocation at, String where, String key) throws IOException {
      if (v == JsonToken.VALUE_NULL) {
        return null;
      }
      if (v != JsonToken.VALUE_STRING) {
        throw invalid(at, where + "`" + key + "` must be a string; is " + shownValue(v));
      }
      return p.getText();
    }

    /** The current value as messages show it: a scalar's text in backticks, else what kind of value it is. */
    private String shownValue(JsonToken v) throws IOException {
      if (v == null) {
        return "nothing";
      }
      return switch (v) {
        case START_OBJECT -> "a mapping";
        case START_ARRAY -> "a list";
        case VALUE_NULL -> "empty";
        default -> "`" + p.getText() + "`";
      };
    }

    private Invalid invalid(JsonLocation at, String detail) {
      return new Invalid(shown, at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(), detail, null);
    }
  }
}
