package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Message;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.grpc.MilvusMethods;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link ProtoGuard} (field shapes worked out once per type, scalars skipped) reports exactly what
 * the tree-walking {@link ProtoGuardOracle} reports (same code, same field path) on random requests
 * of every MilvusService method: random fields at every depth, refused fields, unknown enum numbers,
 * unknown field numbers in nested messages, map entries and serialized schemas / placeholder groups,
 * and bytes that do not parse.
 */
class ProtoGuardProperties {
  private static final List<Message> REQUESTS = MilvusMethods.all().values().stream()
      .map(m -> ((io.grpc.MethodDescriptor.PrototypeMarshaller<?>) m.getRequestMarshaller()).getMessagePrototype())
      .map(Message.class::cast).toList();

  @Provide
  Arbitrary<Message> requests() {
    return Arbitraries.integers().between(0, REQUESTS.size() - 1).flatMap(i ->
        Arbitraries.longs().map(seed -> RandomMessages.random(REQUESTS.get(i), new Random(seed))));
  }

  @Property(tries = 3000)
  void fastGuardAgreesWithTheOracle(@ForAll("requests") Message request) {
    String expected = outcome(() -> ProtoGuardOracle.check(request));
    assertEquals(expected, outcome(() -> ProtoGuard.check(request)), request.getDescriptorForType().getFullName());
    Statistics.collect(expected.split(" ")[0]);
    // the generator must reach every kind of refusal, not only clean requests
    Statistics.coverage(c -> {
      for (String kind : List.of("pass", "unknown_field", "unsupported_field", "unknown_enum_value", "malformed_request")) {
        c.check(kind).count(n -> n >= 3);
      }
    });
  }

  private static String outcome(Runnable check) {
    try {
      check.run();
      return "pass";
    } catch (AdapterException e) {
      return e.code() + " @ " + e.field() + ": " + e.getMessage();
    }
  }
}
