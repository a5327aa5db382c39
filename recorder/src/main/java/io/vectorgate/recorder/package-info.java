/** Session recording: the {@code vectorgate-record/v1} format, the hash-chained segment writer, reader, verifier and exporter. */
package io.vectorgate.recorder;
