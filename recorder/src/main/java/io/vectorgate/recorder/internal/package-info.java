/** Non-API parts of the recorder: canonical JSON, segment files, recovery and the writer loop. */
package io.vectorgate.recorder.internal;
