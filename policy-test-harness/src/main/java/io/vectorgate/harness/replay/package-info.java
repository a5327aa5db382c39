/** Reading recorded traffic and rebuilding policy input from it through the gateway's own protocol adapters. */
package io.vectorgate.harness.replay;
