/** The harness as the test stage of a policy rollout (found by the rollout module through ServiceLoader). */
package io.vectorgate.harness.rollout;
