package io.vectorgate.harness.impact;

import io.vectorgate.harness.replay.RecordedRequest;
import io.vectorgate.model.Decision;
import java.util.List;

/**
 * One request whose decision changes.
 *
 * @param group the caller's identity groups, sorted and joined with {@code ,} ({@code (no groups)} when none)
 * @param aspects for obligation changes the obligations that differ ({@code mask}, {@code strip_vectors},
 *     {@code row_filter}, {@code limit_cap}, {@code approval}, {@code audit}); for other kinds the reason codes added/removed
 * @param effects for obligation changes, what they do to this request: the forwarded request and the
 *     response the client would see, replayed through the adapter with both sides' obligations
 *     ({@link Effect#between}); empty for other kinds
 */
public record Change(
    RecordedRequest source,
    ChangeKind kind,
    String action,
    String collection,
    String group,
    Decision before,
    Decision after,
    List<String> aspects,
    List<Effect> effects) {

  public Change {
    aspects = List.copyOf(aspects);
    effects = List.copyOf(effects);
  }

  public Change withEffects(List<Effect> e) {
    return new Change(source, kind, action, collection, group, before, after, aspects, e);
  }
}
