package io.vectorgate.dsl.diag;

/** The stable diagnostic codes. Codes are never reused for a different meaning. */
public final class Codes {
  private Codes() {}

  /** Syntax error. */
  public static final String SYNTAX = "VG001";
  /** Source too large or unreadable. */
  public static final String SOURCE = "VG002";
  /** A literal that cannot be represented (number out of range). */
  public static final String LITERAL = "VG003";

  /** Unknown action name. */
  public static final String UNKNOWN_ACTION = "VG101";
  /** Unknown role. */
  public static final String UNKNOWN_ROLE = "VG102";
  /** Unknown attribute (field kind) in a condition or row filter value. */
  public static final String UNKNOWN_ATTRIBUTE = "VG103";
  /** Unknown mask method. */
  public static final String UNKNOWN_MASK_METHOD = "VG104";
  /** A role defined twice. */
  public static final String DUPLICATE_ROLE = "VG105";
  /** A role whose name is an attribute name. */
  public static final String ROLE_SHADOWS_ATTRIBUTE = "VG106";
  /** Unknown time zone. */
  public static final String UNKNOWN_TIME_ZONE = "VG107";
  /** Invalid collection pattern. */
  public static final String BAD_PATTERN = "VG108";
  /** Unknown weekday. */
  public static final String UNKNOWN_WEEKDAY = "VG109";
  /** Invalid clock time. */
  public static final String BAD_CLOCK = "VG110";
  /** A second timezone declaration. */
  public static final String DUPLICATE_TIME_ZONE = "VG111";
  /** A number out of its allowed range (approvals, cap, duration). */
  public static final String OUT_OF_RANGE = "VG112";
  /** A reason code that is not snake_case. */
  public static final String BAD_REASON_CODE = "VG113";
  /** Roles defined in terms of each other. */
  public static final String ROLE_CYCLE = "VG114";
  /** An empty name (group, field, label key). */
  public static final String EMPTY_NAME = "VG115";

  /** An allow rule that can never contribute because an unconditional deny covers it. */
  public static final String UNREACHABLE_ALLOW = "VG201";
  /** The same rule written twice. */
  public static final String DUPLICATE_RULE = "VG202";
  /** An approval rule for actions that no allow rule of this policy allows. */
  public static final String APPROVAL_NEVER_ALLOWED = "VG203";

  /** A type error in a condition. */
  public static final String TYPE_ERROR = "VG301";
  /** A row filter whose value does not fit its operator. */
  public static final String ROW_FILTER_TYPE = "VG302";
}
