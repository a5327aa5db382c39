package io.vectorgate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.vectorgate.recorder.RecordingCorruptException;
import io.vectorgate.recorder.RecordingStore;
import io.vectorgate.recorder.SessionTranscript;
import io.vectorgate.recorder.VerifyReport;
import io.vectorgate.recorder.index.IndexConfig;
import io.vectorgate.recorder.index.IndexedRecord;
import io.vectorgate.recorder.index.Page;
import io.vectorgate.recorder.index.RecordQuery;
import io.vectorgate.recorder.index.SessionSummary;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vectorgate sessions list|show|export|verify}: reads a gateway's recording directory (the
 * hash-chained session log) and its index. Exit codes: 0 done (verify: the chain is intact), 1 verify
 * found a problem or the session is unknown, 2 usage errors or an unreadable recording.
 */
@Command(name = "sessions", mixinStandardHelpOptions = true,
    description = "List, show, export and verify recorded sessions (the gateway's session log).",
    subcommands = {SessionsCommand.ListCmd.class, SessionsCommand.Show.class, SessionsCommand.Export.class,
        SessionsCommand.Verify.class})
public final class SessionsCommand {
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /** The recording and its index. */
  static class Store {
    @Option(names = {"-d", "--dir"}, required = true, description = "the recording directory (recording.directory)")
    Path dir;

    @Option(names = "--index", defaultValue = "sqlite",
        description = "the index: sqlite (beside the segments, default), postgres or none (scan the segments)")
    String index;

    @Option(names = "--postgres-url", description = "JDBC URL of the PostgreSQL index (with --index postgres)")
    String postgresUrl;

    @Option(names = "--postgres-user", description = "PostgreSQL user")
    String postgresUser;

    @Option(names = "--postgres-password-env", description = "environment variable holding the PostgreSQL password")
    String postgresPasswordEnv;

    RecordingStore open() throws IOException {
      IndexConfig cfg = switch (index) {
        case "sqlite" -> IndexConfig.sqlite(dir.resolve("index.sqlite"));
        case "none" -> IndexConfig.none();
        case "postgres" -> IndexConfig.postgres(postgresUrl, postgresUser,
            postgresPasswordEnv == null ? null : System.getenv(postgresPasswordEnv));
        default -> throw new IllegalArgumentException("--index must be sqlite, postgres or none, was `" + index + "`");
      };
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("`" + dir + "` does not exist or is not a directory; -d takes the gateway's recording.directory");
      }
      if (!isRecording(dir)) {
        String hint = subRecording(dir);
        throw new IllegalArgumentException("`" + dir + "` is not a recording directory (no segment-*.jsonl, no index.sqlite)"
            + (hint != null ? "; did you mean `" + hint + "`?" : "; -d takes the gateway's recording.directory"));
      }
      if (cfg.kind() == IndexConfig.Kind.SQLITE && !Files.exists(cfg.sqliteFile())) {
        throw new IllegalArgumentException("`" + dir + "` has segments but no index.sqlite (recording.index: none?);"
            + " pass --index none to scan the segments");
      }
      return RecordingStore.open(dir, cfg);
    }

    private static boolean isRecording(Path d) throws IOException {
      if (Files.exists(d.resolve("index.sqlite"))) {
        return true;
      }
      try (var files = Files.list(d)) {
        return files.anyMatch(f -> f.getFileName().toString().startsWith("segment-"));
      }
    }

    /** A direct subdirectory that is a recording (`.demo` -> `.demo/recording`), or null. */
    private static String subRecording(Path d) throws IOException {
      try (var subs = Files.list(d)) {
        for (Path s : subs.filter(Files::isDirectory).sorted().toList()) {
          if (isRecording(s)) {
            return s.toString();
          }
        }
      }
      return null;
    }
  }

  /** The filters shared by list and export. */
  static class Filters {
    @Option(names = "--subject", description = "the caller's subject") String subject;
    @Option(names = "--group", description = "a group of the caller") String group;
    @Option(names = "--collection", description = "the collection") String collection;
    @Option(names = "--action", description = "the normalized action (search, query, delete, ...)") String action;
    @Option(names = "--decision", description = "allow or deny") String decision;
    @Option(names = "--from", description = "from this time (inclusive, RFC 3339, e.g. 2025-01-02T00:00:00Z)") Instant from;
    @Option(names = "--to", description = "until this time (exclusive)") Instant to;
    @Option(names = "--session", description = "one session id") String session;
    @Option(names = "--connection", description = "the upstream connection name") String connection;
    @Option(names = "--kind", description = "entry kind: request (default), session_start, session_end, approval, * (all)")
    String kind;

    RecordQuery.Builder query() {
      Boolean allow = null;
      if (decision != null) {
        allow = switch (decision) {
          case "allow", "allowed" -> Boolean.TRUE;
          case "deny", "denied" -> Boolean.FALSE;
          default -> throw new IllegalArgumentException("--decision must be allow or deny, was `" + decision + "`");
        };
      }
      return RecordQuery.builder().subject(subject).group(group).collection(collection).action(action).allow(allow)
          .from(from).to(to).sessionId(session).connection(connection).kind(kind);
    }
  }

  @FunctionalInterface
  interface Body {
    int run(RecordingStore store, PrintWriter out) throws IOException;
  }

  static int run(CommandSpec spec, Store store, Body body) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (RecordingStore s = store.open()) {
      int rc = body.run(s, out);
      out.flush();
      return rc;
    } catch (RecordingCorruptException e) {
      err.println("vectorgate: the recording is damaged: " + e.getMessage() + " (run `vectorgate sessions verify`)");
      return 2;
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("vectorgate: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("vectorgate: cannot read the recording `" + store.dir + "`: " + e.getMessage());
      return 2;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List recorded requests (or, with --sessions, sessions) matching the filters, oldest first, paged.")
  static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Store store;
    @ArgGroup(exclusive = false) Filters filters = new Filters();

    @Option(names = "--sessions", description = "list sessions instead of requests")
    boolean sessions;

    @Option(names = "--limit", defaultValue = "100", description = "page size (1..10000, default 100)")
    int limit;

    @Option(names = "--cursor", description = "the cursor printed after the previous page")
    String cursor;

    @Option(names = "--json", description = "one JSON object per line")
    boolean json;

    @Override
    public Integer call() {
      return run(spec, store, (s, out) -> {
        RecordQuery q = filters.query().limit(limit).cursor(cursor).build();
        String next;
        if (sessions) {
          Page<SessionSummary> page = s.sessions(q);
          Table t = new Table("SESSION", "SUBJECT", "CLIENT", "TRANSPORT", "STARTED", "ENDED", "REQUESTS");
          for (SessionSummary x : page.items()) {
            if (json) {
              out.println(JSON.writeValueAsString(x));
            } else {
              t.row(x.sessionId(), x.subject(), x.clientAddress(), x.transport(), x.started(),
                  x.ended() == null ? "open" : x.ended(),
                  x.requests() + " (allowed " + x.allowed() + ", denied " + x.denied() + ")");
            }
          }
          if (!json) {
            t.print(out);
          }
          next = page.nextCursor();
        } else {
          Page<IndexedRecord> page = s.list(q);
          Table t = new Table("RECORD", "TIME", "SUBJECT", "ACTION", "COLLECTION", "DECISION", "REASONS", "SESSION");
          for (IndexedRecord r : page.items()) {
            if (json) {
              out.println(JSON.writeValueAsString(r));
            } else {
              t.row(r.recordId(), r.time(), r.subject(), r.action() == null ? r.kind() : r.action(), r.collection(),
                  r.allow() == null ? null : r.allow() ? "ALLOW" : "DENY", String.join(",", r.reasonCodes()),
                  r.sessionId());
            }
          }
          if (!json) {
            t.print(out);
          }
          next = page.nextCursor();
        }
        if (next != null) {
          (json ? spec.commandLine().getErr() : out).println("next page: --cursor " + next);
        }
        return 0;
      });
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show one session readably, request by request (or as JSON).")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Store store;

    @Parameters(index = "0", description = "the session id")
    String session;

    @Option(names = "--json", description = "the entries as JSON lines, as stored")
    boolean json;

    @Override
    public Integer call() {
      return run(spec, store, (s, out) -> {
        SessionTranscript t = s.show(session);
        if (t.entries().isEmpty() && t.summary() == null) {
          spec.commandLine().getErr().println("vectorgate: no session `" + session + "` in " + store.dir);
          return 1;
        }
        if (json) {
          for (var e : t.entries()) {
            out.println(JSON.writeValueAsString(e));
          }
        } else {
          RecordingStore.render(t, out);
        }
        return 0;
      });
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Export matching entries as JSONL for audit, each line exactly as stored (hashes checkable).")
  static final class Export implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Store store;
    @ArgGroup(exclusive = false) Filters filters = new Filters();

    @Option(names = {"-o", "--output"}, description = "write to this file instead of standard output")
    Path output;

    @Override
    public Integer call() {
      return run(spec, store, (s, out) -> {
        RecordQuery q = filters.query().build();
        long n;
        if (output != null) {
          try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(output))) {
            n = s.export(q, os);
          }
          spec.commandLine().getErr().println("exported " + n + " entries to " + output);
        } else {
          n = s.export(q, new LineWriterStream(out));
          out.flush();
        }
        return 0;
      });
    }
  }

  /** JSONL bytes to the command's writer, decoded line by line (lines are UTF-8 and end with a newline). */
  static final class LineWriterStream extends OutputStream {
    private final PrintWriter out;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    LineWriterStream(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void write(int b) {
      line.write(b);
      if (b == '\n') {
        out.print(line.toString(java.nio.charset.StandardCharsets.UTF_8));
        line.reset();
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    @Override
    public void flush() {
      if (line.size() > 0) {
        out.print(line.toString(java.nio.charset.StandardCharsets.UTF_8));
        line.reset();
      }
      out.flush();
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Check the hash chain; report the first tampered, missing or reordered entry.")
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Store store;

    @Option(names = "--json", description = "the report as JSON")
    boolean json;

    @Override
    public Integer call() {
      return run(spec, store, (s, out) -> {
        VerifyReport r = s.verify();
        if (json) {
          out.println(JSON.writeValueAsString(r));
        } else {
          out.println((r.ok() ? "OK" : "FAILED") + ": " + r.entries() + " entries in " + r.segments()
              + " segment(s), seq " + r.firstSeq() + ".." + r.lastSeq());
          if (!r.ok()) {
            out.println("first problem: " + r.firstProblem());
            if (r.problems().size() > 1) {
              out.println("(" + (r.problems().size() - 1) + " more)");
              r.problems().stream().skip(1).limit(20).forEach(p -> out.println("  " + p));
            }
          }
          r.notes().forEach(n -> out.println("note: " + n));
        }
        return r.ok() ? 0 : 1;
      });
    }
  }
}
