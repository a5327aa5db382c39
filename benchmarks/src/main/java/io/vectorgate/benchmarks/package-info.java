/** Benchmarks (JMH and load drivers); results are written to docs/performance.md, never asserted in tests. */
package io.vectorgate.benchmarks;
