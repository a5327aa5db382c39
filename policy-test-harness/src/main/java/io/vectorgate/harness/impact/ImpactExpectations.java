package io.vectorgate.harness.impact;

import io.vectorgate.harness.HarnessException;
import io.vectorgate.rollout.ImpactExpectationsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The changes a policy change intends ({@value #VERSION}), as {@code vectorgate impact} uses them.
 * The file is read by the one parser the rollout's impact stage uses too,
 * {@link ImpactExpectationsFile} (its class comment has the format); errors name {@code file:line:col}.
 *
 * <p>A change matching no entry is unexpected and fails the run; an entry matching no change, or more than
 * its {@code max}, fails it too. {@code unreplayable} says how records the harness cannot replay
 * (recorded without payloads: {@code payload_not_recorded}; {@code unsupported_kind}) count: as
 * errors that fail the run, counted and listed without failing it, or counted only.
 */
public record ImpactExpectations(Path file, List<Intended> intended, ImpactExpectationsFile.Unreplayable unreplayable) {
  public static final String VERSION = ImpactExpectationsFile.VERSION;

  /** One intended change; null fields match anything. */
  public record Intended(int index, String location, ChangeKind change, String action, String collection, String group,
      String obligation, Long max, String note) {
    public boolean matches(Change c) {
      return change == c.kind()
          && (action == null || action.equals(c.action()))
          && (collection == null || collection.equals(c.collection()))
          && (group == null || c.source().identity().groups().contains(group))
          && (obligation == null || c.aspects().contains(obligation));
    }

    public String describe() {
      return new ImpactExpectationsFile.Entry(index, 0, 0, change.wireName(), action, collection, group, obligation, max,
          note).describe();
    }
  }

  /** The harness codes of records it cannot replay (an adapter's refusal is never one of them). */
  public static final Set<String> UNREPLAYABLE_CODES = Set.of("payload_not_recorded", "unsupported_kind");

  public static ImpactExpectations none() {
    return new ImpactExpectations(null, List.of(), ImpactExpectationsFile.Unreplayable.FAIL);
  }

  /** Reads {@code file} (named as given in errors); an unusable file is a {@link HarnessException} at {@code file:line:col}. */
  public static ImpactExpectations read(Path file) {
    ImpactExpectationsFile f;
    try {
      f = ImpactExpectationsFile.read(file, file.toString());
    } catch (ImpactExpectationsFile.Invalid e) {
      throw new HarnessException(e.location(), e.detail(), e);
    }
    List<Intended> out = new ArrayList<>();
    for (ImpactExpectationsFile.Entry e : f.intended()) {
      out.add(new Intended(e.index(), e.where(f.shown()), ChangeKind.fromWireName(e.change()), e.action(),
          e.collection(), e.group(), e.obligation(), e.max(), e.note()));
    }
    return new ImpactExpectations(file, List.copyOf(out), f.unreplayable());
  }
}
