package io.vectorgate.dsl.ast;

import java.util.List;

/** A boolean condition in {@code when}, {@code unless} and role definitions. */
public sealed interface Condition
    permits Condition.Or, Condition.And, Condition.Not, Condition.InGroup, Condition.TimeWindow,
        Condition.WeekdayIn, Condition.Compare, Condition.InList, Condition.Truth {

  Span span();

  /** Any of the parts holds (at least two parts). */
  record Or(List<Condition> parts, Span span) implements Condition {
    public Or {
      parts = List.copyOf(parts);
    }
  }

  /** All parts hold (at least two parts). */
  record And(List<Condition> parts, Span span) implements Condition {
    public And {
      parts = List.copyOf(parts);
    }
  }

  /** The inner condition does not hold. */
  record Not(Condition inner, Span span) implements Condition {}

  /** {@code group "name"}: the caller is a member of the group. */
  record InGroup(Str group, Span span) implements Condition {}

  /**
   * {@code time between HH:MM and HH:MM}: the request time, in the policy's time zone, is at or after
   * {@code from} and before {@code to}; a window whose end is before its start runs over midnight.
   */
  record TimeWindow(String from, String to, Span span) implements Condition {}

  /** {@code weekday in [mon, tue]}: the request's weekday in the policy's time zone. */
  record WeekdayIn(List<Name> days, Span span) implements Condition {
    public WeekdayIn {
      days = List.copyOf(days);
    }
  }

  /** Comparison operators. */
  enum CmpOp {
    EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

    public final String symbol;

    CmpOp(String symbol) {
      this.symbol = symbol;
    }

    public boolean ordering() {
      return this == LT || this == LE || this == GT || this == GE;
    }
  }

  /** {@code left OP right}. */
  record Compare(Operand left, CmpOp op, Operand right, Span span) implements Condition {}

  /** {@code left [not] in [v1, v2]}. */
  record InList(Operand left, boolean negated, List<Literal> values, Span span) implements Condition {
    public InList {
      values = List.copyOf(values);
    }
  }

  /** A bare path: a boolean attribute ({@code filter}, {@code vectors}) or a role name. */
  record Truth(Path path, Span span) implements Condition {}

  /** A value in a comparison. */
  sealed interface Operand permits Path, Literal, ListLit {
    Span span();
  }

  /** An attribute path such as {@code ids} or {@code identity.claims.level}. */
  record Path(List<String> segments, Span span) implements Operand {
    public Path {
      segments = List.copyOf(segments);
    }

    public String dotted() {
      return String.join(".", segments);
    }
  }

  /** A list of literals (row filter values). */
  record ListLit(List<Literal> values, Span span) implements Operand {
    public ListLit {
      values = List.copyOf(values);
    }
  }

  /** A literal value. */
  sealed interface Literal extends Operand permits StrLit, NumLit, BoolLit {}

  /** A string literal. */
  record StrLit(String value, Span span) implements Literal {}

  /** An integer literal. */
  record NumLit(long value, Span span) implements Literal {}

  /** {@code true} or {@code false}. */
  record BoolLit(boolean value, Span span) implements Literal {}
}
