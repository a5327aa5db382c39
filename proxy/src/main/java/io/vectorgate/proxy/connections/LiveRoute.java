package io.vectorgate.proxy.connections;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Where one listener's requests go now: the current route (its upstream client and what is bound
 * to it), swapped when the listener's connection changes, or a refusal when the connection was
 * removed or cannot be applied on this instance. A request takes a {@link Lease} once, when it
 * starts, and uses that route to the end: new requests use the new upstream while in-flight ones
 * finish on the old, which is closed when its last lease is released.
 *
 * @param <T> the route (e.g. an upstream client with its protocol layer)
 */
public final class LiveRoute<T> {
  /** A request's hold on one route; release it exactly once when the request ends. */
  public static final class Lease<T> implements AutoCloseable {
    private final Slot<T> slot;
    private final AtomicInteger released = new AtomicInteger();

    private Lease(Slot<T> slot) {
      this.slot = slot;
    }

    public T route() {
      return slot.value;
    }

    /** Releases the hold; further calls do nothing. */
    @Override
    public void close() {
      if (released.compareAndSet(0, 1)) {
        slot.release();
      }
    }
  }

  /** No route: the connection was removed, or its new definition cannot be used on this instance. */
  public static final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    public Unavailable(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    /** {@code connection_removed} or {@code connection_unavailable}. */
    public String code() {
      return code;
    }
  }

  /** A route and its holders: the live reference (while current) plus one per lease. */
  private static final class Slot<T> {
    final T value;
    final AtomicInteger holders = new AtomicInteger(1);
    final Consumer<T> closer;

    Slot(T value, Consumer<T> closer) {
      this.value = value;
      this.closer = closer;
    }

    boolean tryAcquire() {
      while (true) {
        int n = holders.get();
        if (n == 0) {
          return false; // retired and drained meanwhile
        }
        if (holders.compareAndSet(n, n + 1)) {
          return true;
        }
      }
    }

    void release() {
      if (holders.decrementAndGet() == 0) {
        closer.accept(value);
      }
    }
  }

  private record State<T>(Slot<T> slot, Unavailable refusal, T last) {}

  private final Consumer<T> closer;
  private volatile State<T> state;

  /**
   * @param initial the first route; with a {@code refusal}, only what {@link #last()} gives to
   *     render refusals (may then be null), never served
   * @param refusal null: serve {@code initial}; else refuse with it until {@link #serve}
   * @param closer closes a route that was replaced and is no longer leased
   */
  public LiveRoute(T initial, Unavailable refusal, Consumer<T> closer) {
    this.closer = Objects.requireNonNull(closer, "closer");
    if (refusal != null) {
      this.state = new State<>(null, refusal, initial);
    } else {
      this.state = new State<>(new Slot<>(Objects.requireNonNull(initial, "initial"), closer), null, initial);
    }
  }

  /** A route that never changes (no connections API). */
  public static <T> LiveRoute<T> fixed(T route) {
    return new LiveRoute<>(Objects.requireNonNull(route, "route"), null, r -> { });
  }

  /** The current route for one request; release the lease when the request ends. */
  public Lease<T> acquire() throws Unavailable {
    while (true) {
      State<T> s = state;
      if (s.slot() == null) {
        throw s.refusal();
      }
      if (s.slot().tryAcquire()) {
        return new Lease<>(s.slot());
      }
      // the slot was retired between the read and the acquire: read the state again
    }
  }

  /** The route new requests take from now on; the previous one closes when its last request ends. */
  public synchronized void serve(T next) {
    State<T> old = state;
    state = new State<>(new Slot<>(Objects.requireNonNull(next, "next"), closer), null, next);
    retire(old);
  }

  /** From now on requests are refused with {@code why}; the previous route closes when its last request ends. */
  public synchronized void refuse(Unavailable why) {
    State<T> old = state;
    state = new State<>(null, Objects.requireNonNull(why, "why"), old.last());
    retire(old);
  }

  /** The route served last (also while refusing), for rendering refusals in its protocol's shape; null if none. */
  public T last() {
    return state.last();
  }

  /** Whether requests are being refused. */
  public boolean refusing() {
    return state.slot() == null;
  }

  /** Closes the current route (at shutdown, once no request can start). */
  public synchronized void close() {
    State<T> old = state;
    state = new State<>(null, new Unavailable("shutting_down", "the gateway is shutting down"), old.last());
    retire(old);
  }

  private static <T> void retire(State<T> old) {
    if (old.slot() != null) {
      old.slot().release(); // the live reference
    }
  }
}
