package io.vectorgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vectorgate connections list|get|put|delete}: the gateway's upstream connections through
 * its admin API ({@code /v1/connections}, operator groups), so a change reaches every instance
 * sharing {@code admin.connections.store}. A credential is given by reference only
 * ({@code --credential-env NAME} or {@code --credential-file PATH}); there is no way to pass a
 * secret's value. Exit codes: 0 done, 1 the gateway refused (invalid connection, version moved,
 * not an operator, ...), 2 usage or connection errors.
 */
@Command(name = "connections", mixinStandardHelpOptions = true,
    description = "List, show, add or change, and remove upstream connections (admin API of the gateway).",
    subcommands = {ConnectionsCommand.ListCmd.class, ConnectionsCommand.Get.class, ConnectionsCommand.Put.class,
        ConnectionsCommand.Delete.class})
public final class ConnectionsCommand {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String PATH = "/v1/connections";

  /** One line per connection: id, source, version, kind, upstream, credential reference, listeners. */
  static void printEntry(PrintWriter out, JsonNode e) {
    JsonNode c = e.path("connection");
    String ref = c.path("credential").has("env") ? "env:" + c.path("credential").path("env").asText()
        : c.path("credential").has("file") ? "file:" + c.path("credential").path("file").asText() : "-";
    List<String> listeners = new ArrayList<>();
    e.path("listeners").forEach(l -> listeners.add(l.asText()));
    out.println(e.path("id").asText() + "  " + e.path("source").asText() + " v" + e.path("version").asLong() + "  "
        + (e.path("removed").asBoolean() ? "REMOVED" : c.isMissingNode() ? "UNUSABLE"
            : c.path("kind").asText() + " " + c.path("upstream").asText() + (c.path("upstream_tls").asBoolean()
                ? " (tls)" : "") + "  credential " + ref)
        + "  listeners " + (listeners.isEmpty() ? "-" : String.join(",", listeners))
        + (e.has("problem") ? "  (" + e.path("problem").asText() + ")" : ""));
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every connection in effect (YAML and API).")
  static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminApiOptions gw = new AdminApiOptions();

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    @Override
    public Integer call() {
      return RolloutCommand.callApi(spec, gw, () -> {
        JsonNode r = gw.call("GET", PATH, null);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(r.toPrettyString());
        } else {
          out.println("store revision " + r.path("store_revision").asLong());
          r.path("connections").forEach(e -> printEntry(out, e));
        }
        return 0;
      });
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "One connection, as JSON (with its version).")
  static final class Get implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminApiOptions gw = new AdminApiOptions();

    @Parameters(paramLabel = "ID", description = "the connection id")
    String id;

    @Override
    public Integer call() {
      return RolloutCommand.callApi(spec, gw, () -> {
        spec.commandLine().getOut().println(gw.call("GET", PATH + "/" + segment(id), null).toPrettyString());
        return 0;
      });
    }
  }

  /** The connection's settings as options (the YAML's keys); references only for the credential. */
  static final class Fields {
    @Option(names = "--kind", required = true, description = "milvus, chroma, qdrant or pinecone")
    String kind;

    @Option(names = "--upstream", required = true, description = "host:port of the database")
    String upstream;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Credential credential;

    @Option(names = "--upstream-tls", description = "connect to the upstream with TLS")
    Boolean upstreamTls;

    @Option(names = "--timeout-seconds", description = "upstream call timeout (default 60)")
    Long timeoutSeconds;

    @Option(names = "--row-filter-binding", description = "template (default) or literal")
    String rowFilterBinding;

    @Option(names = "--max-pre-read-ids", description = "largest id list a row-filtered write may address")
    Long maxPreReadIds;

    ObjectNode toJson() {
      ObjectNode o = JSON.createObjectNode().put("kind", kind).put("upstream", upstream);
      ObjectNode c = o.putObject("credential");
      if (credential.env != null) {
        c.put("env", credential.env);
      } else {
        c.put("file", credential.file);
      }
      if (upstreamTls != null) {
        o.put("upstream_tls", upstreamTls);
      }
      if (timeoutSeconds != null) {
        o.put("timeout_seconds", timeoutSeconds);
      }
      if (rowFilterBinding != null) {
        o.put("row_filter_binding", rowFilterBinding);
      }
      if (maxPreReadIds != null) {
        o.put("max_pre_read_ids", maxPreReadIds);
      }
      return o;
    }
  }

  /** The gateway's upstream credential, by reference. */
  static final class Credential {
    @Option(names = "--credential-env", paramLabel = "NAME", description = "environment variable holding it")
    String env;

    @Option(names = "--credential-file", paramLabel = "PATH", description = "absolute path of the file holding it")
    String file;
  }

  /** Either a JSON file (or - for standard input) or the settings as options. */
  static final class Source {
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "the connection as a JSON object (- reads stdin)")
    String file;

    @ArgGroup(exclusive = false)
    Fields fields;
  }

  @Command(name = "put", mixinStandardHelpOptions = true,
      description = "Add or replace a connection; every gateway sharing the store follows at its next poll.")
  static final class Put implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminApiOptions gw = new AdminApiOptions();

    @Parameters(paramLabel = "ID", description = "the connection id (what listeners name)")
    String id;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--if-match", paramLabel = "VERSION",
        description = "write only if the connection is at this version (0: as the YAML defines it)")
    Long ifMatch;

    @Option(names = "--if-absent", description = "write only if no connection has this id")
    boolean ifAbsent;

    @Override
    public Integer call() {
      return RolloutCommand.callApi(spec, gw, () -> {
        if (ifMatch != null && ifAbsent) {
          throw new IllegalArgumentException("give --if-match or --if-absent, not both");
        }
        String body;
        if (source.file != null) {
          body = source.file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
              : Files.readString(Path.of(source.file));
        } else {
          body = source.fields.toJson().toString();
        }
        String[] headers = ifMatch != null ? new String[] {"If-Match", "\"" + ifMatch + "\""}
            : ifAbsent ? new String[] {"If-None-Match", "*"} : new String[0];
        JsonNode r = gw.call("PUT", PATH + "/" + segment(id), body, headers);
        spec.commandLine().getOut().println("put " + id + ": version " + r.path("version").asLong()
            + " (applied on this gateway; the others follow at their next poll)");
        return 0;
      });
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Remove a connection (also one of the YAML): its listeners refuse with connection_removed.")
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminApiOptions gw = new AdminApiOptions();

    @Parameters(paramLabel = "ID", description = "the connection id")
    String id;

    @Option(names = "--if-match", paramLabel = "VERSION", description = "remove only if the connection is at this version")
    Long ifMatch;

    @Override
    public Integer call() {
      return RolloutCommand.callApi(spec, gw, () -> {
        JsonNode r = gw.call("DELETE", PATH + "/" + segment(id), null,
            ifMatch == null ? new String[0] : new String[] {"If-Match", "\"" + ifMatch + "\""});
        spec.commandLine().getOut().println("deleted " + id + ": version " + r.path("version").asLong()
            + " (listeners bound to it refuse; the others follow at their next poll)");
        return 0;
      });
    }
  }

  /** An id as one URL path segment; anything outside the id alphabet is refused before sending. */
  static String segment(String id) {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("a connection id is 1 to 64 letters, digits, `.`, `_` or `-`, starting with a"
          + " letter or digit; was `" + id + "`");
    }
    return id;
  }
}
