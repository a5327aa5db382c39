/** The plan engine: OPA's plan IR ({@code opa build -t plan}) read into records and evaluated natively on the JVM. */
package io.vectorgate.engine.plan;
