package io.vectorgate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;

/**
 * Chooses what to erase from a decision-log event before it is written, like OPA's
 * {@code data.system.log.mask}: it returns JSON pointers (RFC 6901) that must start with
 * {@code /input} or {@code /result}; the logger removes what they point at and lists them in the
 * event's {@code erased} field. Runs on the logger's writer thread, never on the request path.
 */
@FunctionalInterface
public interface DecisionLogMasker {

  /** Pointers to erase from {@code event} (the full event, with {@code input} and {@code result}). */
  List<String> pointersToErase(JsonNode event);

  /** Erases nothing. */
  DecisionLogMasker NONE = event -> List.of();

  /** Always erases the given pointers (those absent from an event are skipped). */
  static DecisionLogMasker erasing(String... pointers) {
    List<String> list = List.copyOf(Arrays.asList(pointers));
    for (String p : list) {
      if (!(p.equals("/input") || p.startsWith("/input/") || p.equals("/result") || p.startsWith("/result/"))) {
        throw new IllegalArgumentException("mask pointer `" + p + "` must start with /input or /result");
      }
    }
    return event -> list;
  }
}
