package io.vectorgate.proxy.config;

/** The configuration is invalid; the message names the file and the offending key path. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String keyPath;

  public ConfigException(String keyPath, String message) {
    super(keyPath + ": " + message);
    this.keyPath = keyPath;
  }

  public ConfigException(String keyPath, String message, Throwable cause) {
    super(keyPath + ": " + message, cause);
    this.keyPath = keyPath;
  }

  /** The offending key, e.g. {@code listeners[0].tls.cert_file}. */
  public String keyPath() {
    return keyPath;
  }
}
