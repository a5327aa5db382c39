/** The shipped Rego library as classpath resources: module list, sources, entrypoint and configuration schema. */
package io.vectorgate.rego;
