package io.vectorgate.dsl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.dsl.ast.Actions;
import io.vectorgate.dsl.ast.Condition;
import io.vectorgate.dsl.ast.Guards;
import io.vectorgate.dsl.ast.Name;
import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.ast.ReasonSpec;
import io.vectorgate.dsl.ast.Span;
import io.vectorgate.dsl.ast.Statement;
import io.vectorgate.dsl.ast.Str;
import io.vectorgate.dsl.ast.Subjects;
import io.vectorgate.dsl.ast.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Generators of well-formed, well-typed policy ASTs (spans {@link Span#NONE}) and of policy inputs
 * drawn from the same small vocabulary, so that generated rules actually match generated requests.
 * Built on a seeded {@link Random} inside jqwik's {@code randomValue}, so jqwik controls the seed.
 */
final class PolicyArbitraries {
  static final List<String> GROUPS = List.of("g1", "g2", "g3", "a1");
  static final List<String> ACTION_WORDS = List.of("search", "query", "get", "delete", "insert", "drop_collection",
      "read", "write", "destructive");
  static final List<String> INPUT_ACTIONS = List.of("search", "query", "get", "delete", "insert", "drop_collection",
      "delete_all", "describe", "count");
  static final List<String> PATTERNS = List.of("c1", "c2", "prod*", "prod-?", "docs/*", "docs/**", "customers");
  static final List<String> COLLECTIONS = List.of("c1", "c2", "prod-a", "prod-ab", "docs/x", "docs/x/y", "customers");
  static final List<String> TENANTS = List.of("t1", "t2");
  static final List<String> ZONES = List.of("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata");

  private PolicyArbitraries() {}

  static Arbitrary<PolicyFile> policies() {
    return Arbitraries.randomValue(r -> new Gen(r).policy());
  }

  static Arbitrary<ObjectNode> inputs() {
    return Arbitraries.randomValue(PolicyArbitraries::input);
  }

  /** One generation run over one random source. */
  static final class Gen {
    private final Random r;
    private final List<String> roles = new ArrayList<>();
    private int ruleIndex = 0;

    Gen(Random r) {
      this.r = r;
    }

    private <T> T pick(List<T> xs) {
      return xs.get(r.nextInt(xs.size()));
    }

    private boolean chance(double p) {
      return r.nextDouble() < p;
    }

    private <T> List<T> some(List<T> xs, int min, int max) {
      List<T> pool = new ArrayList<>(xs);
      java.util.Collections.shuffle(pool, r);
      return List.copyOf(pool.subList(0, min + r.nextInt(max - min + 1)));
    }

    private List<String> comments() {
      return chance(0.2) ? List.of(pick(List.of("why this rule exists", "ticket SEC-12", ""))) : List.of();
    }

    PolicyFile policy() {
      List<Statement> st = new ArrayList<>();
      if (chance(0.5)) {
        st.add(new Statement.TimezoneDecl(Str.of(pick(ZONES)), comments(), Span.NONE));
      }
      int nRoles = r.nextInt(3);
      for (int i = 0; i < nRoles; i++) {
        String name = "r" + i;
        Condition def = condition(1);
        roles.add(name);
        st.add(new Statement.RoleDecl(Name.of(name), def, comments(), Span.NONE));
      }
      int nRules = 1 + r.nextInt(6);
      for (int i = 0; i < nRules; i++) {
        st.add(rule());
      }
      List<String> header = chance(0.3) ? List.of("generated policy") : List.of();
      List<String> trailing = chance(0.2) ? List.of("end") : List.of();
      return new PolicyFile(Str.of(pick(List.of("gen-policy", "Gen Policy 2", "g"))), r.nextInt(5), st, header,
          trailing, Span.NONE);
    }

    Statement rule() {
      ruleIndex++;
      Target target = target();
      Guards guards = new Guards(chance(0.5) ? condition(2) : null, chance(0.3) ? condition(1) : null);
      ReasonSpec reason = chance(0.3) ? new ReasonSpec(Str.of(pick(List.of("code_a", "code_b"))),
          chance(0.5) ? Str.of(pick(List.of("a message", "why \"quoted\"\\"))) : null) : null;
      List<String> comments = comments();
      int kind = r.nextInt(10);
      switch (kind) {
        case 0, 1, 2, 3 -> {
          Statement.Effect effect = kind < 3 ? Statement.Effect.ALLOW : Statement.Effect.DENY;
          Subjects subjects = roles.isEmpty() || chance(0.5) ? Subjects.ANYONE
              : new Subjects(false, some(roles, 1, roles.size()).stream().map(Name::of).toList(), Span.NONE);
          return new Statement.AccessRule(effect, actions(), target, subjects, guards, reason, comments, Span.NONE);
        }
        case 4 -> {
          Statement.DurationLit expires = chance(0.5) ? null
              : new Statement.DurationLit(1 + r.nextInt(30), pick(List.of('s', 'm', 'h', 'd')));
          return new Statement.ApprovalRule(1 + r.nextInt(3), some(List.of("a1", "a2", "a3"), 1, 2).stream()
              .map(Str::of).toList(), expires, actions(), target, guards, reason, comments, Span.NONE);
        }
        case 5 -> {
          List<Statement.FieldRef> fields = some(List.of(
              new Statement.FieldRef("email", List.of(), Span.NONE),
              new Statement.FieldRef("phone", List.of(), Span.NONE),
              new Statement.FieldRef("profile", List.of("contact", "email"), Span.NONE),
              new Statement.FieldRef("my field", List.of(), Span.NONE)), 1, 2);
          Name method = chance(0.4) ? null : Name.of(pick(List.of("partial", "hash", "redact", "drop")));
          return new Statement.MaskRule(fields, method, target, guards, reason, comments, Span.NONE);
        }
        case 6 -> {
          return new Statement.StripVectorsRule(target, guards, reason, comments, Span.NONE);
        }
        case 7 -> {
          return rowFilter(target, guards, reason, comments);
        }
        case 8 -> {
          return new Statement.LimitCapRule(r.nextInt(500), chance(0.3), target, guards, reason, comments, Span.NONE);
        }
        default -> {
          List<Statement.Label> labels = chance(0.3) ? List.of()
              : List.of(new Statement.Label(Str.of("k" + ruleIndex), Str.of(pick(List.of("v", "w")))));
          return new Statement.AuditRule(labels, chance(0.5), chance(0.5), target, guards, reason, comments,
              Span.NONE);
        }
      }
    }

    private Statement rowFilter(Target target, Guards guards, ReasonSpec reason, List<String> comments) {
      Str column = Str.of(pick(List.of("tenant", "team", "region")));
      int v = r.nextInt(4);
      Statement.RowOp op;
      Condition.Operand value;
      if (v == 0) {
        op = pick(List.of(Statement.RowOp.EQ, Statement.RowOp.NE));
        value = new Condition.StrLit(pick(TENANTS), Span.NONE);
      } else if (v == 1) {
        op = pick(List.of(Statement.RowOp.IN, Statement.RowOp.NOT_IN));
        List<Condition.Literal> values = r.nextBoolean()
            ? List.of(new Condition.StrLit("eu", Span.NONE))
            : List.of(new Condition.StrLit("eu", Span.NONE), new Condition.StrLit("us", Span.NONE));
        if (chance(0.2)) {
          values = List.of(new Condition.NumLit(3, Span.NONE), new Condition.NumLit(4, Span.NONE));
        }
        value = new Condition.ListLit(values, Span.NONE);
      } else if (v == 2) {
        op = pick(List.of(Statement.RowOp.EQ, Statement.RowOp.NE));
        value = path("identity.tenant");
      } else {
        op = pick(List.of(Statement.RowOp.IN, Statement.RowOp.NOT_IN));
        value = path(chance(0.5) ? "identity.groups" : "identity.claims.teams");
      }
      ReasonSpec missing = value instanceof Condition.Path && chance(0.4)
          ? new ReasonSpec(Str.of("claim_missing"), chance(0.5) ? Str.of("no claim") : null) : null;
      return new Statement.RowFilterRule(column, op, value, target, guards, reason, missing, comments, Span.NONE);
    }

    private Actions actions() {
      if (chance(0.2)) {
        return Actions.ANY;
      }
      return new Actions(false, some(ACTION_WORDS, 1, 3).stream().map(Name::of).toList(), Span.NONE);
    }

    private Target target() {
      if (chance(0.4)) {
        return Target.ANY;
      }
      return new Target(false, some(PATTERNS, 1, 2).stream().map(Str::of).toList(), Span.NONE);
    }

    Condition condition(int depth) {
      if (depth > 0 && chance(0.4)) {
        int k = r.nextInt(3);
        if (k == 0) {
          return new Condition.Not(condition(depth - 1), Span.NONE);
        }
        List<Condition> parts = new ArrayList<>();
        int n = 2 + r.nextInt(2);
        for (int i = 0; i < n; i++) {
          parts.add(condition(depth - 1));
        }
        return k == 1 ? new Condition.And(parts, Span.NONE) : new Condition.Or(parts, Span.NONE);
      }
      return atom();
    }

    private Condition atom() {
      switch (r.nextInt(10)) {
        case 0:
          return new Condition.InGroup(Str.of(pick(GROUPS)), Span.NONE);
        case 1: {
          String p = pick(List.of("ids", "rows", "limit", "offset", "usage.requests_last_minute",
              "identity.claims.level"));
          long n = p.equals("identity.claims.level") ? r.nextInt(6) : p.equals("offset") ? r.nextInt(20000)
              : r.nextInt(200) - (chance(0.1) ? 300 : 0);
          Condition.Operand lit = new Condition.NumLit(n, Span.NONE);
          Condition.CmpOp op = pick(List.of(Condition.CmpOp.values()));
          return chance(0.2) ? new Condition.Compare(lit, op, path(p), Span.NONE)
              : new Condition.Compare(path(p), op, lit, Span.NONE);
        }
        case 2: {
          String p = pick(List.of("identity.tenant", "collection", "action", "identity.claims.dept",
              "attributes.mode"));
          String lit = switch (p) {
            case "identity.tenant" -> pick(TENANTS);
            case "collection" -> pick(COLLECTIONS);
            case "action" -> pick(INPUT_ACTIONS);
            case "identity.claims.dept" -> pick(List.of("eng", "ops"));
            default -> pick(List.of("fast", "slow"));
          };
          return new Condition.Compare(path(p), pick(List.of(Condition.CmpOp.EQ, Condition.CmpOp.NE)),
              new Condition.StrLit(lit, Span.NONE), Span.NONE);
        }
        case 3:
          return new Condition.Compare(path(pick(List.of("vectors", "paging", "filter", "identity.claims.admin"))),
              pick(List.of(Condition.CmpOp.EQ, Condition.CmpOp.NE)), new Condition.BoolLit(chance(0.5), Span.NONE),
              Span.NONE);
        case 4: {
          String p = pick(List.of("action", "identity.tenant", "collection"));
          List<String> pool = p.equals("action") ? INPUT_ACTIONS : p.equals("collection") ? COLLECTIONS : TENANTS;
          return new Condition.InList(path(p), chance(0.5), some(pool, 1, Math.min(3, pool.size())).stream()
              .map(s -> (Condition.Literal) new Condition.StrLit(s, Span.NONE)).toList(), Span.NONE);
        }
        case 5: {
          List<String> options = new ArrayList<>(List.of("filter", "vectors", "paging", "identity.claims.admin"));
          if (!roles.isEmpty()) {
            options.addAll(roles);
          }
          return new Condition.Truth(path(pick(options)), Span.NONE);
        }
        case 6: {
          String from = clock();
          String to = clock();
          while (to.equals(from)) {
            to = clock();
          }
          return new Condition.TimeWindow(from, to, Span.NONE);
        }
        case 7:
          return new Condition.WeekdayIn(some(List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun"), 1, 3)
              .stream().map(Name::of).toList(), Span.NONE);
        case 8:
          return new Condition.Compare(path("identity.claims.level"), pick(List.of(Condition.CmpOp.EQ,
              Condition.CmpOp.NE)), new Condition.NumLit(r.nextInt(4), Span.NONE), Span.NONE);
        default:
          return new Condition.InList(path("ids"), chance(0.5), List.of(new Condition.NumLit(0, Span.NONE),
              new Condition.NumLit(150, Span.NONE)), Span.NONE);
      }
    }

    private String clock() {
      return String.format("%02d:%02d", r.nextInt(24), pick(List.of(0, 15, 30, 45)));
    }
  }

  static Condition.Path path(String dotted) {
    return new Condition.Path(List.of(dotted.split("\\.")), Span.NONE);
  }

  static ObjectNode input(Random r) {
    ObjectNode in = ReferenceInterpreter.JSON.createObjectNode();
    switch (r.nextInt(40)) {
      case 0 -> in.put("contract", "vectorgate/v0");
      case 1 -> { }
      default -> in.put("contract", "vectorgate/v1");
    }
    ObjectNode id = in.putObject("identity");
    id.put("subject", "user" + r.nextInt(3));
    ArrayNode groups = id.putArray("groups");
    for (String g : GROUPS) {
      if (r.nextBoolean()) {
        groups.add(g);
      }
    }
    switch (r.nextInt(5)) {
      case 0, 1 -> id.put("tenant", "t1");
      case 2 -> id.put("tenant", "t2");
      case 3 -> id.put("tenant", 7);
      default -> { }
    }
    ObjectNode claims = id.putObject("claims");
    switch (r.nextInt(4)) {
      case 0 -> claims.put("level", "3");
      case 1 -> { }
      default -> claims.put("level", r.nextInt(6));
    }
    if (r.nextBoolean()) {
      claims.put("dept", r.nextBoolean() ? "eng" : "ops");
    }
    if (r.nextBoolean()) {
      claims.put("admin", r.nextInt(3) == 0 ? "yes" : String.valueOf(r.nextBoolean()).equals("true") ? "true" : "x");
      if (r.nextBoolean()) {
        claims.put("admin", r.nextBoolean());
      }
    }
    if (r.nextBoolean()) {
      ArrayNode teams = claims.putArray("teams");
      teams.add("blue");
    } else if (r.nextBoolean()) {
      claims.put("teams", "blue");
    }
    ObjectNode conn = in.putObject("connection");
    conn.put("name", "milvus-main").put("kind", "milvus");
    ObjectNode op = in.putObject("operation");
    op.put("action", r.nextInt(30) == 0 ? "unknown" : INPUT_ACTIONS.get(r.nextInt(INPUT_ACTIONS.size())));
    ObjectNode res = op.putObject("resource");
    if (r.nextInt(6) != 0) {
      res.put("collection", COLLECTIONS.get(r.nextInt(COLLECTIONS.size())));
    }
    res.putArray("partitions");
    switch (r.nextInt(3)) {
      case 0 -> op.put("filter", "age > 3");
      case 1 -> op.putObject("filter").put("a", 1);
      default -> { }
    }
    if (r.nextBoolean()) {
      op.put("limit", r.nextInt(300));
    }
    if (r.nextBoolean()) {
      op.put("offset", r.nextInt(20000));
    }
    op.putArray("output_fields");
    op.put("vectors_requested", r.nextBoolean());
    op.put("paging", r.nextBoolean());
    op.putObject("counts").put("ids", r.nextInt(200)).put("rows", r.nextInt(5)).put("queries", r.nextInt(3));
    ObjectNode attrs = op.putObject("attributes");
    if (r.nextBoolean()) {
      attrs.put("mode", r.nextBoolean() ? "fast" : "slow");
    }
    op.putObject("protocol").put("protocol", "grpc").put("rpc", "/milvus.proto.milvus.MilvusService/Search");
    ObjectNode ctx = in.putObject("context");
    // 2025-01-01T00:00:00Z plus up to two weeks, in whole minutes plus random seconds
    long ns = (1_735_689_600L + r.nextInt(14 * 24 * 60) * 60L + r.nextInt(60)) * 1_000_000_000L;
    ctx.put("time", java.time.Instant.ofEpochSecond(0, 0).plusNanos(ns).toString());
    ctx.put("time_ns", ns);
    ctx.put("request_id", "req-" + r.nextInt(1000));
    ctx.putObject("usage").put("requests_last_minute", r.nextInt(200)).put("rows_last_hour", r.nextInt(1000))
        .put("vectors_last_hour", r.nextInt(1000)).put("pages_last_hour", r.nextInt(50));
    // hostile or broken inputs now and then: parts missing altogether
    switch (r.nextInt(60)) {
      case 0 -> in.remove("operation");
      case 1 -> in.remove("identity");
      case 2 -> in.remove("context");
      default -> { }
    }
    return in;
  }
}
