/** Traffic tests: files of recorded or inline requests with (partial) expected decisions, and snapshots of today's decisions. */
package io.vectorgate.harness.traffic;
