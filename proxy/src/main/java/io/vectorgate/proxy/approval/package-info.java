/** The approval gate of the request pipeline: holds or grants requests a policy sends for human approval. */
package io.vectorgate.proxy.approval;
