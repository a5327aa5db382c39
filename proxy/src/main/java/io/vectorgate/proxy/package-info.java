/** The gateway process: assembly of listeners, identity, policy engine and upstreams from one config file. */
package io.vectorgate.proxy;
