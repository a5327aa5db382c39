package io.vectorgate.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** The state of a single gateway process (nothing shared, nothing kept across restarts). */
public final class InMemoryRolloutState implements RolloutState {
  private static final int MAX_HISTORY = 1000;
  private Pin pin;
  private final TreeMap<String, InstanceReport> instances = new TreeMap<>();
  private final List<HistoryEvent> history = new ArrayList<>();
  private long nextId = 1;

  @Override
  public synchronized Optional<Pin> pin() {
    return Optional.ofNullable(pin);
  }

  @Override
  public synchronized void setPin(Pin p) {
    pin = p;
  }

  @Override
  public synchronized void clearPin() {
    pin = null;
  }

  @Override
  public synchronized void heartbeat(InstanceReport report) {
    instances.put(report.instanceId(), report);
  }

  @Override
  public synchronized List<InstanceReport> instances() {
    return List.copyOf(instances.values());
  }

  @Override
  public synchronized void append(HistoryEvent e) {
    history.add(new HistoryEvent(nextId++, e.at(), e.instanceId(), e.revision(), e.outcome(), e.stage(), e.message()));
    if (history.size() > MAX_HISTORY) {
      history.remove(0);
    }
  }

  @Override
  public synchronized List<HistoryEvent> history(int limit) {
    List<HistoryEvent> out = new ArrayList<>();
    for (int i = history.size() - 1; i >= 0 && out.size() < limit; i--) {
      out.add(history.get(i));
    }
    return out;
  }
}
