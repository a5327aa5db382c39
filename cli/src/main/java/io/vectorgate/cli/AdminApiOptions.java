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
}
