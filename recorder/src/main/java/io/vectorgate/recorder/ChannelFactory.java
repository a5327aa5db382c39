package io.vectorgate.recorder;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/** Opens segment files; injectable so tests can simulate a failing disk. */
@FunctionalInterface
public interface ChannelFactory {
  ChannelFactory DEFAULT = FileChannel::open;

  FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
}
