/** Reports for people and CI: terminal summary and progress bar, JUnit XML, JSON, self-contained HTML. */
package io.vectorgate.harness.report;
