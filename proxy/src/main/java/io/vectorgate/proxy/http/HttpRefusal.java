package io.vectorgate.proxy.http;

import java.util.Objects;

/**
 * A request the listener refuses before any adapter sees it (ambiguous path, smuggling signs,
 * bad JSON, oversized body, ...). {@link #status()} is the HTTP status, {@link #code()} a stable
 * reason code, the message says what and where. Nothing is forwarded.
 */
public final class HttpRefusal extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final boolean closeConnection;

  public HttpRefusal(int status, String code, String message) {
    this(status, code, message, false, null);
  }

  public HttpRefusal(int status, String code, String message, boolean closeConnection, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.status = status;
    this.code = Objects.requireNonNull(code, "code");
    this.closeConnection = closeConnection;
  }

  public int status() {
    return status;
  }

  /** A stable reason code, e.g. {@code ambiguous_path}. */
  public String code() {
    return code;
  }

  /** The connection cannot be trusted for another request (framing problems). */
  public boolean closeConnection() {
    return closeConnection;
  }
}
