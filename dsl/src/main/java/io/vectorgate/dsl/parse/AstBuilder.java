package io.vectorgate.dsl.parse;

import io.vectorgate.dsl.ast.Actions;
import io.vectorgate.dsl.ast.Condition;
import io.vectorgate.dsl.ast.Guards;
import io.vectorgate.dsl.ast.Name;
import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.ast.ReasonSpec;
import io.vectorgate.dsl.ast.Span;
import io.vectorgate.dsl.ast.Statement;
import io.vectorgate.dsl.ast.Str;
import io.vectorgate.dsl.ast.Subjects;
import io.vectorgate.dsl.ast.Target;
import io.vectorgate.dsl.diag.Codes;
import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.diag.Severity;
import io.vectorgate.dsl.diag.SourceText;
import io.vectorgate.dsl.parse.VectorgatePolicyParser.*;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.tree.TerminalNode;

/** Turns a syntax-error-free parse tree into AST records with spans. */
final class AstBuilder {
  private final SourceText source;
  private final TokenStream tokens;
  private final List<Diagnostic> diagnostics = new ArrayList<>();
  private int commentCursor = 0;

  AstBuilder(SourceText source, TokenStream tokens) {
    this.source = source;
    this.tokens = tokens;
  }

  List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  PolicyFile build(PolicyFileContext ctx) {
    HeaderContext h = ctx.header();
    List<String> headerComments = commentsBefore(h.getStop().getTokenIndex());
    List<Statement> statements = new ArrayList<>();
    for (StatementContext s : ctx.statement()) {
      List<String> comments = new ArrayList<>(commentsBefore(s.getStop().getTokenIndex()));
      comments.addAll(commentsOnLineOf(s.getStop()));
      statements.add(statement(s, comments));
    }
    List<String> trailing = commentsBefore(tokens.size());
    return new PolicyFile(str(h.STRING()), number(h.INT()), statements, headerComments, trailing, span(ctx));
  }

  /** A comment right after {@code stop} on the same line belongs to that statement. */
  private List<String> commentsOnLineOf(Token stop) {
    List<String> out = new ArrayList<>();
    int i = stop.getTokenIndex() + 1;
    while (i < tokens.size()) {
      Token t = tokens.get(i);
      if (t.getType() != VectorgatePolicyLexer.COMMENT || t.getLine() != stop.getLine()) {
        break;
      }
      out.add(t.getText().substring(1).strip());
      i++;
    }
    commentCursor = Math.max(commentCursor, i);
    return out;
  }

  /** Comments from the cursor up to (not including) token {@code index}, in order. */
  private List<String> commentsBefore(int index) {
    List<String> out = new ArrayList<>();
    int end = Math.min(index, tokens.size());
    for (int i = commentCursor; i < end; i++) {
      Token t = tokens.get(i);
      if (t.getType() == VectorgatePolicyLexer.COMMENT) {
        out.add(t.getText().substring(1).strip());
      }
    }
    commentCursor = Math.max(commentCursor, end);
    return out;
  }

  private Statement statement(StatementContext s, List<String> comments) {
    Span span = span(s);
    if (s instanceof TimezoneStmtContext c) {
      return new Statement.TimezoneDecl(str(c.STRING()), comments, span);
    }
    if (s instanceof RoleStmtContext c) {
      return new Statement.RoleDecl(name(c.IDENT()), condition(c.condition()), comments, span);
    }
    if (s instanceof AccessStmtContext c) {
      Statement.Effect effect = c.effect.getType() == VectorgatePolicyLexer.ALLOW
          ? Statement.Effect.ALLOW : Statement.Effect.DENY;
      return new Statement.AccessRule(effect, actions(c.actions()), target(c.target()), subjects(c.subjects()),
          guards(c.guards()), reason(c.reason()), comments, span);
    }
    if (s instanceof ApprovalStmtContext c) {
      int count = c.count == null ? 1 : (int) Math.min(Integer.MAX_VALUE, number(c.count));
      List<Str> groups = c.groupRef().stream().map(g -> str(g.STRING())).toList();
      Statement.DurationLit expires = null;
      if (c.DURATION() != null) {
        String d = c.DURATION().getText();
        expires = new Statement.DurationLit(number(c.DURATION(), d.substring(0, d.length() - 1)),
            d.charAt(d.length() - 1));
      }
      return new Statement.ApprovalRule(count, groups, expires, actions(c.actions()), target(c.target()),
          guards(c.guards()), reason(c.reason()), comments, span);
    }
    if (s instanceof MaskStmtContext c) {
      List<Statement.FieldRef> fields = new ArrayList<>();
      for (FieldRefContext f : c.fieldRef()) {
        List<String> parts = f.fieldName().stream().map(this::fieldName).toList();
        fields.add(new Statement.FieldRef(parts.get(0), parts.subList(1, parts.size()), span(f)));
      }
      Name method = c.method == null ? null : new Name(c.method.getText(), span(c.method));
      return new Statement.MaskRule(fields, method, target(c.target()), guards(c.guards()), reason(c.reason()),
          comments, span);
    }
    if (s instanceof StripStmtContext c) {
      return new Statement.StripVectorsRule(target(c.target()), guards(c.guards()), reason(c.reason()),
          comments, span);
    }
    if (s instanceof RowFilterStmtContext c) {
      Str column = new Str(fieldName(c.column), span(c.column));
      Statement.RowOp op = switch (c.rowOp().getText()) {
        case "==" -> Statement.RowOp.EQ;
        case "!=" -> Statement.RowOp.NE;
        case "in" -> Statement.RowOp.IN;
        default -> Statement.RowOp.NOT_IN;
      };
      RowValueContext v = c.rowValue();
      Condition.Operand value = v.literal() != null ? literal(v.literal())
          : v.list() != null ? list(v.list()) : path(v.path());
      return new Statement.RowFilterRule(column, op, value, target(c.target()), guards(c.guards()),
          reason(c.given), c.missing == null ? null : reason(c.missing), comments, span);
    }
    if (s instanceof CapStmtContext c) {
      return new Statement.LimitCapRule(number(c.max), c.OR() != null, target(c.target()), guards(c.guards()),
          reason(c.reason()), comments, span);
    }
    if (s instanceof AuditStmtContext c) {
      List<Statement.Label> labels = c.labelPair().stream()
          .map(l -> new Statement.Label(str(l.STRING(0)), str(l.STRING(1)))).toList();
      return new Statement.AuditRule(labels, c.WITHOUT() != null, c.WITH() != null, target(c.target()),
          guards(c.guards()), reason(c.reason()), comments, span);
    }
    throw new IllegalStateException("statement kind not handled: " + s.getClass().getSimpleName());
  }

  private Actions actions(ActionsContext c) {
    if (c.ANY() != null) {
      return new Actions(true, List.of(), span(c));
    }
    return new Actions(false, c.IDENT().stream().map(this::name).toList(), span(c));
  }

  private Target target(TargetContext c) {
    if (c == null) {
      return Target.ANY;
    }
    if (c.ANY() != null) {
      return new Target(true, List.of(), span(c));
    }
    return new Target(false, c.STRING().stream().map(this::str).toList(), span(c));
  }

  private Subjects subjects(SubjectsContext c) {
    if (c == null) {
      return Subjects.ANYONE;
    }
    if (c.ANYONE() != null) {
      return new Subjects(true, List.of(), span(c));
    }
    return new Subjects(false, c.IDENT().stream().map(this::name).toList(), span(c));
  }

  private Guards guards(GuardsContext c) {
    return new Guards(c.whenCond == null ? null : condition(c.whenCond),
        c.unlessCond == null ? null : condition(c.unlessCond));
  }

  private ReasonSpec reason(ReasonContext c) {
    if (c == null) {
      return null;
    }
    return new ReasonSpec(str(c.code), c.message == null ? null : str(c.message));
  }

  private Condition condition(ConditionContext c) {
    List<Condition> parts = c.andCond().stream().map(this::and).toList();
    return parts.size() == 1 ? parts.get(0) : new Condition.Or(parts, span(c));
  }

  private Condition and(AndCondContext c) {
    List<Condition> parts = c.notCond().stream().map(this::not).toList();
    return parts.size() == 1 ? parts.get(0) : new Condition.And(parts, span(c));
  }

  private Condition not(NotCondContext c) {
    if (c.NOT() != null) {
      return new Condition.Not(not(c.notCond()), span(c));
    }
    return atom(c.atom());
  }

  private Condition atom(AtomContext a) {
    Span span = span(a);
    if (a instanceof ParenAtomContext p) {
      return condition(p.condition());
    }
    if (a instanceof GroupAtomContext g) {
      return new Condition.InGroup(str(g.STRING()), span);
    }
    if (a instanceof TimeAtomContext t) {
      return new Condition.TimeWindow(t.from.getText(), t.to.getText(), span);
    }
    if (a instanceof WeekdayAtomContext w) {
      return new Condition.WeekdayIn(w.IDENT().stream().map(this::name).toList(), span);
    }
    if (a instanceof CompareAtomContext c) {
      Condition.CmpOp op = switch (c.cmpOp().getText()) {
        case "==" -> Condition.CmpOp.EQ;
        case "!=" -> Condition.CmpOp.NE;
        case "<" -> Condition.CmpOp.LT;
        case "<=" -> Condition.CmpOp.LE;
        case ">" -> Condition.CmpOp.GT;
        default -> Condition.CmpOp.GE;
      };
      return new Condition.Compare(operand(c.operand(0)), op, operand(c.operand(1)), span);
    }
    if (a instanceof InAtomContext i) {
      return new Condition.InList(operand(i.operand()), i.NOT() != null, list(i.list()).values(), span);
    }
    if (a instanceof TruthAtomContext t) {
      return new Condition.Truth(path(t.path()), span);
    }
    throw new IllegalStateException("condition kind not handled: " + a.getClass().getSimpleName());
  }

  private Condition.Operand operand(OperandContext c) {
    return c.path() != null ? path(c.path()) : literal(c.literal());
  }

  private Condition.Path path(PathContext c) {
    return new Condition.Path(c.ident().stream().map(ParserRuleContext::getText).toList(), span(c));
  }

  private Condition.ListLit list(ListContext c) {
    return new Condition.ListLit(c.literal().stream().map(this::literal).toList(), span(c));
  }

  private Condition.Literal literal(LiteralContext c) {
    Span span = span(c);
    if (c.STRING() != null) {
      return new Condition.StrLit(unquote(c.STRING().getText()), span);
    }
    if (c.TRUE() != null) {
      return new Condition.BoolLit(true, span);
    }
    if (c.FALSE() != null) {
      return new Condition.BoolLit(false, span);
    }
    String digits = (c.getChild(0).getText().equals("-") ? "-" : "") + c.INT().getText();
    return new Condition.NumLit(number(c.INT(), digits), span);
  }

  private String fieldName(FieldNameContext c) {
    return c.STRING() != null ? unquote(c.STRING().getText()) : c.getText();
  }

  private Name name(TerminalNode n) {
    return new Name(n.getText(), span(n.getSymbol()));
  }

  private Str str(TerminalNode n) {
    return str(n.getSymbol());
  }

  private Str str(Token t) {
    return new Str(unquote(t.getText()), span(t));
  }

  private long number(TerminalNode n) {
    return number(n, n.getText());
  }

  private long number(Token t) {
    return number(null, t.getText(), span(t));
  }

  private long number(TerminalNode n, String digits) {
    return number(n, digits, span(n.getSymbol()));
  }

  private long number(TerminalNode n, String digits, Span span) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      diagnostics.add(source.diagnostic(Codes.LITERAL, Severity.ERROR, span,
          "number `" + digits + "` does not fit in 64 bits"));
      return 0;
    }
  }

  static String unquote(String quoted) {
    StringBuilder out = new StringBuilder(quoted.length());
    for (int i = 1; i < quoted.length() - 1; i++) {
      char ch = quoted.charAt(i);
      if (ch == '\\' && i + 1 < quoted.length() - 1) {
        char next = quoted.charAt(++i);
        out.append(switch (next) {
          case 'n' -> '\n';
          case 't' -> '\t';
          default -> next;
        });
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }

  private Span span(ParserRuleContext c) {
    Token start = c.getStart();
    Token stop = c.getStop() == null ? start : c.getStop();
    return new Span(source.file(), start.getLine(), start.getCharPositionInLine() + 1, stop.getLine(),
        stop.getCharPositionInLine() + Math.max(1, stop.getText().length()));
  }

  private Span span(Token t) {
    return new Span(source.file(), t.getLine(), t.getCharPositionInLine() + 1, t.getLine(),
        t.getCharPositionInLine() + Math.max(1, t.getText().length()));
  }
}
