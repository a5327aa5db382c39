package io.vectorgate.proxy.adapter;

import java.util.Objects;

/**
 * A request an adapter refuses to decode or rewrite. The gateway turns it into a deny with
 * {@link #code()} as the reason; nothing is forwarded.
 *
 * <p>{@link #field()} is the request field path the problem was found at (for example
 * {@code search_params.topk} or {@code requests[1].dsl}); empty when the problem concerns the
 * whole request.
 */
public class AdapterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A field number the adapter's protocol version does not define. */
  public static final String UNKNOWN_FIELD = "unknown_field";
  /** An enum value the adapter's protocol version does not define. */
  public static final String UNKNOWN_ENUM_VALUE = "unknown_enum_value";
  /** A field that cannot be parsed or is inconsistent with the rest of the request. */
  public static final String MALFORMED_REQUEST = "malformed_request";
  /** A request the adapter understands but will not handle. */
  public static final String UNSUPPORTED_OPERATION = "unsupported_operation";
  /** A name the gateway reserves for itself (e.g. its template placeholders). */
  public static final String RESERVED_NAME = "reserved_name";
  /** The collection schema was needed but could not be loaded. */
  public static final String SCHEMA_UNAVAILABLE = "schema_unavailable";

  private final String code;
  private final String field;

  public AdapterException(String code, String field, String message) {
    this(code, field, message, null);
  }

  public AdapterException(String code, String field, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.field = field == null ? "" : field;
  }

  /** A stable reason code, e.g. {@code unknown_field}. */
  public String code() {
    return code;
  }

  /** The request field path, e.g. {@code search_params.topk}; empty for the whole request. */
  public String field() {
    return field;
  }
}
