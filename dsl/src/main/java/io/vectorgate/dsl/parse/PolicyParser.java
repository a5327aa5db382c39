package io.vectorgate.dsl.parse;

import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.ast.Span;
import io.vectorgate.dsl.diag.Codes;
import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.diag.Severity;
import io.vectorgate.dsl.diag.SourceText;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * Parses policy text into a {@link PolicyFile}. Never prints and never throws for bad input:
 * every problem becomes a {@link Diagnostic}. When there is any syntax error no AST is returned.
 */
public final class PolicyParser {

  /** Largest accepted source, in characters. */
  public static final int MAX_SOURCE_CHARS = 1 << 20;
  /** Deepest accepted nesting of parentheses and {@code not}s in one condition. */
  public static final int MAX_NESTING = 64;

  private PolicyParser() {}

  /** The outcome: an AST (null when the text has syntax errors) and the diagnostics found. */
  public record Result(PolicyFile ast, List<Diagnostic> diagnostics, SourceText source) {
    public Result {
      diagnostics = List.copyOf(diagnostics);
    }
  }

  public static Result parse(String fileName, String text) {
    SourceText source = new SourceText(fileName, text);
    List<Diagnostic> diagnostics = new ArrayList<>();
    if (text.length() > MAX_SOURCE_CHARS) {
      diagnostics.add(source.diagnostic(Codes.SOURCE, Severity.ERROR, new Span(fileName, 1, 1, 1, 1),
          "policy file has " + text.length() + " characters, more than the limit of " + MAX_SOURCE_CHARS));
      return new Result(null, diagnostics, source);
    }
    BaseErrorListener listener = new BaseErrorListener() {
      @Override
      public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg,
          RecognitionException e) {
        int length = 1;
        if (offending instanceof Token t && t.getType() != Token.EOF && t.getText() != null) {
          length = Math.max(1, t.getText().length());
        }
        Span span = new Span(fileName, line, col + 1, line, col + length);
        diagnostics.add(source.diagnostic(Codes.SYNTAX, Severity.ERROR, span, describe(msg)));
      }
    };
    VectorgatePolicyLexer lexer = new VectorgatePolicyLexer(CharStreams.fromString(text, fileName));
    lexer.removeErrorListeners();
    lexer.addErrorListener(listener);
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    Diagnostic tooDeep = nestingCheck(tokens.getTokens(), source);
    if (tooDeep != null) {
      diagnostics.add(tooDeep);
      return new Result(null, diagnostics, source);
    }
    VectorgatePolicyParser parser = new VectorgatePolicyParser(tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(listener);
    VectorgatePolicyParser.PolicyFileContext tree = parser.policyFile();
    if (!diagnostics.isEmpty()) {
      diagnostics.sort(Diagnostic.BY_LOCATION);
      return new Result(null, diagnostics, source);
    }
    AstBuilder builder = new AstBuilder(source, tokens);
    PolicyFile ast = builder.build(tree);
    diagnostics.addAll(builder.diagnostics());
    diagnostics.sort(Diagnostic.BY_LOCATION);
    return new Result(builder.diagnostics().isEmpty() ? ast : null, diagnostics, source);
  }

  private static Diagnostic nestingCheck(List<Token> tokens, SourceText source) {
    int depth = 0;
    int nots = 0;
    for (Token t : tokens) {
      if (t.getChannel() != Token.DEFAULT_CHANNEL) {
        continue;
      }
      if (t.getType() == VectorgatePolicyLexer.NOT) {
        nots++;
      } else if ("(".equals(t.getText())) {
        depth++;
      } else {
        nots = 0;
        if (")".equals(t.getText())) {
          depth = Math.max(0, depth - 1);
        }
      }
      if (depth + nots > MAX_NESTING) {
        Span span = new Span(source.file(), t.getLine(), t.getCharPositionInLine() + 1, t.getLine(),
            t.getCharPositionInLine() + 1);
        return source.diagnostic(Codes.SYNTAX, Severity.ERROR, span,
            "condition nested more than " + MAX_NESTING + " levels deep");
      }
    }
    return null;
  }

  private static String describe(String antlrMessage) {
    String m = antlrMessage.replace("'", "`");
    return m.isEmpty() ? "syntax error" : Character.toLowerCase(m.charAt(0)) + m.substring(1);
  }
}
