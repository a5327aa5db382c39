package io.vectorgate.dsl.check;

import io.vectorgate.dsl.ast.Actions;
import io.vectorgate.dsl.ast.Condition;
import io.vectorgate.dsl.ast.Guards;
import io.vectorgate.dsl.ast.Name;
import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.ast.Span;
import io.vectorgate.dsl.ast.Statement;
import io.vectorgate.dsl.ast.Statement.AccessRule;
import io.vectorgate.dsl.ast.Statement.ApprovalRule;
import io.vectorgate.dsl.ast.Statement.Effect;
import io.vectorgate.dsl.ast.Statement.RoleDecl;
import io.vectorgate.dsl.ast.Str;
import io.vectorgate.dsl.ast.Subjects;
import io.vectorgate.dsl.check.Vocabulary.Attribute;
import io.vectorgate.dsl.check.Vocabulary.Type;
import io.vectorgate.dsl.diag.Codes;
import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.diag.Severity;
import io.vectorgate.dsl.diag.SourceText;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Semantic checks, as a named list of stages that each report every problem they find:
 * {@code names} (unknown actions, roles, attributes, mask methods, weekdays; duplicate and cyclic
 * roles; time zone), {@code values} (patterns, clock times, ranges, reason codes), {@code types}
 * (type errors in conditions and row filters), {@code rules} (unreachable, duplicate and
 * never-allowed rules). Errors stop compilation; warnings do not.
 */
public final class Checker {

  /** One named check stage. */
  public record Stage(String name, Consumer<Checker> run) {}

  /** The stages, in the order they run. */
  public static final List<Stage> STAGES = List.of(
      new Stage("names", Checker::checkNames),
      new Stage("values", Checker::checkValues),
      new Stage("types", Checker::checkTypes),
      new Stage("rules", Checker::checkRules));

  private static final Pattern REASON_CODE = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  private static final Pattern CLOCK = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");
  private static final Pattern ALLOWED_PATTERN = Pattern.compile("[^\\[\\]{}\\\\]+");
  private static final long MAX_CAP = 1_000_000_000L;
  private static final long MAX_EXPIRY_SECONDS = 30L * 86400;
  private static final int MAX_APPROVALS = 100;

  private final PolicyFile file;
  private final SourceText source;
  private final List<Diagnostic> diagnostics = new ArrayList<>();
  private final Map<String, RoleDecl> roles = new LinkedHashMap<>();

  private Checker(PolicyFile file, SourceText source) {
    this.file = file;
    this.source = source;
    for (Statement s : file.statements()) {
      if (s instanceof RoleDecl r) {
        roles.putIfAbsent(r.name().value(), r);
      }
    }
  }

  /** Runs every stage and returns all diagnostics, sorted by location. */
  public static List<Diagnostic> check(PolicyFile file, SourceText source) {
    Checker c = new Checker(file, source);
    for (Stage stage : STAGES) {
      stage.run().accept(c);
    }
    c.diagnostics.sort(Diagnostic.BY_LOCATION);
    return List.copyOf(c.diagnostics);
  }

  private void error(String code, Span span, String message) {
    diagnostics.add(source.diagnostic(code, Severity.ERROR, span, message));
  }

  private void warning(String code, Span span, String message) {
    diagnostics.add(source.diagnostic(code, Severity.WARNING, span, message));
  }

  // --- names -------------------------------------------------------------------------------

  private void checkNames() {
    Set<String> seenRoles = new HashSet<>();
    boolean seenZone = false;
    for (Statement s : file.statements()) {
      if (s instanceof Statement.TimezoneDecl tz) {
        if (seenZone) {
          error(Codes.DUPLICATE_TIME_ZONE, tz.span(), "the time zone is already declared");
        }
        seenZone = true;
        try {
          ZoneId.of(tz.zone().value());
        } catch (DateTimeException e) {
          error(Codes.UNKNOWN_TIME_ZONE, tz.zone().span(), "unknown time zone `" + tz.zone().value() + "`");
        }
      } else if (s instanceof RoleDecl r) {
        String n = r.name().value();
        if (!seenRoles.add(n)) {
          error(Codes.DUPLICATE_ROLE, r.name().span(), "role `" + n + "` is already defined");
        }
        if (Vocabulary.isAttributeWord(n)) {
          error(Codes.ROLE_SHADOWS_ATTRIBUTE, r.name().span(), "role `" + n + "` has the name of an attribute");
        }
        names(r.definition());
      }
      if (s instanceof Statement.Rule rule) {
        if (s instanceof AccessRule a) {
          actionNames(a.actions());
          if (!a.subjects().anyone()) {
            for (Name role : a.subjects().roles()) {
              if (!roles.containsKey(role.value())) {
                error(Codes.UNKNOWN_ROLE, role.span(), "unknown role `" + role.value() + "`" + roleHint());
              }
            }
          }
        } else if (s instanceof ApprovalRule ap) {
          actionNames(ap.actions());
        } else if (s instanceof Statement.MaskRule m && m.method() != null
            && !Vocabulary.MASK_METHODS.contains(m.method().value())) {
          error(Codes.UNKNOWN_MASK_METHOD, m.method().span(), "unknown mask method `" + m.method().value()
              + "`; expected one of " + String.join(", ", Vocabulary.MASK_METHODS));
        } else if (s instanceof Statement.RowFilterRule rf && rf.value() instanceof Condition.Path p) {
          Attribute a = Vocabulary.attribute(p.segments()).orElse(null);
          if (a == null || !Vocabulary.isIdentityAttribute(a)) {
            error(Codes.UNKNOWN_ATTRIBUTE, p.span(), "row filter values come from the identity "
                + "(identity.subject, identity.email, identity.tenant, identity.issuer, identity.groups, "
                + "identity.claims.NAME), not `" + p.dotted() + "`");
          }
        }
        guards(rule.guards(), this::names);
      }
    }
    roleCycles();
  }

  private String roleHint() {
    return roles.isEmpty() ? " (no roles are defined)" : "; defined roles: " + String.join(", ", roles.keySet());
  }

  private void actionNames(Actions actions) {
    for (Name n : actions.names()) {
      if (!Vocabulary.ACTIONS.contains(n.value()) && !Vocabulary.ACTION_CLASSES.containsKey(n.value())) {
        error(Codes.UNKNOWN_ACTION, n.span(), "unknown action `" + n.value() + "`");
      }
    }
  }

  private void names(Condition c) {
    if (c instanceof Condition.Or o) {
      o.parts().forEach(this::names);
    } else if (c instanceof Condition.And a) {
      a.parts().forEach(this::names);
    } else if (c instanceof Condition.Not n) {
      names(n.inner());
    } else if (c instanceof Condition.WeekdayIn w) {
      for (Name d : w.days()) {
        if (!Vocabulary.WEEKDAYS.containsKey(d.value())) {
          error(Codes.UNKNOWN_WEEKDAY, d.span(), "unknown weekday `" + d.value() + "`; expected one of "
              + String.join(", ", Vocabulary.WEEKDAY_ORDER));
        }
      }
    } else if (c instanceof Condition.Compare cmp) {
      operandName(cmp.left());
      operandName(cmp.right());
    } else if (c instanceof Condition.InList in) {
      operandName(in.left());
    } else if (c instanceof Condition.Truth t) {
      if (!(t.path().segments().size() == 1 && roles.containsKey(t.path().segments().get(0)))) {
        operandName(t.path());
      }
    }
  }

  private void operandName(Condition.Operand o) {
    if (o instanceof Condition.Path p && Vocabulary.attribute(p.segments()).isEmpty()) {
      if (p.segments().size() == 1 && roles.containsKey(p.dotted())) {
        return; // reported as a type error: a role is a condition, not a value
      }
      String hint = p.segments().size() == 1 ? " (not an attribute or a role)" : "";
      error(Codes.UNKNOWN_ATTRIBUTE, p.span(), "unknown attribute `" + p.dotted() + "`" + hint);
    }
  }

  private void roleCycles() {
    Map<String, Integer> state = new HashMap<>();
    for (RoleDecl r : roles.values()) {
      visitRole(r, state, new ArrayList<>());
    }
  }

  private void visitRole(RoleDecl r, Map<String, Integer> state, List<String> trail) {
    String n = r.name().value();
    Integer st = state.get(n);
    if (st != null && st == 2) {
      return;
    }
    if (st != null && st == 1) {
      List<String> cycle = new ArrayList<>(trail.subList(trail.indexOf(n), trail.size()));
      cycle.add(n);
      error(Codes.ROLE_CYCLE, r.name().span(), "roles are defined in terms of each other: "
          + String.join(" -> ", cycle));
      return;
    }
    state.put(n, 1);
    trail.add(n);
    for (String ref : roleRefs(r.definition(), new ArrayList<>())) {
      RoleDecl target = roles.get(ref);
      if (target != null) {
        visitRole(target, state, trail);
      }
    }
    trail.remove(trail.size() - 1);
    state.put(n, 2);
  }

  private List<String> roleRefs(Condition c, List<String> out) {
    if (c instanceof Condition.Or o) {
      o.parts().forEach(p -> roleRefs(p, out));
    } else if (c instanceof Condition.And a) {
      a.parts().forEach(p -> roleRefs(p, out));
    } else if (c instanceof Condition.Not n) {
      roleRefs(n.inner(), out);
    } else if (c instanceof Condition.Truth t
        && t.path().segments().size() == 1 && roles.containsKey(t.path().dotted())) {
      out.add(t.path().dotted());
    }
    return out;
  }

  private static void guards(Guards g, Consumer<Condition> f) {
    if (g.when() != null) {
      f.accept(g.when());
    }
    if (g.unless() != null) {
      f.accept(g.unless());
    }
  }

  // --- values ------------------------------------------------------------------------------

  private void checkValues() {
    for (Statement s : file.statements()) {
      if (s instanceof RoleDecl r) {
        values(r.definition());
      }
      if (!(s instanceof Statement.Rule rule)) {
        continue;
      }
      for (Str p : rule.target().patterns()) {
        if (p.value().isEmpty() || !ALLOWED_PATTERN.matcher(p.value()).matches()) {
          error(Codes.BAD_PATTERN, p.span(), "collection pattern `" + p.value()
              + "` must be non-empty and use only `*` and `?` as wildcards (no `[`, `]`, `{`, `}`, `\\`)");
        }
      }
      if (rule.reason() != null && !REASON_CODE.matcher(rule.reason().code().value()).matches()) {
        error(Codes.BAD_REASON_CODE, rule.reason().code().span(), "reason code `" + rule.reason().code().value()
            + "` must be snake_case: a lowercase letter, then lowercase letters, digits or `_` (at most 64)");
      }
      if (rule instanceof ApprovalRule a) {
          if (a.minApprovals() < 1 || a.minApprovals() > MAX_APPROVALS) {
            error(Codes.OUT_OF_RANGE, a.span(), "an approval needs between 1 and " + MAX_APPROVALS
                + " approvers, not " + a.minApprovals());
          }
          if (a.expires() != null && (a.expires().amount() < 1 || a.expires().amount() > MAX_EXPIRY_SECONDS
              || a.expires().seconds() > MAX_EXPIRY_SECONDS)) {
            error(Codes.OUT_OF_RANGE, a.span(), "approval expiry `" + a.expires() + "` must be between 1s and 30d");
          }
          for (Str g : a.approverGroups()) {
            emptyName(g, "approver group");
          }
      } else if (rule instanceof Statement.LimitCapRule c) {
          if (c.max() < 0 || c.max() > MAX_CAP) {
            error(Codes.OUT_OF_RANGE, c.span(), "a limit cap must be between 0 and " + MAX_CAP + ", not " + c.max());
          }
      } else if (rule instanceof Statement.MaskRule m) {
          for (Statement.FieldRef f : m.fields()) {
            if (f.field().isEmpty() || f.path().stream().anyMatch(String::isEmpty)) {
              error(Codes.EMPTY_NAME, f.span(), "a masked field and its path keys must not be empty");
            }
          }
      } else if (rule instanceof Statement.RowFilterRule rf) {
        emptyName(rf.column(), "row filter field");
        if (rf.missing() != null && !REASON_CODE.matcher(rf.missing().code().value()).matches()) {
          error(Codes.BAD_REASON_CODE, rf.missing().code().span(), "reason code `" + rf.missing().code().value()
              + "` must be snake_case: a lowercase letter, then lowercase letters, digits or `_` (at most 64)");
        }
        if (rf.missing() != null && !(rf.value() instanceof Condition.Path)) {
          error(Codes.ROW_FILTER_TYPE, rf.missing().code().span(), "`else deny` applies only to values taken "
              + "from the identity; a literal value is never missing");
        }
      } else if (rule instanceof Statement.AuditRule au) {
          Set<String> keys = new HashSet<>();
          for (Statement.Label l : au.labels()) {
            emptyName(l.key(), "label key");
            if (!keys.add(l.key().value())) {
              error(Codes.EMPTY_NAME, l.key().span(), "label `" + l.key().value() + "` is set twice");
            }
          }
      }
      guards(rule.guards(), this::values);
    }
  }

  private void emptyName(Str s, String what) {
    if (s.value().isEmpty()) {
      error(Codes.EMPTY_NAME, s.span(), "the " + what + " must not be empty");
    }
  }

  private void values(Condition c) {
    if (c instanceof Condition.Or o) {
      o.parts().forEach(this::values);
    } else if (c instanceof Condition.And a) {
      a.parts().forEach(this::values);
    } else if (c instanceof Condition.Not n) {
      values(n.inner());
    } else if (c instanceof Condition.TimeWindow t) {
        for (String clock : List.of(t.from(), t.to())) {
          if (!CLOCK.matcher(clock).matches()) {
            error(Codes.BAD_CLOCK, t.span(), "`" + clock + "` is not a time of day between 00:00 and 23:59");
          }
        }
        if (t.from().equals(t.to())) {
          error(Codes.BAD_CLOCK, t.span(), "the time window `" + t.from() + "`-`" + t.to() + "` is empty");
        }
    } else if (c instanceof Condition.InGroup g) {
      emptyName(g.group(), "group name");
    }
  }

  // --- types -------------------------------------------------------------------------------

  private void checkTypes() {
    for (Statement s : file.statements()) {
      if (s instanceof RoleDecl r) {
        types(r.definition());
      } else if (s instanceof Statement.Rule rule) {
        guards(rule.guards(), this::types);
        if (rule instanceof Statement.RowFilterRule rf) {
          rowFilterType(rf);
        }
      }
    }
  }

  private void rowFilterType(Statement.RowFilterRule rf) {
    boolean listOp = rf.op() == Statement.RowOp.IN || rf.op() == Statement.RowOp.NOT_IN;
    Condition.Operand v = rf.value();
    if (v instanceof Condition.ListLit l) {
      if (!listOp) {
        error(Codes.ROW_FILTER_TYPE, v.span(), "`" + rf.op().dsl + "` compares with one value, not a list; use `in`");
      }
      Set<Type> types = new HashSet<>();
      l.values().forEach(x -> types.add(literalType(x)));
      if (types.size() > 1) {
        error(Codes.ROW_FILTER_TYPE, v.span(), "the list mixes values of different types");
      }
      if (l.values().isEmpty()) {
        error(Codes.ROW_FILTER_TYPE, v.span(), "the list of row filter values is empty");
      }
    } else if (v instanceof Condition.Literal) {
      if (listOp) {
        error(Codes.ROW_FILTER_TYPE, v.span(), "`" + rf.op().dsl + "` needs a list of values");
      }
    } else if (v instanceof Condition.Path p) {
      Attribute a = Vocabulary.attribute(p.segments()).orElse(null);
      if (a != null && Vocabulary.isIdentityAttribute(a)) {
        boolean isList = a.type() == Type.STRING_LIST;
        if (listOp && !isList && a.type() != Type.DYNAMIC) {
          error(Codes.ROW_FILTER_TYPE, v.span(), "`" + rf.op().dsl + "` needs a list, but `" + p.dotted() + "` is "
              + a.type().description);
        } else if (!listOp && isList) {
          error(Codes.ROW_FILTER_TYPE, v.span(), "`" + rf.op().dsl + "` needs one value, but `" + p.dotted()
              + "` is a list; use `in`");
        }
      }
    }
  }

  private void types(Condition c) {
    if (c instanceof Condition.Or o) {
      o.parts().forEach(this::types);
    } else if (c instanceof Condition.And a) {
      a.parts().forEach(this::types);
    } else if (c instanceof Condition.Not n) {
      types(n.inner());
    } else if (c instanceof Condition.Truth t) {
        if (isRole(t.path())) {
          return;
        }
        Type type = typeOf(t.path());
        if (type != null && type != Type.BOOL && type != Type.DYNAMIC) {
          error(Codes.TYPE_ERROR, t.span(), "`" + t.path().dotted() + "` is " + type.description
              + ", not a condition; compare it with a value");
        }
    } else if (c instanceof Condition.Compare cmp) {
        if (cmp.left() instanceof Condition.Literal && cmp.right() instanceof Condition.Literal) {
          error(Codes.TYPE_ERROR, cmp.span(), "`" + text(cmp.left()) + " " + cmp.op().symbol + " "
              + text(cmp.right()) + "` compares two constants; compare an attribute with a value");
          return;
        }
        Type l = typeOf(cmp.left());
        Type r = typeOf(cmp.right());
        if (l == null || r == null) {
          return;
        }
        if (l == Type.STRING_LIST || r == Type.STRING_LIST) {
          error(Codes.TYPE_ERROR, cmp.span(), "a list cannot be compared; use `group \"name\"` for group membership");
          return;
        }
        if (cmp.op().ordering()) {
          for (Condition.Operand o : List.of(cmp.left(), cmp.right())) {
            Type t = typeOf(o);
            if (t != Type.NUMBER && t != Type.DYNAMIC) {
              error(Codes.TYPE_ERROR, o.span(), "`" + cmp.op().symbol + "` compares numbers, but `" + text(o)
                  + "` is " + t.description);
            }
          }
        } else if (l != r && l != Type.DYNAMIC && r != Type.DYNAMIC) {
          error(Codes.TYPE_ERROR, cmp.span(), "cannot compare " + l.description + " (`" + text(cmp.left())
              + "`) with " + r.description + " (`" + text(cmp.right()) + "`)");
        }
    } else if (c instanceof Condition.InList in) {
        Type l = typeOf(in.left());
        if (l == null) {
          return;
        }
        if (l == Type.STRING_LIST) {
          error(Codes.TYPE_ERROR, in.left().span(), "`" + text(in.left()) + "` is a list; use `group \"name\"`");
          return;
        }
        if (in.values().isEmpty()) {
          error(Codes.TYPE_ERROR, in.span(), "the list is empty");
        }
        for (Condition.Literal v : in.values()) {
          Type t = literalType(v);
          if (l != Type.DYNAMIC && t != l) {
            error(Codes.TYPE_ERROR, v.span(), "`" + text(in.left()) + "` is " + l.description + ", but `"
                + text(v) + "` is " + t.description);
          }
        }
    }
  }

  private boolean isRole(Condition.Path p) {
    return p.segments().size() == 1 && roles.containsKey(p.dotted())
        && Vocabulary.attribute(p.segments()).isEmpty();
  }

  /** The operand's static type; null when unknown (already reported) or a role (reported here). */
  private Type typeOf(Condition.Operand o) {
    if (o instanceof Condition.Literal l) {
      return literalType(l);
    }
    if (o instanceof Condition.Path p) {
      if (isRole(p)) {
        error(Codes.TYPE_ERROR, p.span(), "role `" + p.dotted() + "` is a condition, not a value");
        return null;
      }
      return Vocabulary.attribute(p.segments()).map(Attribute::type).orElse(null);
    }
    return Type.STRING_LIST;
  }

  static Type literalType(Condition.Literal l) {
    if (l instanceof Condition.StrLit) {
      return Type.STRING;
    }
    return l instanceof Condition.NumLit ? Type.NUMBER : Type.BOOL;
  }

  private static String text(Condition.Operand o) {
    if (o instanceof Condition.Path p) {
      return p.dotted();
    } else if (o instanceof Condition.StrLit s) {
      return "\"" + s.value() + "\"";
    } else if (o instanceof Condition.NumLit n) {
      return Long.toString(n.value());
    } else if (o instanceof Condition.BoolLit b) {
      return Boolean.toString(b.value());
    }
    return "[...]";
  }

  // --- rules -------------------------------------------------------------------------------

  private void checkRules() {
    List<Statement.Rule> rules = new ArrayList<>();
    for (Statement s : file.statements()) {
      if (s instanceof Statement.Rule r) {
        rules.add(r);
      }
    }
    Map<Statement.Rule, Statement.Rule> firstOfKind = new HashMap<>();
    for (Statement.Rule r : rules) {
      Statement.Rule key = withoutMeta(r);
      Statement.Rule first = firstOfKind.putIfAbsent(key, r);
      if (first != null) {
        warning(Codes.DUPLICATE_RULE, r.span(), "this rule repeats the rule at line " + first.span().line());
      }
    }
    Set<String> allowed = new HashSet<>();
    boolean allowsAny = false;
    for (Statement.Rule r : rules) {
      if (r instanceof AccessRule a && a.effect() == Effect.ALLOW) {
        if (a.actions().any()) {
          allowsAny = true;
        }
        allowed.addAll(Vocabulary.expandActions(a.actions().names().stream().map(Name::value).toList()));
        for (Statement.Rule other : rules) {
          if (other instanceof AccessRule d && d.effect() == Effect.DENY && covers(d, a)) {
            warning(Codes.UNREACHABLE_ALLOW, a.span(), "this allow never takes effect: the deny at line "
                + d.span().line() + " always applies to the same requests and deny overrides allow");
            break;
          }
        }
      }
    }
    for (Statement.Rule r : rules) {
      if (r instanceof ApprovalRule ap && !allowsAny) {
        Set<String> acts = ap.actions().any() ? Vocabulary.ACTIONS
            : Vocabulary.expandActions(ap.actions().names().stream().map(Name::value).toList());
        if (!acts.isEmpty() && acts.stream().noneMatch(allowed::contains)) {
          warning(Codes.APPROVAL_NEVER_ALLOWED, ap.span(), "no allow rule of this policy allows these actions, "
              + "so the approval applies only if another policy file allows them");
        }
      }
    }
  }

  /** An unconditional deny covers an allow when its actions, collections and subjects include the allow's. */
  private static boolean covers(AccessRule deny, AccessRule allow) {
    if (deny.guards().when() != null || deny.guards().unless() != null) {
      return false;
    }
    boolean actions = deny.actions().any() || (!allow.actions().any()
        && Vocabulary.expandActions(deny.actions().names().stream().map(Name::value).toList())
            .containsAll(Vocabulary.expandActions(allow.actions().names().stream().map(Name::value).toList())));
    boolean target = deny.target().any() || (!allow.target().any()
        && deny.target().patterns().stream().map(Str::value).toList()
            .containsAll(allow.target().patterns().stream().map(Str::value).toList()));
    Subjects ds = deny.subjects();
    boolean subjects = ds.anyone() || (!allow.subjects().anyone()
        && ds.roles().stream().map(Name::value).toList()
            .containsAll(allow.subjects().roles().stream().map(Name::value).toList()));
    return actions && target && subjects;
  }

  /** The rule with comments removed (spans never take part in equality). */
  private static Statement.Rule withoutMeta(Statement.Rule r) {
    if (r instanceof AccessRule a) {
      return new AccessRule(a.effect(), a.actions(), a.target(), a.subjects(), a.guards(), a.reason(),
          List.of(), Span.NONE);
    } else if (r instanceof ApprovalRule a) {
      return new ApprovalRule(a.minApprovals(), a.approverGroups(), a.expires(), a.actions(),
          a.target(), a.guards(), a.reason(), List.of(), Span.NONE);
    } else if (r instanceof Statement.MaskRule m) {
      return new Statement.MaskRule(m.fields(), m.method(), m.target(), m.guards(), m.reason(), List.of(), Span.NONE);
    } else if (r instanceof Statement.StripVectorsRule s) {
      return new Statement.StripVectorsRule(s.target(), s.guards(), s.reason(), List.of(), Span.NONE);
    } else if (r instanceof Statement.RowFilterRule f) {
      return new Statement.RowFilterRule(f.column(), f.op(), f.value(), f.target(), f.guards(), f.reason(),
          f.missing(), List.of(), Span.NONE);
    } else if (r instanceof Statement.LimitCapRule c) {
      return new Statement.LimitCapRule(c.max(), c.denyOver(), c.target(), c.guards(), c.reason(), List.of(),
          Span.NONE);
    }
    Statement.AuditRule a = (Statement.AuditRule) r;
    return new Statement.AuditRule(a.labels(), a.withoutPayloads(), a.withVectors(), a.target(), a.guards(),
        a.reason(), List.of(), Span.NONE);
  }
}
