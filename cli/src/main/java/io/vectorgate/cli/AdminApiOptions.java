package io.vectorgate.cli;

import picocli.CommandLine.Option;

/**
 * Where a gateway's admin API is and who is calling: the options every command that talks to it
 * shares ({@code approvals}, {@code policy status|pin|rollback}). Used as a picocli mixin.
 */
class AdminApiOptions {
  @Option(names = "--gateway", defaultValue = "${env:VECTORGATE_GATEWAY}",
      description = "the gateway's admin API, e.g. http://127.0.0.1:9190 (env VECTORGATE_GATEWAY)")
  String gateway;

  @Option(names = "--token", defaultValue = "${env:VECTORGATE_TOKEN}",
      description = "your OIDC access token for the admin API (env VECTORGATE_TOKEN)")
  String token;

  /**
   * Why the admin API at {@code gateway} could not be reached, in one readable line. A port that
   * answers with HTTP/2 or gRPC frames (a listener, not the admin API) is named as such instead of
   * printing the frames; other messages lose their control characters.
   */
  static String unreachable(String what, String gateway, Exception e) {
    String m = String.valueOf(e.getMessage());
    boolean binary = m.contains("parsing HTTP/1.1 status line") || m.chars().anyMatch(c -> c < 0x20 && c != '\t');
    if (binary) {
      return "vectorgate: " + gateway + " is not " + what + ": it does not answer HTTP/1.1 (a gRPC or HTTP/2 port,"
          + " such as a Milvus listener?). The admin API is at the gateway config's admin.address, e.g. http://127.0.0.1:9190";
    }
    return "vectorgate: cannot reach " + what + " at " + gateway + ": " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + m);
  }
}
