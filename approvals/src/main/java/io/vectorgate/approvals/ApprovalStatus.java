package io.vectorgate.approvals;

/** Where an approval request stands. Only {@link #PENDING} moves; the others are final. */
public enum ApprovalStatus {
  PENDING, APPROVED, REJECTED, EXPIRED;

  /** Lower-case wire name ({@code pending}, ...). */
  @com.fasterxml.jackson.annotation.JsonValue
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses a wire name; an unknown name is an {@link IllegalArgumentException} naming it. */
  @com.fasterxml.jackson.annotation.JsonCreator
  public static ApprovalStatus parse(String s) {
    for (ApprovalStatus v : values()) {
      if (v.wire().equals(s)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown approval status `" + s + "`; expected one of pending, approved, rejected, expired");
  }
}
