/** The scale-out suite: three gateway JVMs behind HAProxy on shared PostgreSQL, Milvus Lite and Chroma. */
package io.vectorgate.proxy.scaleout;
