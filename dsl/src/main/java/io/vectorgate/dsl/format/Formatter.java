package io.vectorgate.dsl.format;

import io.vectorgate.dsl.ast.Actions;
import io.vectorgate.dsl.ast.Condition;
import io.vectorgate.dsl.ast.Guards;
import io.vectorgate.dsl.ast.Name;
import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.ast.ReasonSpec;
import io.vectorgate.dsl.ast.Statement;

import io.vectorgate.dsl.ast.Subjects;
import io.vectorgate.dsl.ast.Target;
import io.vectorgate.dsl.parse.VectorgatePolicyLexer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Prints an AST as canonical policy text: one statement per line, comments on their own lines
 * above the statement they preceded, a blank line before each commented statement, keywords and
 * clauses in one fixed order. {@code parse(format(ast))} equals {@code ast}.
 */
public final class Formatter {
  private static final Pattern IDENT = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  /** Keywords that the grammar also accepts as field names and path segments. */
  private static final Set<String> SOFT_KEYWORDS = Set.of("filter", "vectors", "limit", "rows", "action",
      "collection", "label", "payloads", "approval", "version", "policy", "role", "cap", "audit", "strip", "mask");
  private static final Set<String> KEYWORDS = new HashSet<>();

  static {
    for (int t = 1; t <= VectorgatePolicyLexer.VOCABULARY.getMaxTokenType(); t++) {
      String literal = VectorgatePolicyLexer.VOCABULARY.getLiteralName(t);
      if (literal != null && literal.length() > 2 && Character.isLetter(literal.charAt(1))) {
        KEYWORDS.add(literal.substring(1, literal.length() - 1));
      }
    }
  }

  private Formatter() {}

  /** The canonical text of a policy file, ending in a newline. */
  public static String format(PolicyFile file) {
    StringBuilder out = new StringBuilder();
    comments(out, file.headerComments());
    out.append("policy ").append(quote(file.name().value())).append(" version ").append(file.version()).append('\n');
    boolean first = true;
    for (Statement s : file.statements()) {
      if (first || !s.comments().isEmpty()) {
        out.append('\n');
      }
      first = false;
      comments(out, s.comments());
      out.append(statement(s)).append('\n');
    }
    if (!file.trailingComments().isEmpty()) {
      out.append('\n');
      comments(out, file.trailingComments());
    }
    return out.toString();
  }

  private static void comments(StringBuilder out, List<String> comments) {
    for (String c : comments) {
      out.append(c.isEmpty() ? "#" : "# " + c).append('\n');
    }
  }

  /** One statement on one line, without its comments. */
  public static String statement(Statement s) {
    StringBuilder b = new StringBuilder();
    if (s instanceof Statement.TimezoneDecl tz) {
      b.append("timezone ").append(quote(tz.zone().value()));
    } else if (s instanceof Statement.RoleDecl r) {
      b.append("role ").append(r.name().value()).append(" = ").append(condition(r.definition()));
    } else if (s instanceof Statement.AccessRule a) {
      b.append(a.effect().keyword()).append(' ').append(actions(a.actions()));
      b.append(' ').append(target(a.target(), true));
      b.append(' ').append(subjects(a.subjects()));
    } else if (s instanceof Statement.ApprovalRule a) {
      b.append("require ");
      b.append(a.minApprovals() == 1 ? "approval" : a.minApprovals() + " approvals");
      b.append(" from ").append(a.approverGroups().stream().map(g -> "group " + quote(g.value()))
          .collect(Collectors.joining(", ")));
      if (a.expires() != null) {
        b.append(" expires after ").append(a.expires());
      }
      b.append(" for ").append(actions(a.actions()));
      b.append(target(a.target(), false));
    } else if (s instanceof Statement.MaskRule m) {
      b.append("mask ").append(m.fields().stream().map(Formatter::fieldRef).collect(Collectors.joining(", ")));
      if (m.method() != null) {
        b.append(" using ").append(m.method().value());
      }
      b.append(target(m.target(), false));
    } else if (s instanceof Statement.StripVectorsRule v) {
      b.append("strip vectors").append(target(v.target(), false));
    } else if (s instanceof Statement.RowFilterRule f) {
      b.append("filter rows ").append(fieldName(f.column().value())).append(' ').append(f.op().dsl).append(' ')
          .append(operand(f.value())).append(target(f.target(), false));
    } else if (s instanceof Statement.LimitCapRule c) {
      b.append("cap limit ").append(c.max()).append(c.denyOver() ? " or deny" : "").append(target(c.target(), false));
    } else if (s instanceof Statement.AuditRule a) {
      b.append("audit");
      if (!a.labels().isEmpty()) {
        b.append(" label ").append(a.labels().stream()
            .map(l -> quote(l.key().value()) + " = " + quote(l.value().value())).collect(Collectors.joining(", ")));
      }
      if (a.withoutPayloads()) {
        b.append(" without payloads");
      }
      if (a.withVectors()) {
        b.append(" with vectors");
      }
      b.append(target(a.target(), false));
    }
    if (s instanceof Statement.Rule r) {
      b.append(guards(r.guards())).append(reason(r.reason()));
    }
    if (s instanceof Statement.RowFilterRule f && f.missing() != null) {
      b.append(" else deny").append(reason(f.missing()));
    }
    return b.toString();
  }

  private static String actions(Actions a) {
    return a.any() ? "any action" : a.names().stream().map(Name::value).collect(Collectors.joining(", "));
  }

  /** For allow/deny the target is always written ({@code on any collection}); elsewhere it is left out when any. */
  private static String target(Target t, boolean explicit) {
    if (t.any()) {
      return explicit ? "on any collection" : "";
    }
    String patterns = t.patterns().stream().map(p -> quote(p.value())).collect(Collectors.joining(", "));
    return (explicit ? "" : " ") + "on collection " + patterns;
  }

  private static String subjects(Subjects s) {
    return s.anyone() ? "for anyone" : "for " + s.roles().stream().map(Name::value).collect(Collectors.joining(", "));
  }

  private static String guards(Guards g) {
    String out = "";
    if (g.when() != null) {
      out += " when " + condition(g.when());
    }
    if (g.unless() != null) {
      out += " unless " + condition(g.unless());
    }
    return out;
  }

  private static String reason(ReasonSpec r) {
    if (r == null) {
      return "";
    }
    return " reason " + quote(r.code().value()) + (r.message() == null ? "" : " " + quote(r.message().value()));
  }

  private static String fieldRef(Statement.FieldRef f) {
    StringBuilder b = new StringBuilder(fieldName(f.field()));
    for (String p : f.path()) {
      b.append('.').append(fieldName(p));
    }
    return b.toString();
  }

  private static String fieldName(String name) {
    boolean bare = IDENT.matcher(name).matches() && (!KEYWORDS.contains(name) || SOFT_KEYWORDS.contains(name));
    return bare ? name : quote(name);
  }

  /** A condition in canonical form; compound parts of compound conditions are parenthesized. */
  public static String condition(Condition c) {
    if (c instanceof Condition.Or o) {
      return o.parts().stream().map(Formatter::part).collect(Collectors.joining(" or "));
    }
    if (c instanceof Condition.And a) {
      return a.parts().stream().map(Formatter::part).collect(Collectors.joining(" and "));
    }
    if (c instanceof Condition.Not n) {
      return "not " + part(n.inner());
    }
    if (c instanceof Condition.InGroup g) {
      return "group " + quote(g.group().value());
    }
    if (c instanceof Condition.TimeWindow t) {
      return "time between " + t.from() + " and " + t.to();
    }
    if (c instanceof Condition.WeekdayIn w) {
      return "weekday in [" + w.days().stream().map(Name::value).collect(Collectors.joining(", ")) + "]";
    }
    if (c instanceof Condition.Compare cmp) {
      return operand(cmp.left()) + " " + cmp.op().symbol + " " + operand(cmp.right());
    }
    if (c instanceof Condition.InList in) {
      return operand(in.left()) + (in.negated() ? " not in " : " in ") + list(in.values());
    }
    return ((Condition.Truth) c).path().dotted();
  }

  private static String part(Condition c) {
    boolean compound = c instanceof Condition.Or || c instanceof Condition.And;
    return compound ? "(" + condition(c) + ")" : condition(c);
  }

  private static String operand(Condition.Operand o) {
    if (o instanceof Condition.Path p) {
      return p.dotted();
    }
    if (o instanceof Condition.ListLit l) {
      return list(l.values());
    }
    return literal((Condition.Literal) o);
  }

  private static String list(List<Condition.Literal> values) {
    return "[" + values.stream().map(Formatter::literal).collect(Collectors.joining(", ")) + "]";
  }

  private static String literal(Condition.Literal l) {
    if (l instanceof Condition.StrLit s) {
      return quote(s.value());
    }
    if (l instanceof Condition.NumLit n) {
      return Long.toString(n.value());
    }
    return Boolean.toString(((Condition.BoolLit) l).value());
  }

  /** A string literal with {@code \}, {@code "}, newline and tab escaped. */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> b.append(ch);
      }
    }
    return b.append('"').toString();
  }

}
