/** The lookup index over recorded traffic (SQLite embedded, PostgreSQL shared), rebuildable from the segments. */
package io.vectorgate.recorder.index;
