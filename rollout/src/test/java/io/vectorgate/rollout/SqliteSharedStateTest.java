package io.vectorgate.rollout;

/** {@link SharedStateContract} on a SQLite file (instances of one host, and the CLI). */
class SqliteSharedStateTest extends SharedStateContract {
  private int n;

  @Override
  String freshStore() {
    return tmp.resolve("rollout-" + (++n) + ".db").toString();
  }
}
