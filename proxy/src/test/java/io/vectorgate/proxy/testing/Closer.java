package io.vectorgate.proxy.testing;

/** Closing what a test class started, in order: gateway before engine before peers. */
public final class Closer {
  private Closer() {}

  /**
   * Closes each non-null resource in the order given; every one is closed even when an earlier one
   * fails, and the first failure is thrown with the later ones suppressed.
   */
  public static void closeAll(AutoCloseable... resources) throws Exception {
    Exception first = null;
    for (AutoCloseable r : resources) {
      if (r == null) {
        continue;
      }
      try {
        r.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
