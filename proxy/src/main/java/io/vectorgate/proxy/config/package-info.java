/** The gateway's one YAML configuration file, loaded strictly into immutable records at start-up. */
package io.vectorgate.proxy.config;
