package io.vectorgate.engine.builtins;

/** Go's strconv quoting rules (Quote, QuoteToASCII, QuoteRune), which OPA's string rendering uses. */
final class GoText {
  private GoText() {}

  private static final String HEX = "0123456789abcdef";

  /** strconv.Quote (or QuoteToASCII when {@code ascii}). */
  static String quote(String s, boolean ascii) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      appendEscaped(sb, cp, '"', ascii);
    }
    return sb.append('"').toString();
  }

  /** strconv.QuoteRune. */
  static String quoteRune(int cp, boolean ascii) {
    StringBuilder sb = new StringBuilder("'");
    if (cp > Character.MAX_CODE_POINT || (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0) {
      cp = 0xFFFD;
    }
    appendEscaped(sb, cp, '\'', ascii);
    return sb.append('\'').toString();
  }

  private static void appendEscaped(StringBuilder sb, int cp, char quote, boolean ascii) {
    if (cp == quote || cp == '\\') {
      sb.append('\\').appendCodePoint(cp);
      return;
    }
    if (ascii ? (cp < 0x80 && isPrint(cp)) : isPrint(cp)) {
      sb.appendCodePoint(cp);
      return;
    }
    switch (cp) {
      case 0x07 -> sb.append("\\a");
      case '\b' -> sb.append("\\b");
      case '\f' -> sb.append("\\f");
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      case 0x0B -> sb.append("\\v");
      default -> {
        if (cp < ' ' || cp == 0x7F) {
          sb.append("\\x").append(HEX.charAt(cp >> 4)).append(HEX.charAt(cp & 0xF));
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
          // a lone surrogate is not valid UTF-8; Go would see the replacement rune's bytes
          sb.append("\\ufffd");
        } else if (cp < 0x10000) {
          sb.append("\\u");
          appendHex(sb, cp, 4);
        } else {
          sb.append("\\U");
          appendHex(sb, cp, 8);
        }
      }
    }
  }

  private static void appendHex(StringBuilder sb, int v, int width) {
    for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) {
      sb.append(HEX.charAt((v >> shift) & 0xF));
    }
  }

  /** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
  static boolean isPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    if (cp < 0x20 || cp == 0x7F) {
      return false;
    }
    switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
          Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
          Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
          Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL:
        return true;
      default:
        return false;
    }
  }
}
