package io.vectorgate.dsl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.dsl.ast.Condition;
import io.vectorgate.dsl.ast.Name;
import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.ast.Statement;
import io.vectorgate.dsl.ast.Str;
import io.vectorgate.dsl.check.Vocabulary;
import io.vectorgate.dsl.rego.RegoGenerator;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A small, direct interpreter of the DSL's semantics (docs/dsl.md) over a JSON policy input, and
 * of the decision table's combination (core.rego), written independently of the Rego generator.
 * The differential property checks the compiled Wasm against it.
 */
final class ReferenceInterpreter {
  static final ObjectMapper JSON = new ObjectMapper();

  private final PolicyFile file;
  private final String fileName;
  private final ZoneId zone;
  private final Map<String, Statement.RoleDecl> roles = new HashMap<>();

  ReferenceInterpreter(PolicyFile file, String fileName) {
    this.file = file;
    this.fileName = fileName;
    ZoneId z = ZoneId.of("UTC");
    for (Statement s : file.statements()) {
      if (s instanceof Statement.TimezoneDecl tz) {
        z = ZoneId.of(tz.zone().value());
      } else if (s instanceof Statement.RoleDecl r) {
        roles.put(r.name().value(), r);
      }
    }
    this.zone = z;
  }

  /** The three contributed sets. */
  record Contributions(Set<JsonNode> deny, Set<JsonNode> allow, Set<JsonNode> obligation) {}

  Contributions contributions(JsonNode input) {
    Set<JsonNode> deny = new LinkedHashSet<>();
    Set<JsonNode> allow = new LinkedHashSet<>();
    Set<JsonNode> obligations = new LinkedHashSet<>();
    for (Statement s : file.statements()) {
      if (!(s instanceof Statement.Rule rule) || !applies(rule, input)) {
        continue;
      }
      String code = rule.reason() != null ? rule.reason().code().value()
          : RegoGenerator.DEFAULT_CODES.get(RegoGenerator.kind(rule));
      String message = rule.reason() != null && rule.reason().message() != null ? rule.reason().message().value()
          : RegoGenerator.defaultMessage(file, fileName, rule);
      ObjectNode base = JSON.createObjectNode();
      if (rule instanceof Statement.AccessRule a) {
        base.put("code", code).put("message", message);
        (a.effect() == Statement.Effect.ALLOW ? allow : deny).add(base);
        continue;
      }
      base.put("kind", RegoGenerator.kind(rule)).put("code", code).put("message", message);
      if (rule instanceof Statement.ApprovalRule ap) {
        ArrayNode groups = base.putArray("approver_groups");
        new TreeSet<>(ap.approverGroups().stream().map(Str::value).toList()).forEach(groups::add);
        base.put("min_approvals", ap.minApprovals());
        if (ap.expires() != null) {
          base.put("expires_in_seconds", ap.expires().seconds());
        }
        obligations.add(base);
      } else if (rule instanceof Statement.MaskRule m) {
        for (Statement.FieldRef f : m.fields()) {
          ObjectNode e = base.deepCopy();
          e.put("field", f.field());
          ArrayNode path = e.putArray("path");
          f.path().forEach(path::add);
          e.put("method", m.method() == null ? "redact" : m.method().value());
          obligations.add(e);
        }
      } else if (rule instanceof Statement.StripVectorsRule) {
        obligations.add(base);
      } else if (rule instanceof Statement.RowFilterRule rf) {
        JsonNode value;
        if (rf.value() instanceof Condition.Path p) {
          value = at(input, attr(p).inputPath());
          boolean list = rf.op() == Statement.RowOp.IN || rf.op() == Statement.RowOp.NOT_IN;
          boolean ok = value != null && (list ? value.isArray() : (value.isTextual() || value.isNumber()
              || value.isBoolean()));
          if (!ok) {
            ObjectNode d = JSON.createObjectNode();
            d.put("code", rf.missing() != null ? rf.missing().code().value() : RegoGenerator.ROW_FILTER_UNRESOLVED)
                .put("message", rf.missing() != null && rf.missing().message() != null
                    ? rf.missing().message().value() : RegoGenerator.unresolvedMessage(rf, fileName));
            deny.add(d);
            continue;
          }
        } else {
          value = literalJson(rf.value());
        }
        base.put("field", rf.column().value()).put("op", rf.op().wire).set("value", value);
        obligations.add(base);
      } else if (rule instanceof Statement.LimitCapRule c) {
        base.put("max", c.max()).put("mode", c.denyOver() ? "deny" : "clamp");
        obligations.add(base);
      } else if (rule instanceof Statement.AuditRule au) {
        ObjectNode labels = base.putObject("labels");
        au.labels().forEach(l -> labels.put(l.key().value(), l.value().value()));
        base.put("record_payloads", !au.withoutPayloads()).put("record_vectors", au.withVectors());
        obligations.add(base);
      }
    }
    return new Contributions(deny, allow, obligations);
  }

  private boolean applies(Statement.Rule rule, JsonNode input) {
    if (rule instanceof Statement.AccessRule a && !actionMatches(a.actions().any(), a.actions().names(), input)) {
      return false;
    }
    if (rule instanceof Statement.ApprovalRule a && !actionMatches(a.actions().any(), a.actions().names(), input)) {
      return false;
    }
    if (!rule.target().any()) {
      JsonNode c = at(input, List.of("operation", "resource", "collection"));
      if (c == null || !c.isTextual()) {
        return false;
      }
      if (rule.target().patterns().stream().noneMatch(p -> globMatches(p.value(), c.textValue()))) {
        return false;
      }
    }
    if (rule instanceof Statement.AccessRule a && !a.subjects().anyone()
        && a.subjects().roles().stream().noneMatch(r -> role(r.value(), input))) {
      return false;
    }
    if (rule.guards().when() != null && !holds(rule.guards().when(), input)) {
      return false;
    }
    return rule.guards().unless() == null || !holds(rule.guards().unless(), input);
  }

  private static boolean actionMatches(boolean any, List<Name> names, JsonNode input) {
    if (any) {
      return true;
    }
    JsonNode action = at(input, List.of("operation", "action"));
    return action != null && action.isTextual()
        && Vocabulary.expandActions(names.stream().map(Name::value).toList()).contains(action.textValue());
  }

  /** Glob with "/" as the only delimiter: {@code *} and {@code ?} stay within a segment, {@code **} crosses. */
  static boolean globMatches(String pattern, String value) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char ch = pattern.charAt(i);
      if (ch == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else if (ch == '*') {
        re.append("[^/]*");
      } else if (ch == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL).matcher(value).matches();
  }

  private boolean role(String name, JsonNode input) {
    return holds(roles.get(name).definition(), input);
  }

  boolean holds(Condition c, JsonNode input) {
    if (c instanceof Condition.Or o) {
      return o.parts().stream().anyMatch(p -> holds(p, input));
    }
    if (c instanceof Condition.And a) {
      return a.parts().stream().allMatch(p -> holds(p, input));
    }
    if (c instanceof Condition.Not n) {
      return !holds(n.inner(), input);
    }
    if (c instanceof Condition.InGroup g) {
      JsonNode groups = at(input, List.of("identity", "groups"));
      if (groups == null || !(groups.isArray() || groups.isObject())) {
        return false;
      }
      for (JsonNode x : groups) {
        if (x.isTextual() && x.textValue().equals(g.group().value())) {
          return true;
        }
      }
      return false;
    }
    if (c instanceof Condition.TimeWindow t) {
      ZonedDateTime time = time(input);
      if (time == null) {
        return false;
      }
      int minute = time.getHour() * 60 + time.getMinute();
      int from = minutes(t.from());
      int to = minutes(t.to());
      return from < to ? minute >= from && minute < to : minute >= from || minute < to;
    }
    if (c instanceof Condition.WeekdayIn w) {
      ZonedDateTime time = time(input);
      if (time == null) {
        return false;
      }
      String day = time.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      return w.days().stream().anyMatch(d -> Vocabulary.WEEKDAYS.get(d.value()).equals(day));
    }
    if (c instanceof Condition.Compare cmp) {
      JsonNode l = value(cmp.left(), input);
      JsonNode r = value(cmp.right(), input);
      if (l == null || r == null) {
        return false;
      }
      switch (cmp.op()) {
        case EQ:
          return jsonEquals(l, r);
        case NE:
          return !jsonEquals(l, r);
        default:
          if (!l.isNumber() || !r.isNumber()) {
            return false;
          }
          int k = l.decimalValue().compareTo(r.decimalValue());
          return switch (cmp.op()) {
            case LT -> k < 0;
            case LE -> k <= 0;
            case GT -> k > 0;
            default -> k >= 0;
          };
      }
    }
    if (c instanceof Condition.InList in) {
      JsonNode l = value(in.left(), input);
      if (l == null) {
        return false;
      }
      boolean member = in.values().stream().anyMatch(v -> jsonEquals(l, literalJson(v)));
      return in.negated() != member;
    }
    Condition.Truth t = (Condition.Truth) c;
    var a = Vocabulary.attribute(t.path().segments());
    if (a.isEmpty()) {
      return role(t.path().dotted(), input);
    }
    JsonNode v = value(t.path(), input);
    return v != null && v.isBoolean() && v.booleanValue();
  }

  private ZonedDateTime time(JsonNode input) {
    JsonNode ns = at(input, List.of("context", "time_ns"));
    if (ns == null || !ns.isIntegralNumber()) {
      return null;
    }
    BigDecimal[] parts = ns.decimalValue().divideAndRemainder(BigDecimal.valueOf(1_000_000_000L));
    return Instant.ofEpochSecond(parts[0].longValue(), parts[1].longValue()).atZone(zone);
  }

  private static int minutes(String hhmm) {
    return Integer.parseInt(hhmm.substring(0, 2)) * 60 + Integer.parseInt(hhmm.substring(3, 5));
  }

  private static Vocabulary.Attribute attr(Condition.Path p) {
    return Vocabulary.attribute(p.segments()).orElseThrow();
  }

  /** An operand's value; null for absent or JSON null. */
  private static JsonNode value(Condition.Operand o, JsonNode input) {
    if (o instanceof Condition.Path p) {
      Vocabulary.Attribute a = attr(p);
      if (a.presence()) {
        JsonNode f = at(input, a.inputPath());
        return JSON.getNodeFactory().booleanNode(f != null);
      }
      return at(input, a.inputPath());
    }
    return literalJson(o);
  }

  static JsonNode literalJson(Condition.Operand o) {
    if (o instanceof Condition.ListLit l) {
      ArrayNode arr = JSON.createArrayNode();
      l.values().forEach(v -> arr.add(literalJson(v)));
      return arr;
    }
    if (o instanceof Condition.StrLit s) {
      return JSON.getNodeFactory().textNode(s.value());
    }
    if (o instanceof Condition.NumLit n) {
      return JSON.getNodeFactory().numberNode(n.value());
    }
    return JSON.getNodeFactory().booleanNode(((Condition.BoolLit) o).value());
  }

  /** The value at a path, or null when absent or JSON null. */
  static JsonNode at(JsonNode root, List<String> path) {
    JsonNode n = root;
    for (String k : path) {
      if (n == null || !n.isObject()) {
        return null;
      }
      n = n.get(k);
    }
    return n == null || n.isNull() ? null : n;
  }

  static boolean jsonEquals(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!jsonEquals(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  // --- the decision table (core.rego) ------------------------------------------------------

  /** The decision core.rego makes from these contributions, with lists turned into sets for comparison. */
  static JsonNode decide(Contributions c, JsonNode input) {
    Set<JsonNode> effectiveDeny = new LinkedHashSet<>(c.deny());
    JsonNode contract = input.get("contract");
    if (contract == null || !(contract.isTextual() && contract.textValue().equals("vectorgate/v1"))) {
      effectiveDeny.add(reason("contract_mismatch", "input follows contract "
          + (contract == null ? "null" : toStr(contract)) + ", policy expects vectorgate/v1"));
    }
    JsonNode action = at(input, List.of("operation", "action"));
    if (action != null && action.isTextual() && action.textValue().equals("unknown")) {
      List<String> detail = new ArrayList<>();
      for (String k : List.of("protocol", "rpc", "method", "path")) {
        JsonNode v = at(input, List.of("operation", "protocol", k));
        if (v != null) {
          detail.add(toStr(v));
        }
      }
      effectiveDeny.add(reason("unknown_operation", "the gateway could not classify this request ("
          + String.join(" ", detail) + "); unknown operations are denied"));
    }
    boolean allowed = effectiveDeny.isEmpty() && !c.allow().isEmpty();
    ObjectNode d = JSON.createObjectNode();
    d.put("allow", allowed);
    Set<JsonNode> reasons = new TreeSetOfJson();
    ObjectNode ob = JSON.createObjectNode();
    if (!effectiveDeny.isEmpty()) {
      reasons.addAll(effectiveDeny);
    } else if (c.allow().isEmpty()) {
      JsonNode coll = at(input, List.of("operation", "resource", "collection"));
      JsonNode subj = at(input, List.of("identity", "subject"));
      reasons.add(reason("no_allow_rule", "no rule allows " + toStr(action) + " on collection "
          + (coll == null ? "" : toStr(coll)) + " for " + (subj == null ? "" : toStr(subj))));
    }
    if (!allowed) {
      ob.set("mask", JSON.createArrayNode());
      ob.put("strip_vectors", false);
      ob.set("row_filter", JSON.createArrayNode());
    } else {
      for (JsonNode r : c.allow()) {
        reasons.add(reason(r.get("code").textValue(), r.get("message").textValue()));
      }
      for (JsonNode o : c.obligation()) {
        reasons.add(reason(o.get("code").textValue(), o.get("message").textValue()));
      }
      combineObligations(c.obligation(), ob);
    }
    ArrayNode rs = d.putArray("reasons");
    reasons.forEach(rs::add);
    d.set("obligations", ob);
    return normalize(d);
  }

  private static void combineObligations(Set<JsonNode> obligations, ObjectNode ob) {
    List<String> rank = List.of("partial", "hash", "redact", "drop");
    Map<String, Integer> masks = new TreeMap<>();
    Map<String, JsonNode> maskKeys = new HashMap<>();
    boolean strip = false;
    Set<JsonNode> rowFilters = new TreeSetOfJson();
    Long cap = null;
    boolean capDeny = false;
    List<JsonNode> approvals = new ArrayList<>();
    List<JsonNode> audits = new ArrayList<>();
    for (JsonNode o : obligations) {
      switch (o.get("kind").textValue()) {
        case "mask" -> {
          ObjectNode key = JSON.createObjectNode();
          key.put("field", o.get("field").textValue()).set("path", o.get("path"));
          String k = key.toString();
          maskKeys.put(k, key);
          masks.merge(k, rank.indexOf(o.get("method").textValue()), Math::max);
        }
        case "strip_vectors" -> strip = true;
        case "row_filter" -> {
          ObjectNode f = JSON.createObjectNode();
          f.put("field", o.get("field").textValue()).put("op", o.get("op").textValue()).set("value", o.get("value"));
          rowFilters.add(f);
        }
        case "limit_cap" -> {
          long m = o.get("max").longValue();
          if (cap == null || m < cap) {
            cap = m;
            capDeny = false;
          }
          if (m == cap && o.get("mode").textValue().equals("deny")) {
            capDeny = true;
          }
        }
        case "approval" -> approvals.add(o);
        case "audit" -> audits.add(o);
        default -> throw new IllegalStateException("kind " + o.get("kind"));
      }
    }
    ArrayNode maskArr = ob.putArray("mask");
    masks.forEach((k, r) -> {
      ObjectNode m = ((ObjectNode) maskKeys.get(k)).deepCopy();
      m.put("method", rank.get(r));
      maskArr.add(m);
    });
    ob.put("strip_vectors", strip);
    ArrayNode rf = ob.putArray("row_filter");
    rowFilters.forEach(rf::add);
    if (cap != null) {
      ob.putObject("limit_cap").put("max", cap).put("mode", capDeny ? "deny" : "clamp");
    }
    if (!approvals.isEmpty()) {
      TreeSet<String> messages = new TreeSet<>();
      TreeSet<String> groups = new TreeSet<>();
      int min = 0;
      long expires = Long.MAX_VALUE;
      for (JsonNode a : approvals) {
        messages.add(a.get("message").textValue());
        a.get("approver_groups").forEach(g -> groups.add(g.textValue()));
        min = Math.max(min, a.get("min_approvals").intValue());
        expires = Math.min(expires, a.has("expires_in_seconds") ? a.get("expires_in_seconds").longValue() : 3600);
      }
      ObjectNode ap = ob.putObject("approval");
      ap.put("reason", String.join("; ", messages));
      ArrayNode g = ap.putArray("approver_groups");
      groups.forEach(g::add);
      ap.put("min_approvals", min).put("expires_in_seconds", expires);
    }
    if (!audits.isEmpty()) {
      ObjectNode au = ob.putObject("audit");
      ObjectNode labels = au.putObject("labels");
      boolean payloads = true;
      boolean vectors = false;
      for (JsonNode a : audits) {
        a.get("labels").fields().forEachRemaining(e -> labels.set(e.getKey(), e.getValue()));
        payloads &= a.get("record_payloads").booleanValue();
        vectors |= a.get("record_vectors").booleanValue();
      }
      au.put("record_payloads", payloads).put("record_vectors", vectors);
    }
  }

  private static JsonNode reason(String code, String message) {
    ObjectNode r = JSON.createObjectNode();
    r.put("code", code).put("message", message);
    return r;
  }

  private static String toStr(JsonNode n) {
    return n == null ? "" : n.isTextual() ? n.textValue() : n.toString();
  }

  /**
   * A decision with its list-valued parts (reasons, mask, row_filter, approver groups) sorted by
   * their JSON text, and numbers normalized, so that two equal decisions compare equal.
   */
  static JsonNode normalize(JsonNode decision) {
    try {
      JsonNode d = canonical(JSON.readTree(JSON.writeValueAsString(decision)));
      sortArray((ObjectNode) d, "reasons");
      JsonNode ob = d.get("obligations");
      if (ob instanceof ObjectNode o) {
        sortArray(o, "mask");
        sortArray(o, "row_filter");
      }
      return d;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("decision is not JSON", e);
    }
  }

  /** The same JSON with every object's keys in sorted order. */
  static JsonNode canonical(JsonNode n) {
    if (n.isObject()) {
      ObjectNode out = JSON.createObjectNode();
      new TreeSet<String>(iterable(n.fieldNames())).forEach(k -> out.set(k, canonical(n.get(k))));
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = JSON.createArrayNode();
      n.forEach(x -> out.add(canonical(x)));
      return out;
    }
    return n;
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static void sortArray(ObjectNode parent, String key) {
    JsonNode arr = parent.get(key);
    if (arr == null || !arr.isArray()) {
      return;
    }
    TreeSetOfJson sorted = new TreeSetOfJson();
    arr.forEach(sorted::add);
    ArrayNode out = parent.putArray(key);
    sorted.forEach(out::add);
  }

  /** A set of JSON values ordered by their canonical text. */
  static final class TreeSetOfJson extends TreeSet<JsonNode> {
    private static final long serialVersionUID = 1L;

    TreeSetOfJson() {
      super((a, b) -> a.toString().compareTo(b.toString()));
    }
  }
}
