package io.vectorgate.recorder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import io.vectorgate.model.Action;
import io.vectorgate.model.ApprovalRequirement;
import io.vectorgate.model.AuditHints;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Counts;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.Identity;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.Reason;
import io.vectorgate.model.Resource;
import io.vectorgate.recorder.index.IndexedRecord;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * The streaming encoder writes, for any sequence of queued items, the same bytes and hashes as the
 * tree-based encoder it replaced ({@link TreeEncoderOracle}); the index row it builds from the draft
 * equals the row read back from the stored line; the lines verify as a chain.
 */
class StreamingEncoderProperties {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String RECORDER = "rec-test";

  private Path dir;

  @BeforeTry
  void mkdir() throws Exception {
    dir = Files.createTempDirectory("vg-stream-");
  }

  @AfterTry
  void rmdir() throws Exception {
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  @Property(tries = 300)
  void streamedLinesEqualTheTreeEncodersAndIndexRowsEqualTheStoredOnes(@ForAll("items") List<Queued.Item> items,
      @ForAll boolean payloadsByDefault) throws Exception {
    RecorderConfig config = RecorderConfig.builder(dir).recordPayloadsByDefault(payloadsByDefault).build();
    EntryWriter writer = new EntryWriter(config);
    TreeEncoderOracle oracle = new TreeEncoderOracle(config);
    LineEncoder enc = new LineEncoder();
    String prev = RecordFormat.GENESIS_HASH;
    long seq = 1;
    for (Queued.Item item : items) {
      String id = RECORDER + "-" + seq;
      int before = enc.size();
      EntryWriter.Entry entry = writer.entry(item);
      String hash = enc.append(entry, seq, id, prev);
      byte[] streamed = slice(enc.bytes(), before);
      byte[] expected = oracle.line(item, seq, id, prev);
      assertArrayEquals(expected, streamed, () -> "streamed:\n" + new String(streamed, StandardCharsets.UTF_8)
          + "tree encoder:\n" + new String(expected, StandardCharsets.UTF_8));
      JsonNode stored = RecordFormat.mapper().readTree(streamed);
      assertEquals(stored.get(RecordFormat.F_HASH).textValue(), hash);
      assertEquals(RecordFormat.expectedHash((ObjectNode) stored), hash);
      IndexedRecord fromStored = IndexedRecord.fromEntry(RECORDER, 1, stored);
      assertEquals(fromStored, entry.row(RECORDER, seq, id, 1));
      prev = hash;
      seq++;
    }
    ByteBuffer all = enc.bytes();
    byte[] file = new byte[all.remaining()];
    all.get(file);
    Files.writeString(dir.resolve(Recorder.ID_FILE), RECORDER + "\n");
    Files.write(dir.resolve(RecordFormat.segmentName(1)), file);
    VerifyReport r = Verifier.verify(dir);
    assertTrue(r.ok(), () -> r.problems().toString());
  }

  private static byte[] slice(ByteBuffer b, int from) {
    byte[] out = new byte[b.remaining() - from];
    b.position(from);
    b.get(out);
    return out;
  }

  // ------------------------------------------------------------------ generators

  @Provide
  Arbitrary<List<Queued.Item>> items() {
    Arbitrary<String> sessions = Arbitraries.of("s-1", "s-2", "s-unknown");
    Arbitrary<Queued.Item> start = Combinators.combine(sessions, instants(), identities().injectNull(0.2),
        clients().injectNull(0.2)).as((s, t, i, c) -> new Queued.Start(s, new SessionStart(t, i, c)));
    Arbitrary<Queued.Item> end = Combinators.combine(sessions.injectNull(0.05), instants(), text().injectNull(0.3))
        .as(Queued.End::new);
    Arbitrary<Queued.Item> approval = Combinators.combine(instants(), sessions.injectNull(0.3), json(2))
        .as((t, s, j) -> {
          ObjectNode fields = F.objectNode();
          fields.put("approval_id", "ap-1");
          fields.put("event", "created");
          fields.set("detail", j);
          return new Queued.Approval(t, s, fields);
        });
    Arbitrary<Queued.Item> request = drafts(sessions).map(Queued.Request::new);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, start), net.jqwik.api.Tuple.of(8, request), net.jqwik.api.Tuple.of(2, end),
        net.jqwik.api.Tuple.of(1, approval)).list().ofMinSize(1).ofMaxSize(8);
  }

  private Arbitrary<RecordDraft> drafts(Arbitrary<String> sessions) {
    Arbitrary<RecordDraft.Builder> a = Combinators.combine(instants(), sessions.injectNull(0.3), text().injectNull(0.3),
        identities().injectNull(0.2), clients().injectNull(0.2), connections().injectNull(0.3), operations(),
        decisions()).as((t, s, rid, who, c, conn, op, d) -> RecordDraft.builder().time(t).sessionId(s).requestId(rid)
            .identity(who).client(c).connection(conn).operation(op).decision(d));
    return Combinators.combine(a, payloads().injectNull(0.2), payloads().injectNull(0.3),
        enforcements().injectNull(0.2), upstreams().injectNull(0.3))
        .as((b, req, resp, enf, up) -> b.request(req).response(resp).enforcement(enf).upstream(up).build());
  }

  private Arbitrary<Instant> instants() {
    return Arbitraries.longs().between(0, 4_000_000_000L).flatMap(s ->
        Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
  }

  private Arbitrary<String> text() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(8),
        Arbitraries.of("", "ü", "\u2028", "a\"b", "\\", "\n", "\u0000", "\ud83d\ude00", "tenant", "acme"));
  }

  private Arbitrary<List<String>> texts() {
    return text().list().ofMaxSize(3);
  }

  private Arbitrary<Identity> identities() {
    return Combinators.combine(text().injectNull(0.2), text().injectNull(0.3), texts(), text().injectNull(0.3),
        text().injectNull(0.2), javaMap(2)).as(Identity::new);
  }

  private Arbitrary<ClientInfo> clients() {
    return Combinators.combine(text().injectNull(0.2), text().injectNull(0.2), text().injectNull(0.2))
        .as(ClientInfo::new);
  }

  private Arbitrary<Connection> connections() {
    return Combinators.combine(text(), Arbitraries.of(DatabaseKind.class)).as(Connection::new);
  }

  private Arbitrary<Operation> operations() {
    Arbitrary<Resource> resources = Combinators.combine(text().injectNull(0.3), text().injectNull(0.2), texts(),
        text().injectNull(0.5)).as(Resource::new);
    Arbitrary<Object> filters = Arbitraries.oneOf(text().map(x -> (Object) x), javaMap(2).map(x -> (Object) x),
        json(2).map(x -> (Object) x)).injectNull(0.3);
    Arbitrary<ProtocolFacts> protocols = Arbitraries.oneOf(text().map(ProtocolFacts::grpc),
        Combinators.combine(text(), text()).as(ProtocolFacts::http)).injectNull(0.3);
    Arbitrary<Counts> counts = Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs())
        .as(Counts::new);
    Arbitrary<Operation.Builder> b = Combinators.combine(Arbitraries.of(Action.class), resources, filters,
        Arbitraries.longs().injectNull(0.4), Arbitraries.longs().injectNull(0.6), texts(), Arbitraries.of(true, false),
        Arbitraries.of(true, false)).as((act, r, f, lim, off, out, vec, pg) -> Operation.builder(act).resource(r)
            .filter(f).limit(lim).offset(off).outputFields(out).vectorsRequested(vec).paging(pg));
    return Combinators.combine(b, counts.injectNull(0.5), javaMap(2), protocols)
        .as((x, c, attrs, p) -> x.counts(c).attributes(attrs).protocol(p).build());
  }

  private Arbitrary<Decision> decisions() {
    Arbitrary<Reason> reasons = Combinators.combine(text(), text().injectNull(0.3)).as(Reason::new);
    Arbitrary<FieldMask> masks = Combinators.combine(text(), texts().injectNull(0.3), Arbitraries.of(MaskMethod.class)
        .injectNull(0.2)).as(FieldMask::new);
    Arbitrary<io.vectorgate.model.RowFilter> rows = Combinators.combine(text(), Arbitraries.of(FilterOp.class),
        javaValue(1, false)).as(io.vectorgate.model.RowFilter::new);
    Arbitrary<LimitCap> caps = Combinators.combine(Arbitraries.longs().between(1, 10_000),
        Arbitraries.of(LimitCap.CapMode.class)).as(LimitCap::new);
    Arbitrary<ApprovalRequirement> approvals = Combinators.combine(text().injectNull(0.2), texts(),
        Arbitraries.integers().between(0, 3), Arbitraries.longs().between(-5, 10_000)).as(ApprovalRequirement::new);
    Arbitrary<AuditHints> audits = Combinators.combine(Arbitraries.maps(text(), text()).ofMaxSize(2),
        Arbitraries.of(true, false), Arbitraries.of(true, false)).as(AuditHints::new);
    Arbitrary<Obligations> obligations = Combinators.combine(masks.list().ofMaxSize(2), Arbitraries.of(true, false),
        rows.list().ofMaxSize(2), caps.injectNull(0.5), approvals.injectNull(0.7), audits.injectNull(0.4))
        .as(Obligations::new);
    return Combinators.combine(Arbitraries.of(true, false), reasons.list().ofMaxSize(2), obligations.injectNull(0.2),
        text().injectNull(0.3), text().injectNull(0.3)).as(Decision::new);
  }

  private Arbitrary<Enforcement> enforcements() {
    return Combinators.combine(text().injectNull(0.1), javaValue(2, true).injectNull(0.4), texts(),
        Arbitraries.of(true, false), Arbitraries.longs().injectNull(0.5), Arbitraries.longs().injectNull(0.5),
        text().injectNull(0.6)).as(Enforcement::new);
  }

  private Arbitrary<Upstream> upstreams() {
    return Combinators.combine(text().injectNull(0.1), Arbitraries.longs()).as(Upstream::new);
  }

  /** Payload trees, with vectors (flat and nested), vector-named fields and lazily converted payloads. */
  private Arbitrary<JsonNode> payloads() {
    Arbitrary<JsonNode> tree = json(3);
    return Arbitraries.oneOf(tree, tree.map(StreamingEncoderProperties::withVectors),
        tree.map(j -> (JsonNode) new POJONode((LazyJson) () -> j)));
  }

  private static JsonNode withVectors(JsonNode j) {
    ObjectNode o = F.objectNode();
    o.set("payload", j);
    ArrayNode v = o.putArray("data");
    for (int i = 0; i < 9; i++) {
      v.add(i * 0.5f);
    }
    ArrayNode vs = o.putArray("rows");
    vs.add(v.deepCopy()).add(v.deepCopy());
    o.put("placeholder_group", "AAEC");
    o.putArray("embedding").add(1).add(2);
    o.putNull("vector");
    ArrayNode shortOne = o.putArray("short");
    shortOne.add(1.5).add(2.5);
    return o;
  }

  /** JSON trees with every node type the gateway puts into payloads (including floats and big numbers). */
  private Arbitrary<JsonNode> json(int depth) {
    Arbitrary<JsonNode> leaf = Arbitraries.oneOf(
        text().map(F::textNode),
        Arbitraries.longs().map(F::numberNode),
        Arbitraries.integers().map(F::numberNode),
        Arbitraries.doubles().map(F::numberNode),
        Arbitraries.floats().map(F::numberNode),
        Arbitraries.of(Double.NaN, Double.NEGATIVE_INFINITY, -0.0, 1e23, 5e-324).map(F::numberNode),
        Arbitraries.bigIntegers().between(BigInteger.TEN.pow(25).negate(), BigInteger.TEN.pow(25)).map(F::numberNode),
        Arbitraries.bigDecimals().ofScale(3).map(F::numberNode),
        Arbitraries.of(true, false).map(F::booleanNode),
        Arbitraries.just(F.nullNode()),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(4).map(F::binaryNode));
    return Arbitraries.recursive(() -> leaf, inner -> Arbitraries.oneOf(
        inner.list().ofMaxSize(4).map(l -> {
          ArrayNode a = F.arrayNode();
          l.forEach(a::add);
          return (JsonNode) a;
        }),
        Arbitraries.maps(text(), inner).ofMaxSize(4).map(m -> {
          ObjectNode o = F.objectNode();
          m.forEach(o::set);
          return (JsonNode) o;
        })), 0, depth);
  }

  /** Plain Java values as adapters put them into claims, attributes, filters and row-filter values. */
  private Arbitrary<Object> javaValue(int depth, boolean nulls) {
    Arbitrary<Object> leaf = Arbitraries.oneOf(
        text().map(x -> (Object) x),
        Arbitraries.integers().map(x -> (Object) x),
        Arbitraries.longs().map(x -> (Object) x),
        Arbitraries.doubles().map(x -> (Object) x),
        Arbitraries.floats().map(x -> (Object) x),
        Arbitraries.of(Double.NaN, 1e23, -0.0f).map(x -> (Object) x),
        Arbitraries.bigDecimals().ofScale(4).map(x -> (Object) x),
        Arbitraries.bigIntegers().between(BigInteger.TEN.pow(22).negate(), BigInteger.TEN.pow(22)).map(x -> (Object) x),
        Arbitraries.of(true, false).map(x -> (Object) x),
        Arbitraries.of(FilterOp.class).map(x -> (Object) x),
        json(1).map(x -> (Object) x),
        Arbitraries.maps(Arbitraries.integers().between(0, 20), text()).ofMaxSize(3).map(x -> (Object) x));
    Arbitrary<Object> leafOrNull = nulls ? leaf.injectNull(0.1) : leaf;
    if (depth == 0) {
      return leafOrNull;
    }
    Arbitrary<Object> inner = javaValue(depth - 1, true);
    return Arbitraries.oneOf(leafOrNull,
        inner.list().ofMaxSize(3).map(l -> (Object) new ArrayList<>(l)),
        Arbitraries.maps(text(), inner).ofMaxSize(3).map(m -> (Object) new HashMap<>(m)),
        inner.list().ofMaxSize(2).map(l -> (Object) l.toArray()),
        Arbitraries.just((Object) Arrays.asList("x", null)));
  }

  /** A map for {@code Map.copyOf} (no null values at the top). */
  private Arbitrary<Map<String, Object>> javaMap(int depth) {
    return Arbitraries.maps(text(), javaValue(depth - 1, false)).ofMaxSize(3);
  }
}
