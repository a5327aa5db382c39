package io.vectorgate.approvals;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where approvals live: an embedded SQLite file (one gateway instance) or a PostgreSQL database
 * (several instances sharing approvals).
 */
public record StoreConfig(String jdbcUrl, String user, String password) {
  public StoreConfig {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:sqlite:") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("approval store URL must be jdbc:sqlite:... or jdbc:postgresql:..., was `"
          + jdbcUrl + "`");
    }
  }

  public static StoreConfig sqlite(Path file) {
    return new StoreConfig("jdbc:sqlite:" + file.toAbsolutePath(), null, null);
  }

  public static StoreConfig postgres(String url, String user, String password) {
    return new StoreConfig(url, user, password);
  }

  public boolean isSqlite() {
    return jdbcUrl.startsWith("jdbc:sqlite:");
  }

  @Override
  public String toString() {
    return "StoreConfig[" + jdbcUrl.replaceAll("password=[^&]*", "password=***") + "]";
  }
}
