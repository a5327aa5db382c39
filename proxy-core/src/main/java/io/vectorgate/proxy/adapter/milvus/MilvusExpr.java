package io.vectorgate.proxy.adapter.milvus;

import io.vectorgate.proxy.adapter.FilterFields;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The gateway's reading of a Milvus boolean filter expression ({@code dsl} / {@code expr}).
 *
 * <p>Two layers:
 *
 * <ol>
 *   <li>A lexer that follows Milvus's {@code Plan.g4} token boundaries exactly where they matter
 *       for safety: string literals (single or double quotes, optional {@code u8 u U L r R}
 *       prefix; a backslash always consumes the next character; a line break inside a literal
 *       is rejected) and the brackets {@code ( ) [ ] { }}, which must nest properly. An
 *       expression that passes {@link #lex} cannot close the parenthesis the gateway wraps it
 *       in, so {@code (<original>) and (<row filter>)} keeps its structure whatever the original
 *       says.
 *   <li>A best-effort Pratt parser for the common subset of the grammar, used only to classify
 *       the request (a primary-key {@code in} list → get; a constant-true delete → delete_all).
 *       Constructs outside the subset leave the expression {@linkplain #root() unparsed}, which
 *       never weakens enforcement: classification falls back to the broader action.
 * </ol>
 */
public final class MilvusExpr {
  /** Longest expression accepted (a long primary-key list is the usual big one). */
  public static final int MAX_LENGTH = 1 << 20;
  /** Deepest bracket nesting accepted. */
  public static final int MAX_NESTING = 256;

  enum Kind { IDENT, STRING, INT, FLOAT, BOOL, OP, LPAREN, RPAREN, LBRACKET, RBRACKET, LBRACE, RBRACE, COMMA, END }

  record Token(Kind kind, String text, Object value, int pos) {}

  /** A lexical problem: the expression cannot be a well-formed Milvus filter. */
  public static final class LexException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int position;

    LexException(String message, int position) {
      super(message + " at column " + (position + 1));
      this.position = position;
    }

    /** Zero-based character offset of the problem. */
    public int position() {
      return position;
    }
  }

  // --- AST (the subset the classifier needs) -----------------------------------------------

  /** A node of the parsed subset. */
  public sealed interface Node permits Lit, Ident, Template, Unary, Binary, Array, Call {}

  /** A literal: String, BigInteger, BigDecimal or Boolean. */
  public record Lit(Object value) implements Node {}

  /** A field reference; {@code keys} are JSON keys/indexes after it ({@code a["b"][0]}). */
  public record Ident(String name, List<Object> keys) implements Node {}

  /** A template placeholder {@code {name}}. */
  public record Template(String name) implements Node {}

  public record Unary(String op, Node operand) implements Node {}

  public record Binary(String op, Node left, Node right) implements Node {}

  public record Array(List<Node> elements) implements Node {}

  public record Call(String function, List<Node> args) implements Node {}

  private final String text;
  private final List<Token> tokens;
  private final Node root;

  private MilvusExpr(String text, List<Token> tokens, Node root) {
    this.text = text;
    this.tokens = tokens;
    this.root = root;
  }

  /**
   * Lexes and checks an expression; parses it when it is in the supported subset.
   *
   * @throws LexException if the text is not lexically a Milvus expression or its brackets do not nest
   */
  public static MilvusExpr of(String text) {
    Objects.requireNonNull(text, "text");
    List<Token> tokens = lex(text);
    Node root = null;
    if (tokens.size() > 1) {
      try {
        Parser p = new Parser(tokens);
        Node n = p.expression(0);
        if (p.peek().kind() == Kind.END) {
          root = n;
        }
      } catch (ParseFailure e) {
        root = null; // outside the supported subset: classification falls back to the broad action
      }
    }
    return new MilvusExpr(text, List.copyOf(tokens), root);
  }

  /** The original text. */
  public String text() {
    return text;
  }

  /** True when the expression has no tokens (empty or blank). */
  public boolean isBlank() {
    return tokens.size() == 1;
  }

  /** The parsed tree, or empty when the expression is outside the parsed subset. */
  public Optional<Node> root() {
    return Optional.ofNullable(root);
  }

  /** Names of the template placeholders {@code {name}} the expression uses. */
  public Set<String> templateNames() {
    Set<String> names = new java.util.LinkedHashSet<>();
    for (int i = 0; i + 2 < tokens.size(); i++) {
      if (tokens.get(i).kind() == Kind.LBRACE && tokens.get(i + 1).kind() == Kind.IDENT
          && tokens.get(i + 2).kind() == Kind.RBRACE) {
        names.add(tokens.get(i + 1).text());
      }
    }
    return names;
  }

  /**
   * When the whole expression is {@code pk in [literals]} (or {@code pk in {template}} with an
   * array value, or {@code pk == literal}), the number of primary keys it names.
   */
  public Optional<Integer> primaryKeyCount(String pkField, Map<String, Object> templateValues) {
    if (root == null || pkField == null) {
      return Optional.empty();
    }
    if (root instanceof Binary b && b.left() instanceof Ident id && id.keys().isEmpty() && id.name().equals(pkField)) {
      if (b.op().equals("in")) {
        if (b.right() instanceof Array arr && arr.elements().stream().allMatch(e -> e instanceof Lit)) {
          return Optional.of(arr.elements().size());
        }
        if (b.right() instanceof Template t && templateValues.get(t.name()) instanceof List<?> list) {
          return Optional.of(list.size());
        }
      }
      if (b.op().equals("==") && (b.right() instanceof Lit || b.right() instanceof Template)) {
        return Optional.of(1);
      }
    }
    return Optional.empty();
  }

  /**
   * True when the expression is empty or provably true for every row: built only from literals
   * (and template values) combined with comparisons, {@code in}, {@code not}, {@code and},
   * {@code or}, where a field reference is an unknown. {@code x > 0 or true} is constant true;
   * {@code id >= 0} is not (it depends on the data).
   */
  public boolean isConstantTrue(Map<String, Object> templateValues) {
    if (isBlank()) {
      return true;
    }
    return root != null && new Folder(templateValues).truth(root) == Truth.TRUE;
  }

  /** Words of the grammar that are never field names (Plan.g4 spells each in lower or upper case). */
  private static final Set<String> NON_FIELD_WORDS = Set.of(
      "and", "AND", "or", "OR", "not", "NOT", "in", "IN", "like", "LIKE", "is", "IS", "null", "NULL",
      "exists", "EXISTS", "iso", "ISO", "interval", "INTERVAL");

  /**
   * Every field the expression references, de-duplicated and sorted by field, then path. Read
   * from the tokens, not the parse tree, so that expressions outside the parsed subset are covered
   * too: every identifier that is not a grammar word, a function name (followed by {@code (}) or a
   * template name ({@code {name}}) is a field. A path stops before the first key that is not a
   * string literal (an array index, a template, anything else): a shorter path stands for the
   * whole value below it, so the report never names less than the filter reads. {@code meta["a"]["b"]}
   * is {@code meta} [a, b]; a dynamic key {@code $meta["x"]} is {@code x} [] (as the mask
   * obligations name dynamic fields); {@code $meta} alone is {@code $meta} [].
   */
  public java.util.SortedSet<FilterFields.Ref> fieldReferences() {
    java.util.SortedSet<FilterFields.Ref> out = new java.util.TreeSet<>();
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.kind() != Kind.IDENT || NON_FIELD_WORDS.contains(t.text())) {
        continue;
      }
      Kind next = tokens.get(i + 1).kind();
      if (next == Kind.LPAREN || (next == Kind.RBRACE && i > 0 && tokens.get(i - 1).kind() == Kind.LBRACE)) {
        continue;
      }
      List<String> keys = new ArrayList<>();
      int j = i + 1;
      while (j + 2 < tokens.size() && tokens.get(j).kind() == Kind.LBRACKET
          && tokens.get(j + 1).kind() == Kind.STRING && tokens.get(j + 2).kind() == Kind.RBRACKET) {
        keys.add((String) tokens.get(j + 1).value());
        j += 3;
      }
      if (t.text().equals("$meta") && !keys.isEmpty()) {
        out.add(new FilterFields.Ref(keys.get(0), keys.subList(1, keys.size())));
      } else {
        out.add(new FilterFields.Ref(t.text(), keys));
      }
    }
    return out;
  }

  // --- lexer ---------------------------------------------------------------------------------

  private static final Set<String> STRING_PREFIXES = Set.of("u8", "u", "U", "L", "r", "R");
  private static final String[] OPERATORS = {
    "**", "<<", ">>", "<=", ">=", "==", "!=", "=~", "!~", "&&", "||",
    "<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "~", "!", "=", "$"
  };

  static List<Token> lex(String s) {
    if (s.length() > MAX_LENGTH) {
      throw new LexException("expression longer than " + MAX_LENGTH + " characters", MAX_LENGTH);
    }
    List<Token> out = new ArrayList<>();
    Deque<Token> open = new ArrayDeque<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        i++;
        continue;
      }
      if (c == '"' || c == '\'') {
        i = string(s, i, i, false, out);
        continue;
      }
      if (isIdentStart(c)) {
        int j = i + 1;
        while (j < n && isIdentPart(s.charAt(j))) {
          j++;
        }
        String word = s.substring(i, j);
        if (j < n && (s.charAt(j) == '"' || s.charAt(j) == '\'') && STRING_PREFIXES.contains(word)) {
          i = string(s, i, j, word.equalsIgnoreCase("r"), out);
          continue;
        }
        if (word.equals("true") || word.equals("True") || word.equals("TRUE")) {
          out.add(new Token(Kind.BOOL, word, Boolean.TRUE, i));
        } else if (word.equals("false") || word.equals("False") || word.equals("FALSE")) {
          out.add(new Token(Kind.BOOL, word, Boolean.FALSE, i));
        } else {
          out.add(new Token(Kind.IDENT, word, null, i));
        }
        i = j;
        continue;
      }
      if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(s.charAt(i + 1)))) {
        i = number(s, i, out);
        continue;
      }
      if (c == '$' && s.startsWith("$meta", i) && (i + 5 >= n || !isIdentPart(s.charAt(i + 5)))) {
        out.add(new Token(Kind.IDENT, "$meta", null, i));
        i += 5;
        continue;
      }
      Kind bracket = switch (c) {
        case '(' -> Kind.LPAREN;
        case ')' -> Kind.RPAREN;
        case '[' -> Kind.LBRACKET;
        case ']' -> Kind.RBRACKET;
        case '{' -> Kind.LBRACE;
        case '}' -> Kind.RBRACE;
        case ',' -> Kind.COMMA;
        default -> null;
      };
      if (bracket != null) {
        Token t = new Token(bracket, String.valueOf(c), null, i);
        if (bracket == Kind.LPAREN || bracket == Kind.LBRACKET || bracket == Kind.LBRACE) {
          if (open.size() >= MAX_NESTING) {
            throw new LexException("brackets nested deeper than " + MAX_NESTING, i);
          }
          open.push(t);
        } else if (bracket != Kind.COMMA) {
          Token o = open.poll();
          if (o == null) {
            throw new LexException("unbalanced `" + c + "` closes nothing", i);
          }
          if (!matches(o.kind(), bracket)) {
            throw new LexException("`" + c + "` does not match `" + o.text() + "` opened at column " + (o.pos() + 1), i);
          }
        }
        out.add(t);
        i++;
        continue;
      }
      String op = null;
      for (String candidate : OPERATORS) {
        if (s.startsWith(candidate, i)) {
          op = candidate;
          break;
        }
      }
      if (op == null) {
        throw new LexException("unexpected character `" + printable(c) + "`", i);
      }
      out.add(new Token(Kind.OP, op, null, i));
      i += op.length();
    }
    if (!open.isEmpty()) {
      Token o = open.peek();
      throw new LexException("`" + o.text() + "` is never closed", o.pos());
    }
    out.add(new Token(Kind.END, "", null, n));
    return out;
  }

  private static boolean matches(Kind open, Kind close) {
    return (open == Kind.LPAREN && close == Kind.RPAREN)
        || (open == Kind.LBRACKET && close == Kind.RBRACKET)
        || (open == Kind.LBRACE && close == Kind.RBRACE);
  }

  /** Reads a string literal whose quote is at {@code quote}; returns the index after it. */
  private static int string(String s, int start, int quote, boolean raw, List<Token> out) {
    char q = s.charAt(quote);
    StringBuilder value = new StringBuilder();
    int i = quote + 1;
    while (true) {
      if (i >= s.length()) {
        throw new LexException("unterminated string literal", start);
      }
      char c = s.charAt(i);
      if (c == q) {
        out.add(new Token(Kind.STRING, s.substring(start, i + 1), value.toString(), start));
        return i + 1;
      }
      if (c == '\r' || c == '\n') {
        throw new LexException("line break inside a string literal", i);
      }
      if (c == '\\') {
        if (i + 1 >= s.length()) {
          throw new LexException("unterminated string literal", start);
        }
        char e = s.charAt(i + 1);
        if (e == '\r' || e == '\n') {
          throw new LexException("line break inside a string literal", i + 1);
        }
        if (raw) {
          value.append(c).append(e);
        } else {
          value.append(switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'a' -> '\u0007';
            case 'v' -> '\u000b';
            default -> e;
          });
        }
        i += 2;
        continue;
      }
      value.append(c);
      i++;
    }
  }

  private static int number(String s, int start, List<Token> out) {
    boolean hex = s.startsWith("0x", start) || s.startsWith("0X", start);
    String exponentMarks = hex ? "pP" : "eE";
    int i = start;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      boolean signOfExponent = (c == '+' || c == '-') && i > start && exponentMarks.indexOf(s.charAt(i - 1)) >= 0;
      if (isIdentPart(c) || c == '.' || signOfExponent) {
        i++;
      } else {
        break;
      }
    }
    String t = s.substring(start, i);
    Object v = parseNumber(t);
    if (v == null) {
      throw new LexException("malformed number `" + t + "`", start);
    }
    out.add(new Token(v instanceof BigInteger ? Kind.INT : Kind.FLOAT, t, v, start));
    return i;
  }

  // compiled once: String.matches compiled each pattern again for every number of every filter
  private static final Pattern OCTAL = Pattern.compile("0[0-7]+");
  private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]*");
  private static final Pattern FLOATING = Pattern.compile("([0-9]*\\.[0-9]+|[0-9]+\\.)(e[+-]?[0-9]+)?|[0-9]+e[+-]?[0-9]+");

  private static Object parseNumber(String t) {
    try {
      String lower = t.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("0x") && !lower.contains(".") && !lower.contains("p")) {
        return new BigInteger(t.substring(2), 16);
      }
      if (lower.startsWith("0b")) {
        return new BigInteger(t.substring(2), 2);
      }
      if (OCTAL.matcher(lower).matches()) {
        return new BigInteger(t.substring(1), 8);
      }
      if (DECIMAL.matcher(lower).matches()) {
        return new BigInteger(t);
      }
      if (FLOATING.matcher(lower).matches()) {
        return new BigDecimal(t);
      }
      if (lower.startsWith("0x")) {
        return new BigDecimal(Double.parseDouble(t)); // hexadecimal floating constant
      }
      return null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isIdentPart(char c) {
    return isIdentStart(c) || isDigit(c);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static String printable(char c) {
    return Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }

  // --- parser (subset) -----------------------------------------------------------------------

  private static final class ParseFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ParseFailure() {
      super(null, null, false, false);
    }
  }

  private static final class Parser {
    private final List<Token> tokens;
    private int pos;
    private int depth;

    Parser(List<Token> tokens) {
      this.tokens = tokens;
    }

    Token peek() {
      return tokens.get(pos);
    }

    Token next() {
      return tokens.get(pos++);
    }

    /** Binding power of the infix operator at the cursor, or -1. Mirrors Plan.g4's order. */
    int infixPower(Token t) {
      if (t.kind() == Kind.IDENT) {
        return switch (t.text()) {
          case "or", "OR" -> 1;
          case "and", "AND" -> 2;
          case "in", "IN" -> 8;
          case "not", "NOT" -> isNotIn() ? 8 : -1;
          case "like", "LIKE" -> 14;
          default -> -1;
        };
      }
      if (t.kind() != Kind.OP) {
        return -1;
      }
      return switch (t.text()) {
        case "||" -> 1;
        case "&&" -> 2;
        case "|" -> 3;
        case "^" -> 4;
        case "&" -> 5;
        case "==", "!=" -> 6;
        case "<", "<=", ">", ">=" -> 7;
        case "<<", ">>" -> 9;
        case "+", "-" -> 10;
        case "*", "/", "%" -> 11;
        case "**" -> 13;
        case "=~", "!~" -> 14;
        default -> -1;
      };
    }

    boolean isNotIn() {
      Token after = tokens.get(Math.min(pos + 1, tokens.size() - 1));
      return after.kind() == Kind.IDENT && (after.text().equals("in") || after.text().equals("IN"));
    }

    Node expression(int minPower) {
      if (++depth > MAX_NESTING) {
        throw new ParseFailure();
      }
      Node left = prefix();
      while (true) {
        Token t = peek();
        int power = infixPower(t);
        if (power < 0 || power <= minPower) {
          break;
        }
        next();
        String op = normalize(t.text());
        if (op.equals("not")) {
          next(); // the `in` of `not in`
          op = "not in";
        }
        Node right = expression(op.equals("**") ? power - 1 : power);
        left = new Binary(op, left, right);
      }
      depth--;
      return left;
    }

    Node prefix() {
      Token t = next();
      switch (t.kind()) {
        case STRING, INT, FLOAT, BOOL -> {
          return new Lit(t.value());
        }
        case LPAREN -> {
          Node inner = expression(0);
          expect(Kind.RPAREN);
          return inner;
        }
        case LBRACKET -> {
          List<Node> elements = new ArrayList<>();
          if (peek().kind() != Kind.RBRACKET) {
            elements.add(expression(0));
            while (peek().kind() == Kind.COMMA) {
              next();
              if (peek().kind() == Kind.RBRACKET) {
                break;
              }
              elements.add(expression(0));
            }
          }
          expect(Kind.RBRACKET);
          return new Array(elements);
        }
        case LBRACE -> {
          Token name = expect(Kind.IDENT);
          expect(Kind.RBRACE);
          return new Template(name.text());
        }
        case OP -> {
          String op = t.text();
          if (op.equals("!") || op.equals("-") || op.equals("+") || op.equals("~")) {
            return new Unary(op.equals("!") ? "not" : op, expression(12));
          }
          throw new ParseFailure();
        }
        case IDENT -> {
          String w = t.text();
          if (w.equals("not") || w.equals("NOT")) {
            return new Unary("not", expression(12));
          }
          if (isKeyword(w)) {
            throw new ParseFailure();
          }
          if (peek().kind() == Kind.LPAREN) {
            next();
            List<Node> args = new ArrayList<>();
            if (peek().kind() != Kind.RPAREN) {
              args.add(expression(0));
              while (peek().kind() == Kind.COMMA) {
                next();
                if (peek().kind() == Kind.RPAREN) {
                  break;
                }
                args.add(expression(0));
              }
            }
            expect(Kind.RPAREN);
            return new Call(w.toLowerCase(java.util.Locale.ROOT), args);
          }
          List<Object> keys = new ArrayList<>();
          while (peek().kind() == Kind.LBRACKET) {
            next();
            Token k = next();
            if (k.kind() != Kind.STRING && k.kind() != Kind.INT) {
              throw new ParseFailure();
            }
            keys.add(k.value());
            expect(Kind.RBRACKET);
          }
          Node ident = new Ident(w, keys);
          if (peek().kind() == Kind.IDENT && (peek().text().equals("is") || peek().text().equals("IS"))) {
            next();
            boolean negated = false;
            if (peek().kind() == Kind.IDENT && (peek().text().equals("not") || peek().text().equals("NOT"))) {
              next();
              negated = true;
            }
            Token nul = expect(Kind.IDENT);
            if (!nul.text().equals("null") && !nul.text().equals("NULL")) {
              throw new ParseFailure();
            }
            return new Call(negated ? "is_not_null" : "is_null", List.of(ident));
          }
          return ident;
        }
        default -> throw new ParseFailure();
      }
    }

    Token expect(Kind kind) {
      Token t = next();
      if (t.kind() != kind) {
        throw new ParseFailure();
      }
      return t;
    }

    static boolean isKeyword(String w) {
      return switch (w) {
        case "and", "AND", "or", "OR", "in", "IN", "like", "LIKE", "is", "IS", "null", "NULL",
            "exists", "EXISTS", "iso", "ISO", "interval", "INTERVAL" -> true;
        default -> false;
      };
    }

    static String normalize(String op) {
      return switch (op) {
        case "||", "or", "OR" -> "or";
        case "&&", "and", "AND" -> "and";
        case "in", "IN" -> "in";
        case "not", "NOT" -> "not";
        case "like", "LIKE" -> "like";
        default -> op;
      };
    }
  }

  // --- constant folding ----------------------------------------------------------------------

  enum Truth { TRUE, FALSE, UNKNOWN }

  private static final class Folder {
    private final Map<String, Object> templates;

    Folder(Map<String, Object> templates) {
      this.templates = templates == null ? Map.of() : templates;
    }

    Truth truth(Node n) {
      if (n instanceof Lit l && l.value() instanceof Boolean b) {
        return b ? Truth.TRUE : Truth.FALSE;
      }
      if (n instanceof Template t && templates.get(t.name()) instanceof Boolean b) {
        return b ? Truth.TRUE : Truth.FALSE;
      }
      if (n instanceof Unary u && u.op().equals("not")) {
        Truth t = truth(u.operand());
        return t == Truth.UNKNOWN ? t : (t == Truth.TRUE ? Truth.FALSE : Truth.TRUE);
      }
      if (n instanceof Binary b) {
        switch (b.op()) {
          case "and" -> {
            Truth l = truth(b.left());
            Truth r = truth(b.right());
            if (l == Truth.FALSE || r == Truth.FALSE) {
              return Truth.FALSE;
            }
            return l == Truth.TRUE && r == Truth.TRUE ? Truth.TRUE : Truth.UNKNOWN;
          }
          case "or" -> {
            Truth l = truth(b.left());
            Truth r = truth(b.right());
            if (l == Truth.TRUE || r == Truth.TRUE) {
              return Truth.TRUE;
            }
            return l == Truth.FALSE && r == Truth.FALSE ? Truth.FALSE : Truth.UNKNOWN;
          }
          case "==", "!=", "<", "<=", ">", ">=" -> {
            return compare(b.op(), constant(b.left()), constant(b.right()));
          }
          case "in", "not in" -> {
            Object needle = constant(b.left());
            List<?> hay = constantList(b.right());
            if (needle == null || hay == null) {
              return Truth.UNKNOWN;
            }
            boolean found = false;
            for (Object h : hay) {
              if (compare("==", needle, h) == Truth.TRUE) {
                found = true;
              } else if (compare("==", needle, h) == Truth.UNKNOWN) {
                return Truth.UNKNOWN;
              }
            }
            return found == b.op().equals("in") ? Truth.TRUE : Truth.FALSE;
          }
          default -> {
            return Truth.UNKNOWN;
          }
        }
      }
      return Truth.UNKNOWN;
    }

    Object constant(Node n) {
      if (n instanceof Lit l) {
        return normalizeValue(l.value());
      }
      if (n instanceof Template t) {
        Object v = templates.get(t.name());
        return v instanceof List<?> ? null : normalizeValue(v);
      }
      if (n instanceof Unary u && u.op().equals("-") && constant(u.operand()) instanceof BigDecimal d) {
        return d.negate();
      }
      return null;
    }

    List<?> constantList(Node n) {
      if (n instanceof Array a) {
        List<Object> out = new ArrayList<>();
        for (Node e : a.elements()) {
          Object v = constant(e);
          if (v == null) {
            return null;
          }
          out.add(v);
        }
        return out;
      }
      if (n instanceof Template t && templates.get(t.name()) instanceof List<?> list) {
        return list.stream().map(Folder::normalizeValue).toList();
      }
      return null;
    }

    static Object normalizeValue(Object v) {
      if (v instanceof BigDecimal d) {
        return d;
      }
      if (v instanceof BigInteger i) {
        return new BigDecimal(i);
      }
      if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        return BigDecimal.valueOf(((Number) v).longValue());
      }
      if (v instanceof Double || v instanceof Float) {
        double d = ((Number) v).doubleValue();
        return Double.isFinite(d) ? new BigDecimal(d) : null;
      }
      if (v instanceof String || v instanceof Boolean) {
        return v;
      }
      return null;
    }

    static Truth compare(String op, Object l, Object r) {
      if (l == null || r == null) {
        return Truth.UNKNOWN;
      }
      int c;
      if (l instanceof BigDecimal a && r instanceof BigDecimal b) {
        c = a.compareTo(b);
      } else if (l instanceof String a && r instanceof String b) {
        c = a.compareTo(b);
      } else if (l instanceof Boolean a && r instanceof Boolean b && (op.equals("==") || op.equals("!="))) {
        c = a.equals(b) ? 0 : 1;
      } else {
        return Truth.UNKNOWN;
      }
      boolean result = switch (op) {
        case "==" -> c == 0;
        case "!=" -> c != 0;
        case "<" -> c < 0;
        case "<=" -> c <= 0;
        case ">" -> c > 0;
        case ">=" -> c >= 0;
        default -> throw new IllegalArgumentException(op);
      };
      return result ? Truth.TRUE : Truth.FALSE;
    }
  }
}
