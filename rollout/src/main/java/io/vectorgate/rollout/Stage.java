package io.vectorgate.rollout;

import java.util.Locale;

/** The named steps a revision goes through before it is active, in order. */
public enum Stage {
  /** Ask the source for its newest revision (git fetch, bundle download and signature check). */
  FETCH,
  /** Materialise the revision's files in a fresh staging folder. */
  CHECKOUT,
  /** DSL and Rego compiled into a Wasm bundle stamped with the revision. */
  COMPILE,
  /** The repository's own policy tests. */
  TEST,
  /** Decisions of a traffic sample compared with the active policy, against the intended changes. */
  IMPACT,
  /** The bundle loaded into a throwaway engine and evaluated. */
  SMOKE,
  /** The atomic swap in the live engine. */
  ACTIVATE;

  /** Lower-case name used in logs, metrics and JSON. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Stage fromWireName(String s) {
    for (Stage st : values()) {
      if (st.wireName().equals(s)) {
        return st;
      }
    }
    throw new IllegalArgumentException("unknown stage `" + s + "`");
  }
}
