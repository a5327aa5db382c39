package io.vectorgate.harness.replay;

/**
 * A recorded request the harness could not turn into policy input: the gateway's adapter refused it,
 * or the record lacks what the adapter needs. Reported with its record id; never silently skipped.
 *
 * @param code the adapter's reason code ({@code unknown_field}, {@code malformed_request}, …) or a
 *     harness code ({@code payload_not_recorded}, {@code unsupported_kind})
 * @param field the request field the adapter named, or empty
 */
public record ReplayError(String recordId, String location, String code, String field, String message) {
  @Override
  public String toString() {
    return recordId + " (" + location + "): " + code + (field == null || field.isEmpty() ? "" : " at `" + field + "`")
        + ": " + message;
  }
}
