package io.vectorgate.dsl.ast;

/**
 * {@code when C} (the rule applies only if C holds) and {@code unless U} (it does not apply if U
 * holds). Either may be null, meaning absent.
 */
public record Guards(Condition when, Condition unless) {
  public static final Guards NONE = new Guards(null, null);
}
