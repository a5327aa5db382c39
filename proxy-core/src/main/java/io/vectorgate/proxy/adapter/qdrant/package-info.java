/** The Qdrant REST adapter: routes and bodies to operations, row filters into every filter, masking of points in every response shape. */
package io.vectorgate.proxy.adapter.qdrant;
