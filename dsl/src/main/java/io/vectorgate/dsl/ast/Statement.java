package io.vectorgate.dsl.ast;

import java.util.List;

/** One top-level statement of a policy file. {@code comments} are the comment lines before it. */
public sealed interface Statement
    permits Statement.TimezoneDecl, Statement.RoleDecl, Statement.Rule {

  Span span();

  List<String> comments();

  /** Rules that contribute to the decision (everything except declarations). */
  sealed interface Rule extends Statement
      permits AccessRule, ApprovalRule, MaskRule, StripVectorsRule, RowFilterRule, LimitCapRule, AuditRule {
    Target target();

    Guards guards();

    ReasonSpec reason();
  }

  /** {@code timezone "Europe/Berlin"}: the zone time windows are read in (default UTC). */
  record TimezoneDecl(Str zone, List<String> comments, Span span) implements Statement {
    public TimezoneDecl {
      comments = List.copyOf(comments);
    }
  }

  /** {@code role NAME = condition}. */
  record RoleDecl(Name name, Condition definition, List<String> comments, Span span) implements Statement {
    public RoleDecl {
      comments = List.copyOf(comments);
    }
  }

  /** allow or deny. */
  enum Effect {
    ALLOW, DENY;

    public String keyword() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** {@code allow|deny ACTIONS on TARGET for SUBJECTS when C unless U reason R}. */
  record AccessRule(Effect effect, Actions actions, Target target, Subjects subjects, Guards guards,
      ReasonSpec reason, List<String> comments, Span span) implements Rule {
    public AccessRule {
      comments = List.copyOf(comments);
    }
  }

  /** A duration written as amount and unit (s, m, h, d). */
  record DurationLit(long amount, char unit) {
    public long seconds() {
      return switch (unit) {
        case 's' -> amount;
        case 'm' -> amount * 60;
        case 'h' -> amount * 3600;
        case 'd' -> amount * 86400;
        default -> throw new IllegalStateException("unit " + unit);
      };
    }

    @Override
    public String toString() {
      return amount + String.valueOf(unit);
    }
  }

  /**
   * {@code require N approvals from group "a", group "b" expires after 1h for ACTIONS on TARGET
   * when C unless U reason R}. {@code expires} may be null (the contract's default applies).
   */
  record ApprovalRule(int minApprovals, List<Str> approverGroups, DurationLit expires, Actions actions,
      Target target, Guards guards, ReasonSpec reason, List<String> comments, Span span) implements Rule {
    public ApprovalRule {
      approverGroups = List.copyOf(approverGroups);
      comments = List.copyOf(comments);
    }
  }

  /** A response field to mask: the field and a path of keys inside its JSON value. */
  record FieldRef(String field, List<String> path, Span span) {
    public FieldRef {
      path = List.copyOf(path);
    }
  }

  /** {@code mask F1, F2 using METHOD on TARGET when C unless U reason R}; method null = redact. */
  record MaskRule(List<FieldRef> fields, Name method, Target target, Guards guards, ReasonSpec reason,
      List<String> comments, Span span) implements Rule {
    public MaskRule {
      fields = List.copyOf(fields);
      comments = List.copyOf(comments);
    }
  }

  /** {@code strip vectors on TARGET when C unless U reason R}. */
  record StripVectorsRule(Target target, Guards guards, ReasonSpec reason, List<String> comments, Span span)
      implements Rule {
    public StripVectorsRule {
      comments = List.copyOf(comments);
    }
  }

  /** Row filter operators. */
  enum RowOp {
    EQ("==", "eq"), NE("!=", "ne"), IN("in", "in"), NOT_IN("not in", "not_in");

    public final String dsl;
    public final String wire;

    RowOp(String dsl, String wire) {
      this.dsl = dsl;
      this.wire = wire;
    }
  }

  /**
   * {@code filter rows COLUMN OP VALUE on TARGET when C unless U reason R [else deny reason M]};
   * value is a literal, a list of literals, or an identity attribute path. {@code missing} (may be
   * null) is the reason of the deny added when the identity lacks the value.
   */
  record RowFilterRule(Str column, RowOp op, Condition.Operand value, Target target, Guards guards,
      ReasonSpec reason, ReasonSpec missing, List<String> comments, Span span) implements Rule {
    public RowFilterRule {
      comments = List.copyOf(comments);
    }
  }

  /** {@code cap limit N [or deny] on TARGET when C unless U reason R}. */
  record LimitCapRule(long max, boolean denyOver, Target target, Guards guards, ReasonSpec reason,
      List<String> comments, Span span) implements Rule {
    public LimitCapRule {
      comments = List.copyOf(comments);
    }
  }

  /** A label key and value. */
  record Label(Str key, Str value) {}

  /** {@code audit label "k" = "v" without payloads with vectors on TARGET when C unless U reason R}. */
  record AuditRule(List<Label> labels, boolean withoutPayloads, boolean withVectors, Target target,
      Guards guards, ReasonSpec reason, List<String> comments, Span span) implements Rule {
    public AuditRule {
      labels = List.copyOf(labels);
      comments = List.copyOf(comments);
    }
  }
}
