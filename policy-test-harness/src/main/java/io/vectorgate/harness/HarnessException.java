package io.vectorgate.harness;

/**
 * A harness input that cannot be used: a malformed recording, traffic-test or expectations file, a
 * policy that does not compile, a git revision that does not exist. {@link #location()} says where
 * ({@code file:line[:col]}, a record id, or a case name); the message starts with it.
 */
public class HarnessException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String location;

  public HarnessException(String location, String message) {
    this(location, message, null);
  }

  public HarnessException(String location, String message, Throwable cause) {
    super((location == null || location.isEmpty() ? "" : location + ": ") + message, cause);
    this.location = location == null ? "" : location;
  }

  /** Where the problem is, e.g. {@code cases.yaml:12:5} or {@code segment-…jsonl line 3}. */
  public String location() {
    return location;
  }
}
