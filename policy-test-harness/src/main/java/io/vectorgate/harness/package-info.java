/** The policy test harness: run a policy directory's tests, replay recorded traffic, analyse the impact of a policy change. */
package io.vectorgate.harness;
