package io.vectorgate.harness.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Compiles a policy once per test class and injects a {@link io.vectorgate.harness.PolicyHarness}
 * into test methods, constructors and lifecycle methods:
 *
 * <pre>
 * &#64;VectorgatePolicy("policies")
 * class OrderServiceTrafficTest {
 *   &#64;Test
 *   void ourQueriesStayAllowed(PolicyHarness policy) {
 *     policy.assertTraffic(Path.of("src/test/resources/orders.traffic.yaml"));
 *   }
 * }
 * </pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(VectorgatePolicyExtension.class)
public @interface VectorgatePolicy {
  /**
   * The policy: a policy directory, a bundle ({@code .tar.gz}) or {@code git:REV[:PATH]}. Relative
   * paths resolve against the system property {@code vectorgate.policy.base} when set, else the
   * working directory.
   */
  String value();

  /** Also add the shipped Rego library (for a directory that only configures it with {@code data.json}). */
  boolean withLibrary() default false;

  /** Engine instances and replay threads. */
  int threads() default 2;
}
