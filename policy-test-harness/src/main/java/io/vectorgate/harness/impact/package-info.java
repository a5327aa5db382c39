/** Impact analysis: re-decide recorded traffic with a baseline and a candidate policy and report what changes. */
package io.vectorgate.harness.impact;
