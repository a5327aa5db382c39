package io.vectorgate.approvals;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Approval ids: {@code apr-} and 20 random base32 characters (100 bits). */
public final class ApprovalIds {
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final Pattern FORMAT = Pattern.compile("apr-[a-z2-7]{20}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApprovalIds() {}

  public static String next() {
    StringBuilder sb = new StringBuilder("apr-");
    for (int i = 0; i < 20; i++) {
      sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    return sb.toString();
  }

  /** Whether {@code s} is a well-formed approval id (checked before any lookup). */
  public static boolean isValid(String s) {
    return s != null && s.length() == 24 && FORMAT.matcher(s).matches();
  }

  /** {@code s} if well formed, else an {@link ApprovalException} (invalid_request) naming it. */
  public static String require(String s) {
    if (!isValid(s)) {
      String shown = s == null ? "null" : s.length() > 40 ? s.substring(0, 40) + "..." : s;
      throw new ApprovalException(ApprovalException.Code.INVALID, "`" + shown.replaceAll("[^\\x20-\\x7e]", "?")
          + "` is not an approval id (expected apr- and 20 characters a-z, 2-7)");
    }
    return s;
  }
}
