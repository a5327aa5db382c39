package io.vectorgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.approvals.ApprovalJson;
import io.vectorgate.approvals.ApprovalException;
import io.vectorgate.approvals.admin.AdminClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vectorgate approvals list|show|approve|reject}: the approver's side of held requests,
 * over the gateway's admin REST API, so an approval given here reaches every gateway instance
 * sharing the approval store. Exit codes: 0 done, 1 the gateway refused (not an approver, own
 * request, already answered, expired, ...), 2 usage or connection errors.
 */
@Command(name = "approvals", mixinStandardHelpOptions = true,
    description = "List, show, approve and reject requests held for approval (admin API of the gateway).",
    subcommands = {ApprovalsCommand.ListCmd.class, ApprovalsCommand.Show.class, ApprovalsCommand.Approve.class,
        ApprovalsCommand.Reject.class})
public final class ApprovalsCommand {

  /** Where the admin API is and who is calling, and the client for it. */
  static class Connection extends AdminApiOptions {
    AdminClient client() {
      if (gateway == null || gateway.isBlank()) {
        throw new IllegalArgumentException("no gateway: pass --gateway http://host:port or set VECTORGATE_GATEWAY");
      }
      return new AdminClient(URI.create(gateway.strip()), token);
    }
  }

  @FunctionalInterface
  interface Call {
    int run(AdminClient c, PrintWriter out) throws IOException, InterruptedException, AdminClient.ApiError;
  }

  static int call(CommandSpec spec, Connection conn, Call body) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      return body.run(conn.client(), out);
    } catch (AdminClient.ApiError e) {
      err.println("vectorgate: refused (HTTP " + e.status() + ", " + e.code() + "): " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException | ApprovalException e) {
      err.println("vectorgate: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println(AdminApiOptions.unreachable("the approvals API", conn.gateway, e));
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("vectorgate: interrupted");
      return 2;
    }
  }

  static String line(JsonNode a) {
    return String.format("%s %s %s %s  expires %s  %s", a.path("id").asText(), a.path("status").asText(),
        a.path("requester").path("subject").asText(), votes(a), a.path("expires_at").asText(),
        a.path("summary").path("text").asText());
  }

  /** Approvals given / approvals needed, e.g. {@code 1/2}. */
  static String votes(JsonNode a) {
    long approvals = 0;
    for (JsonNode v : a.path("votes")) {
      approvals += v.path("approve").asBoolean() ? 1 : 0;
    }
    return approvals + "/" + a.path("min_approvals").asInt();
  }

  static void pretty(PrintWriter out, JsonNode n) throws IOException {
    out.println(ApprovalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(n));
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Approvals you may see, newest first (default: pending ones).")
  static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin Connection conn = new Connection();

    @Option(names = "--status", defaultValue = "pending", description = "pending, approved, rejected, expired or all")
    String status;

    @Option(names = "--limit", defaultValue = "100", description = "at most this many (1-1000)")
    int limit;

    @Option(names = "--json", description = "print the API's JSON")
    boolean json;

    @Override
    public Integer call() {
      return ApprovalsCommand.call(spec, conn, (c, out) -> {
        JsonNode r = c.list(status, limit);
        if (json) {
          pretty(out, r);
        } else {
          Table t = new Table("ID", "STATUS", "REQUESTER", "VOTES", "EXPIRES", "SUMMARY");
          for (JsonNode a : r.path("approvals")) {
            t.row(a.path("id").asText(), a.path("status").asText(), a.path("requester").path("subject").asText(),
                votes(a), a.path("expires_at").asText(), a.path("summary").path("text").asText());
          }
          t.print(out);
          out.println(r.path("approvals").size() + " approval(s)");
        }
        return 0;
      });
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One approval in full (JSON): requester, summary, fingerprint, votes.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin Connection conn = new Connection();

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      return ApprovalsCommand.call(spec, conn, (c, out) -> {
        pretty(out, c.show(id));
        return 0;
      });
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a request (you must hold one of its approver groups and not be its requester).")
  static final class Approve implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin Connection conn = new Connection();

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = "--comment", description = "why you approve")
    String comment;

    @Option(names = "--uses", defaultValue = "1", description = "how many identical requests the grant releases (default 1)")
    int uses;

    @Override
    public Integer call() {
      return ApprovalsCommand.call(spec, conn, (c, out) -> {
        JsonNode a = c.approve(id, comment, uses);
        out.println(a.path("status").asText().equals("approved") ? "approved: " + line(a)
            : "your approval is recorded; still pending: " + line(a));
        return 0;
      });
    }
  }

  @Command(name = "reject", mixinStandardHelpOptions = true, description = "Reject a request; a reason is required.")
  static final class Reject implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin Connection conn = new Connection();

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = "--reason", required = true, description = "why (the requester sees it)")
    String reason;

    @Override
    public Integer call() {
      return ApprovalsCommand.call(spec, conn, (c, out) -> {
        out.println("rejected: " + line(c.reject(id, reason)));
        return 0;
      });
    }
  }
}
