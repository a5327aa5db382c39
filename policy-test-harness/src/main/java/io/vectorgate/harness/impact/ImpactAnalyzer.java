package io.vectorgate.harness.impact;

import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.DecisionEngine;
import io.vectorgate.harness.replay.Drift;
import io.vectorgate.harness.replay.InputRebuilder;
import io.vectorgate.harness.replay.RecordedRequest;
import io.vectorgate.harness.replay.ReplayError;
import io.vectorgate.harness.replay.Replayer;
import io.vectorgate.harness.replay.Traffic;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Obligations;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Re-decides every recorded request with a baseline and a candidate engine and reports what changes:
 * newly denied, newly allowed, obligations changed, reasons changed, grouped by action, collection and
 * identity group, with example requests; checked against the intended changes. An obligations change
 * is replayed through the adapter with both sides' obligations ({@link InputRebuilder#enforce}) and
 * carries its {@link Effect}s on the forwarded request and the client's response.
 */
public final class ImpactAnalyzer {
  /** Example requests kept per group. */
  public static final int EXAMPLES = 3;

  private ImpactAnalyzer() {}

  public static ImpactReport analyze(Traffic traffic, DecisionEngine baseline, String baselineName, String baselineRevision,
      DecisionEngine candidate, String candidateName, String candidateRevision, ImpactExpectations expectations,
      int threads, Replayer.Progress progress) {
    long start = System.nanoTime();
    InputRebuilder rebuilder = new InputRebuilder(traffic.state());
    List<Replayer.Replayed> replayed = Replayer.replay(traffic.requests(), rebuilder, List.of(baseline, candidate),
        threads, progress);
    List<Change> changes = new ArrayList<>();
    List<ReplayError> errors = new ArrayList<>();
    List<ReplayError> unreplayable = new ArrayList<>();
    Map<String, List<Drift>> drift = new LinkedHashMap<>();
    int decided = 0;
    int refusedAsRecorded = 0;
    for (Replayer.Replayed r : replayed) {
      if (!r.rebuilt().ok()) {
        ReplayError e = r.rebuilt().error();
        Decision recorded = r.source().decision();
        if (recorded != null && !recorded.allow() && recorded.reasonCodes().contains(e.code())) {
          refusedAsRecorded++;
        } else if (ImpactExpectations.UNREPLAYABLE_CODES.contains(e.code())
            && expectations.unreplayable() != io.vectorgate.rollout.ImpactExpectationsFile.Unreplayable.FAIL) {
          unreplayable.add(e);
        } else {
          errors.add(e);
        }
        continue;
      }
      decided++;
      if (!r.rebuilt().drift().isEmpty()) {
        drift.put(r.source().id(), r.rebuilt().drift());
      }
      Change c = compare(r.source(), r.decisions().get(0), r.decisions().get(1));
      if (c != null && c.kind() == ChangeKind.OBLIGATIONS_CHANGED) {
        c = c.withEffects(Effect.between(rebuilder.enforce(r.rebuilt(), c.before().obligations()),
            rebuilder.enforce(r.rebuilt(), c.after().obligations())));
      }
      if (c != null) {
        changes.add(c);
      }
    }
    Map<ChangeKind, Integer> counts = new EnumMap<>(ChangeKind.class);
    for (ChangeKind k : ChangeKind.values()) {
      counts.put(k, 0);
    }
    changes.forEach(c -> counts.merge(c.kind(), 1, Integer::sum));
    // which intended entry covers each change
    Map<Integer, Long> used = new HashMap<>();
    Map<Change, ImpactExpectations.Intended> cover = new HashMap<>();
    for (Change c : changes) {
      for (ImpactExpectations.Intended in : expectations.intended()) {
        if (in.matches(c)) {
          cover.put(c, in);
          used.merge(in.index(), 1L, Long::sum);
          break;
        }
      }
    }
    List<String> notObserved = new ArrayList<>();
    for (ImpactExpectations.Intended in : expectations.intended()) {
      long n = used.getOrDefault(in.index(), 0L);
      if (n == 0) {
        notObserved.add(in.location() + ": intended change `" + in.describe() + "` did not occur in the traffic");
      } else if (in.max() != null && n > in.max()) {
        notObserved.add(in.location() + ": intended change `" + in.describe() + "` occurred " + n
            + " times, more than its max " + in.max());
      }
    }
    List<ImpactGroup> groups = group(changes, cover);
    return new ImpactReport(baselineName, baselineRevision, candidateName, candidateRevision, traffic.source(),
        traffic.requests().size(), decided, decided - changes.size(), counts, groups, changes, errors, refusedAsRecorded,
        drift, notObserved, unreplayable, expectations.unreplayable(), System.nanoTime() - start);
  }

  private record Key(ChangeKind kind, String action, String collection, String group) {}

  private static List<ImpactGroup> group(List<Change> changes, Map<Change, ImpactExpectations.Intended> cover) {
    Map<Key, List<Change>> byKey = new LinkedHashMap<>();
    for (Change c : changes) {
      byKey.computeIfAbsent(new Key(c.kind(), c.action(), c.collection(), c.group()), k -> new ArrayList<>()).add(c);
    }
    List<ImpactGroup> out = new ArrayList<>();
    byKey.forEach((k, cs) -> {
      TreeSet<String> aspects = new TreeSet<>();
      cs.forEach(c -> aspects.addAll(c.aspects()));
      boolean expected = cs.stream().allMatch(cover::containsKey);
      TreeSet<String> by = new TreeSet<>();
      cs.stream().map(cover::get).filter(Objects::nonNull).forEach(i -> by.add(i.describe()));
      out.add(new ImpactGroup(k.kind(), k.action(), k.collection(), k.group(), cs.size(), List.copyOf(aspects),
          List.copyOf(cs.subList(0, Math.min(EXAMPLES, cs.size()))), expected, String.join("; ", by)));
    });
    out.sort(Comparator.comparing(ImpactGroup::kind).thenComparing(Comparator.comparingInt(ImpactGroup::count).reversed())
        .thenComparing(ImpactGroup::action).thenComparing(ImpactGroup::collection).thenComparing(ImpactGroup::group));
    return out;
  }

  /** The change between two decisions of one request, or null when there is none. */
  static Change compare(RecordedRequest r, Decision before, Decision after) {
    ChangeKind kind;
    List<String> aspects = new ArrayList<>();
    if (before.allow() && !after.allow()) {
      kind = ChangeKind.NEWLY_DENIED;
      aspects.addAll(after.reasonCodes().stream().sorted().distinct().toList());
    } else if (!before.allow() && after.allow()) {
      kind = ChangeKind.NEWLY_ALLOWED;
      aspects.addAll(before.reasonCodes().stream().sorted().distinct().toList());
    } else {
      if (before.allow()) {
        aspects.addAll(obligationDiff(before.obligations(), after.obligations()));
      }
      if (!aspects.isEmpty()) {
        kind = ChangeKind.OBLIGATIONS_CHANGED;
      } else if (!new TreeSet<>(before.reasonCodes()).equals(new TreeSet<>(after.reasonCodes()))) {
        kind = ChangeKind.REASONS_CHANGED;
        TreeSet<String> added = new TreeSet<>(after.reasonCodes());
        added.removeAll(before.reasonCodes());
        TreeSet<String> removed = new TreeSet<>(before.reasonCodes());
        removed.removeAll(after.reasonCodes());
        added.forEach(a -> aspects.add("+" + a));
        removed.forEach(a -> aspects.add("-" + a));
      } else {
        return null;
      }
    }
    String action = r.operation() == null ? "unknown" : r.operation().action().wireName();
    String coll = r.collection() == null ? "(none)" : r.collection();
    // the rebuilt operation is what was decided; prefer its action/collection when the record has none
    return new Change(r, kind, action, coll, groupOf(r), before, after, List.copyOf(aspects), List.of());
  }

  static String groupOf(RecordedRequest r) {
    List<String> g = r.identity().groups().stream().sorted().toList();
    return g.isEmpty() ? "(no groups)" : String.join(",", g);
  }

  static List<String> obligationDiff(Obligations a, Obligations b) {
    List<String> out = new ArrayList<>();
    if (!new TreeSet<>(json(a.mask())).equals(new TreeSet<>(json(b.mask())))) {
      out.add("mask");
    }
    if (a.stripVectors() != b.stripVectors()) {
      out.add("strip_vectors");
    }
    if (!new TreeSet<>(json(a.rowFilter())).equals(new TreeSet<>(json(b.rowFilter())))) {
      out.add("row_filter");
    }
    if (!Objects.equals(a.limitCap(), b.limitCap())) {
      out.add("limit_cap");
    }
    if (!Objects.equals(normalizedApproval(a), normalizedApproval(b))) {
      out.add("approval");
    }
    if (!Objects.equals(ContractJson.mapper().valueToTree(a.audit()), ContractJson.mapper().valueToTree(b.audit()))) {
      out.add("audit");
    }
    return out;
  }

  private static Object normalizedApproval(Obligations o) {
    if (o.approval() == null) {
      return null;
    }
    return List.of(new TreeSet<>(o.approval().approverGroups()), o.approval().minApprovals(), o.approval().expiresInSeconds());
  }

  private static List<String> json(List<?> items) {
    return items.stream().map(i -> ContractJson.mapper().valueToTree(i).toString()).toList();
  }
}
