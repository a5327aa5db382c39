package io.vectorgate.recorder.index;

import java.util.List;

/** One page of results; {@code nextCursor} is null on the last page, else pass it to the next query. */
public record Page<T>(List<T> items, String nextCursor) {
  public Page {
    items = List.copyOf(items);
  }
}
