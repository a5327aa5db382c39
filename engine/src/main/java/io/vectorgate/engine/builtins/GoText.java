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

  /**
   * Code points (inclusive ranges) that are graphic in Unicode 15.0, the version of Go's tables in
   * the OPA this engine mirrors (go1.26: {@code %q} of U+088E prints it, of U+1C89 from Unicode 16
   * escapes it), but unassigned in Java 17's Unicode 13 database. Generated with ICU4J 72.1
   * (Unicode 15.0): every code point whose graphic-ness differs between ICU4J and Java 17; in all of
   * them ICU4J says graphic.
   */
  private static final int[] GRAPHIC_SINCE_UNICODE_14 = {
      0x061D, 0x061D, 0x0870, 0x088E, 0x0898, 0x089F, 0x08B5, 0x08B5, 0x08C8, 0x08D2, 0x0C3C, 0x0C3C,
      0x0C5D, 0x0C5D, 0x0CDD, 0x0CDD, 0x0CF3, 0x0CF3, 0x0ECE, 0x0ECE, 0x170D, 0x170D, 0x1715, 0x1715,
      0x171F, 0x171F, 0x180F, 0x180F, 0x1AC1, 0x1ACE, 0x1B4C, 0x1B4C, 0x1B7D, 0x1B7E, 0x1DFA, 0x1DFA,
      0x20C0, 0x20C0, 0x2C2F, 0x2C2F, 0x2C5F, 0x2C5F, 0x2E53, 0x2E5D, 0x9FFD, 0x9FFF, 0xA7C0, 0xA7C1,
      0xA7D0, 0xA7D1, 0xA7D3, 0xA7D3, 0xA7D5, 0xA7D9, 0xA7F2, 0xA7F4, 0xFBC2, 0xFBC2, 0xFD40, 0xFD4F,
      0xFDCF, 0xFDCF, 0xFDFE, 0xFDFF, 0x10570, 0x1057A, 0x1057C, 0x1058A, 0x1058C, 0x10592, 0x10594,
      0x10595, 0x10597, 0x105A1, 0x105A3, 0x105B1, 0x105B3, 0x105B9, 0x105BB, 0x105BC, 0x10780, 0x10785,
      0x10787, 0x107B0, 0x107B2, 0x107BA, 0x10EFD, 0x10EFF, 0x10F70, 0x10F89, 0x11070, 0x11075, 0x110C2,
      0x110C2, 0x1123F, 0x11241, 0x116B9, 0x116B9, 0x11740, 0x11746, 0x11AB0, 0x11ABF, 0x11B00, 0x11B09,
      0x11F00, 0x11F10, 0x11F12, 0x11F3A, 0x11F3E, 0x11F59, 0x12F90, 0x12FF2, 0x1342F, 0x1342F, 0x13440,
      0x13455, 0x16A70, 0x16ABE, 0x16AC0, 0x16AC9, 0x1AFF0, 0x1AFF3, 0x1AFF5, 0x1AFFB, 0x1AFFD, 0x1AFFE,
      0x1B11F, 0x1B122, 0x1B132, 0x1B132, 0x1B155, 0x1B155, 0x1CF00, 0x1CF2D, 0x1CF30, 0x1CF46, 0x1CF50,
      0x1CFC3, 0x1D1E9, 0x1D1EA, 0x1D2C0, 0x1D2D3, 0x1DF00, 0x1DF1E, 0x1DF25, 0x1DF2A, 0x1E030, 0x1E06D,
      0x1E08F, 0x1E08F, 0x1E290, 0x1E2AE, 0x1E4D0, 0x1E4F9, 0x1E7E0, 0x1E7E6, 0x1E7E8, 0x1E7EB, 0x1E7ED,
      0x1E7EE, 0x1E7F0, 0x1E7FE, 0x1F6DC, 0x1F6DF, 0x1F774, 0x1F776, 0x1F77B, 0x1F77F, 0x1F7D9, 0x1F7D9,
      0x1F7F0, 0x1F7F0, 0x1F979, 0x1F979, 0x1F9CC, 0x1F9CC, 0x1FA75, 0x1FA77, 0x1FA7B, 0x1FA7C, 0x1FA87,
      0x1FA88, 0x1FAA9, 0x1FAAF, 0x1FAB7, 0x1FABD, 0x1FABF, 0x1FABF, 0x1FAC3, 0x1FAC5, 0x1FACE, 0x1FACF,
      0x1FAD7, 0x1FADB, 0x1FAE0, 0x1FAE8, 0x1FAF0, 0x1FAF8, 0x2A6DE, 0x2A6DF, 0x2B735, 0x2B739, 0x31350,
      0x323AF
  };

  /** Whether Unicode 14 or 15 assigned {@code cp} a graphic category (Java 17 knows it as unassigned). */
  static boolean graphicSinceUnicode14(int cp) {
    int lo = 0;
    int hi = GRAPHIC_SINCE_UNICODE_14.length / 2 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (cp < GRAPHIC_SINCE_UNICODE_14[2 * mid]) {
        hi = mid - 1;
      } else if (cp > GRAPHIC_SINCE_UNICODE_14[2 * mid + 1]) {
        lo = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /**
   * unicode.IsPrint (Unicode 15.0, as Go has it): letters, marks, numbers, punctuation, symbols and
   * the ASCII space.
   */
  static boolean isPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    if (cp < 0x20 || cp == 0x7F) {
      return false;
    }
    int type = Character.getType(cp);
    if (type == Character.UNASSIGNED) {
      return graphicSinceUnicode14(cp);
    }
    switch (type) {
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
