/** A JUnit 5 extension so a Java service can assert its own traffic against the organisation's policies. */
package io.vectorgate.harness.junit;
