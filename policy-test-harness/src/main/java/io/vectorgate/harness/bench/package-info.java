/** The replay benchmark: decisions per second when re-deciding a large recording through the engine. */
package io.vectorgate.harness.bench;
