package io.vectorgate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vectorgate.cli.dev.DevIdp;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vectorgate dev idp}: development tools for trying a gateway by hand. */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = "Development tools: the sample personas' identity provider.",
    subcommands = {DevCommand.Idp.class})
public final class DevCommand {

  @Command(name = "idp", mixinStandardHelpOptions = true,
      description = {"Run the sample identity provider (mock-oauth2-server on 127.0.0.1) with the sample personas "
          + "until Ctrl-C: prints the issuer, the gateway's identity config and a token per persona; fresh tokens "
          + "come from the token endpoint (client_credentials, client_id = persona). For trying things by hand only: "
          + "anyone who reaches the port gets any persona's token."})
  static final class Idp implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--port", description = "port on 127.0.0.1 (0: a free one; default ${DEFAULT-VALUE})", defaultValue = "18080")
    int port;

    @Option(names = "--hours", description = "token lifetime in hours, 1..720 (default ${DEFAULT-VALUE})", defaultValue = "8")
    long hours;

    @Option(names = "--tokens-out", paramLabel = "FILE", description = "also write the tokens as JSON {persona: token}")
    Path tokensOut;

    @Option(names = "--persona", paramLabel = "NAME:GROUPS[:TENANT]",
        description = "an extra persona, e.g. gina:analysts,pii-readers:acme (repeatable)")
    List<String> extra = new ArrayList<>();

    /** Released to stop a running provider (tests); Ctrl-C stops it through the shutdown hook. */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      List<DevIdp.Persona> personas = new ArrayList<>(DevIdp.samplePersonas());
      try {
        if (port < 0 || port > 65535) {
          throw new IllegalArgumentException("--port must be 0..65535, was " + port);
        }
        if (hours < 1 || hours > 24 * 30) {
          throw new IllegalArgumentException("--hours must be 1..720, was " + hours);
        }
        for (String p : extra) {
          DevIdp.Persona added = DevIdp.Persona.parse(p);
          if (personas.stream().anyMatch(q -> q.subject().equals(added.subject()))) {
            throw new IllegalArgumentException("--persona `" + p + "`: a persona named `" + added.subject()
                + "` exists already");
          }
          personas.add(added);
        }
      } catch (IllegalArgumentException e) {
        err.println("dev idp: " + e.getMessage());
        return 2;
      }
      try (DevIdp idp = DevIdp.start(port, personas, hours * 3600)) {
        if (tokensOut != null) {
          Path parent = tokensOut.toAbsolutePath().getParent();
          Files.createDirectories(parent);
          Files.writeString(tokensOut, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(idp.tokens()));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(idp.describe(tokensOut == null ? null : tokensOut.toString()));
        out.println("\nStop: Ctrl-C");
        out.flush();
        Thread hook = new Thread(stop::countDown, "vectorgate-dev-idp-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
          stop.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting (Ctrl-C): the hook is running, nothing to remove
          }
        }
      }
      return 0;
    }
  }
}
