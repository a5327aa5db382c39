package io.vectorgate.dsl.check;

import io.vectorgate.model.Action;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fixed words of the language and what they mean in the policy contract: actions and action
 * classes, attributes usable in conditions (with their types and input paths), mask methods and
 * weekdays. The checker, the Rego generator and the reference interpreter all read this one table.
 */
public final class Vocabulary {
  private Vocabulary() {}

  /** Static types of condition operands. */
  public enum Type {
    NUMBER("a number"), STRING("a string"), BOOL("a boolean"), STRING_LIST("a list of strings"),
    /** Token claims and operation attributes: any JSON value, checked at run time. */
    DYNAMIC("any value");

    public final String description;

    Type(String description) {
      this.description = description;
    }
  }

  /**
   * An attribute: its DSL name, its type and its place in the policy input. {@code presence}
   * marks {@code filter}, which is true when the operation carries a filter at all.
   */
  public record Attribute(String name, Type type, List<String> inputPath, boolean presence) {}

  /** Action names (the contract's wire names). */
  public static final Set<String> ACTIONS;

  /** Action classes a rule may name instead of single actions, with their members. */
  public static final Map<String, List<String>> ACTION_CLASSES;

  static {
    TreeSet<String> actions = new TreeSet<>();
    for (Action a : Action.values()) {
      actions.add(a.wireName());
    }
    ACTIONS = Set.copyOf(actions);
    Map<String, List<String>> classes = new LinkedHashMap<>();
    classes.put("read", List.of("search", "query", "get", "count", "describe", "list"));
    classes.put("write", List.of("insert", "upsert", "update", "delete"));
    classes.put("destructive", List.of("delete_all", "drop_collection", "truncate_collection"));
    classes.put("schema", List.of("create_collection", "rename_collection", "alter_collection",
        "create_index", "drop_index"));
    classes.put("data_movement", List.of("snapshot", "export", "import"));
    ACTION_CLASSES = Map.copyOf(classes);
  }

  private static final Map<String, Attribute> FIXED = new LinkedHashMap<>();

  private static void fixed(String name, Type type, String... path) {
    FIXED.put(name, new Attribute(name, type, List.of(path), false));
  }

  static {
    fixed("action", Type.STRING, "operation", "action");
    fixed("collection", Type.STRING, "operation", "resource", "collection");
    fixed("database", Type.STRING, "operation", "resource", "database");
    fixed("namespace", Type.STRING, "operation", "resource", "namespace");
    fixed("connection", Type.STRING, "connection", "name");
    fixed("ids", Type.NUMBER, "operation", "counts", "ids");
    fixed("rows", Type.NUMBER, "operation", "counts", "rows");
    fixed("queries", Type.NUMBER, "operation", "counts", "queries");
    fixed("limit", Type.NUMBER, "operation", "limit");
    fixed("offset", Type.NUMBER, "operation", "offset");
    FIXED.put("filter", new Attribute("filter", Type.BOOL, List.of("operation", "filter"), true));
    fixed("vectors", Type.BOOL, "operation", "vectors_requested");
    fixed("paging", Type.BOOL, "operation", "paging");
    fixed("identity.subject", Type.STRING, "identity", "subject");
    fixed("identity.email", Type.STRING, "identity", "email");
    fixed("identity.tenant", Type.STRING, "identity", "tenant");
    fixed("identity.issuer", Type.STRING, "identity", "issuer");
    fixed("identity.groups", Type.STRING_LIST, "identity", "groups");
    fixed("usage.requests_last_minute", Type.NUMBER, "context", "usage", "requests_last_minute");
    fixed("usage.rows_last_hour", Type.NUMBER, "context", "usage", "rows_last_hour");
    fixed("usage.vectors_last_hour", Type.NUMBER, "context", "usage", "vectors_last_hour");
    fixed("usage.pages_last_hour", Type.NUMBER, "context", "usage", "pages_last_hour");
  }

  /** Prefixes of dynamic attributes ({@code identity.claims.NAME}, {@code attributes.NAME}). */
  private static final Map<String, List<String>> DYNAMIC_PREFIXES = Map.of(
      "identity.claims", List.of("identity", "claims"),
      "attributes", List.of("operation", "attributes"));

  /** The fixed attribute names, for messages. */
  public static Set<String> attributeNames() {
    return FIXED.keySet();
  }

  /** Looks up an attribute by its dotted path; claims and operation attributes take one key. */
  public static Optional<Attribute> attribute(List<String> segments) {
    String dotted = String.join(".", segments);
    Attribute a = FIXED.get(dotted);
    if (a != null) {
      return Optional.of(a);
    }
    if (segments.size() >= 2) {
      String prefix = String.join(".", segments.subList(0, segments.size() - 1));
      List<String> base = DYNAMIC_PREFIXES.get(prefix);
      if (base != null) {
        List<String> path = new java.util.ArrayList<>(base);
        path.add(segments.get(segments.size() - 1));
        return Optional.of(new Attribute(dotted, Type.DYNAMIC, List.copyOf(path), false));
      }
    }
    return Optional.empty();
  }

  /** Whether a single word is an attribute name (roles may not take these names). */
  public static boolean isAttributeWord(String word) {
    return FIXED.containsKey(word) || word.equals("identity") || word.equals("usage")
        || word.equals("attributes");
  }

  /** Attributes a row filter value may take (identity facts). */
  public static boolean isIdentityAttribute(Attribute a) {
    return a.inputPath().get(0).equals("identity");
  }

  /** Mask methods, mildest first. */
  public static final List<String> MASK_METHODS = List.of("partial", "hash", "redact", "drop");

  /** Weekday words and the names {@code time.weekday} returns. */
  public static final Map<String, String> WEEKDAYS = Map.of(
      "mon", "Monday", "tue", "Tuesday", "wed", "Wednesday", "thu", "Thursday", "fri", "Friday",
      "sat", "Saturday", "sun", "Sunday");

  /** Weekday words in week order, for messages and formatting. */
  public static final List<String> WEEKDAY_ORDER = Arrays.asList("mon", "tue", "wed", "thu", "fri", "sat", "sun");

  /** Expands action names and classes into wire names (unknown names are left out). */
  public static Set<String> expandActions(List<String> names) {
    TreeSet<String> out = new TreeSet<>();
    for (String n : names) {
      if (ACTIONS.contains(n)) {
        out.add(n);
      } else if (ACTION_CLASSES.containsKey(n)) {
        out.addAll(ACTION_CLASSES.get(n));
      }
    }
    return out;
  }
}
