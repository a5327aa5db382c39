package io.vectorgate.harness.impact;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vectorgate.harness.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The changes a policy change intends ({@value #VERSION}):
 *
 * <pre>
 * version: vectorgate-impact-expectations/v1
 * intended:
 *   - change: newly_denied      # newly_denied | newly_allowed | obligations_changed | reasons_changed
 *     action: delete            # optional: only this action
 *     collection: docs          # optional: only this collection
 *     group: analysts           # optional: only callers in this identity group
 *     obligation: mask          # optional, obligations_changed only: this obligation must be among those that changed
 *     max: 20                   # optional: at most this many requests
 * unreplayable: fail            # optional: fail (default) | count | ignore
 * </pre>
 *
 * A change matching no entry is unexpected and fails the run; an entry matching no change, or more than
 * its {@code max}, fails it too. {@code unreplayable} says how records the harness cannot replay
 * (recorded without payloads: {@code payload_not_recorded}; {@code unsupported_kind}) count: as
 * errors that fail the run, counted and listed without failing it, or counted only.
 */
public record ImpactExpectations(Path file, List<Intended> intended, Unreplayable unreplayable) {
  public static final String VERSION = "vectorgate-impact-expectations/v1";
  private static final Set<String> TOP = Set.of("version", "intended", "unreplayable");
  private static final Set<String> ENTRY = Set.of("change", "action", "collection", "group", "obligation", "max", "note");
  private static final Set<String> OBLIGATIONS = Set.of("mask", "strip_vectors", "row_filter", "limit_cap", "approval", "audit");

  /** One intended change; null fields match anything. */
  public record Intended(int index, String location, ChangeKind change, String action, String collection, String group,
      String obligation, Long max, String note) {
    public boolean matches(Change c) {
      return change == c.kind()
          && (action == null || action.equals(c.action()))
          && (collection == null || collection.equals(c.collection()))
          && (group == null || c.source().identity().groups().contains(group))
          && (obligation == null || c.aspects().contains(obligation));
    }

    public String describe() {
      StringBuilder sb = new StringBuilder(change.wireName());
      if (action != null) {
        sb.append(" action=").append(action);
      }
      if (collection != null) {
        sb.append(" collection=").append(collection);
      }
      if (group != null) {
        sb.append(" group=").append(group);
      }
      if (obligation != null) {
        sb.append(" obligation=").append(obligation);
      }
      return sb.toString();
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
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The harness codes of records it cannot replay (an adapter's refusal is never one of them). */
  public static final Set<String> UNREPLAYABLE_CODES = Set.of("payload_not_recorded", "unsupported_kind");

  public static ImpactExpectations none() {
    return new ImpactExpectations(null, List.of(), Unreplayable.FAIL);
  }

  public static ImpactExpectations read(Path file) {
    String where = file.toString();
    JsonNode root;
    try {
      if (!Files.isRegularFile(file)) {
        throw new HarnessException(where, "expectations file does not exist");
      }
      if (Files.size(file) > (4L << 20)) {
        throw new HarnessException(where, "expectations file is larger than 4 MiB");
      }
      YAMLFactory f = new YAMLFactory();
      f.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      ObjectMapper m = new YAMLMapper(f); // YAML is a superset of JSON: .json files read the same way
      root = m.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      throw new HarnessException(l == null ? where : where + ":" + l.getLineNr() + ":" + l.getColumnNr(),
          "not valid YAML/JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new HarnessException(where, "cannot read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new HarnessException(where, "an expectations file must be a mapping with `version` and `intended`");
    }
    unknown(root, TOP, where, "");
    if (!VERSION.equals(root.path("version").asText(null))) {
      throw new HarnessException(where, "`version` must be `" + VERSION + "`, is " + root.path("version"));
    }
    Unreplayable unreplayable = Unreplayable.FAIL;
    if (root.has("unreplayable")) {
      String u = root.get("unreplayable").isTextual() ? root.get("unreplayable").textValue() : "";
      unreplayable = java.util.Arrays.stream(Unreplayable.values()).filter(x -> x.wireName().equals(u)).findFirst()
          .orElseThrow(() -> new HarnessException(where, "`unreplayable` must be one of fail, count, ignore; is "
              + root.get("unreplayable")));
    }
    JsonNode list = root.path("intended");
    if (!list.isArray()) {
      throw new HarnessException(where, "`intended` must be a list (it may be empty)");
    }
    List<Intended> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode e = list.get(i);
      String loc = where + " intended[" + i + "]";
      if (!e.isObject()) {
        throw new HarnessException(loc, "must be a mapping");
      }
      unknown(e, ENTRY, loc, "");
      ChangeKind kind = ChangeKind.fromWireName(e.path("change").asText(""));
      if (kind == null) {
        throw new HarnessException(loc, "`change` must be one of newly_denied, newly_allowed, obligations_changed, "
            + "reasons_changed; is " + e.path("change"));
      }
      String obligation = str(e, "obligation", loc);
      if (obligation != null && (kind != ChangeKind.OBLIGATIONS_CHANGED || !OBLIGATIONS.contains(obligation))) {
        throw new HarnessException(loc, "`obligation` is only for obligations_changed and must be one of " + OBLIGATIONS);
      }
      Long max = null;
      if (e.has("max")) {
        if (!e.get("max").isIntegralNumber() || e.get("max").longValue() < 0) {
          throw new HarnessException(loc, "`max` must be a non-negative integer");
        }
        max = e.get("max").longValue();
      }
      out.add(new Intended(i, loc, kind, str(e, "action", loc), str(e, "collection", loc), str(e, "group", loc),
          obligation, max, str(e, "note", loc)));
    }
    return new ImpactExpectations(file, List.copyOf(out), unreplayable);
  }

  private static String str(JsonNode e, String f, String loc) {
    JsonNode v = e.get(f);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new HarnessException(loc, "`" + f + "` must be a string");
    }
    return v.textValue();
  }

  private static void unknown(JsonNode n, Set<String> allowed, String loc, String prefix) {
    Iterator<String> it = n.fieldNames();
    while (it.hasNext()) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new HarnessException(loc, "unknown field `" + prefix + k + "` (allowed: " + String.join(", ",
            allowed.stream().sorted().toList()) + ")");
      }
    }
  }
}
