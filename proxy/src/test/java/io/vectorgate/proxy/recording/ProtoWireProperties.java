package io.vectorgate.proxy.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.Message;
import io.vectorgate.proxy.adapter.milvus.RandomMessages;
import io.vectorgate.proxy.grpc.MilvusMethods;
import io.vectorgate.recorder.RecordFormat;
import io.vectorgate.recorder.VectorStripper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The recorder's canonical JSON read from a message's bytes ({@link ProtoWire}, what
 * {@link ProtoJson#writeCanonical} uses) is byte for byte the canonical form of the message's tree
 * and of the reflective writer it replaced, on random messages of every MilvusService request and
 * response type, with every vector stripper the other tests use.
 */
class ProtoWireProperties {
  private static final List<Message> TYPES = new ArrayList<>();

  static {
    for (var m : MilvusMethods.all().values()) {
      TYPES.add((Message) ((io.grpc.MethodDescriptor.PrototypeMarshaller<?>) m.getRequestMarshaller()).getMessagePrototype());
      TYPES.add((Message) ((io.grpc.MethodDescriptor.PrototypeMarshaller<?>) m.getResponseMarshaller()).getMessagePrototype());
    }
  }

  @Provide
  Arbitrary<Message> messages() {
    return Arbitraries.integers().between(0, TYPES.size() - 1).flatMap(i ->
        Arbitraries.longs().map(seed -> RandomMessages.random(TYPES.get(i), new Random(seed))));
  }

  @Property(tries = 2000)
  void bytesGiveTheTreesCanonicalForm(@ForAll("messages") Message m) throws Exception {
    for (VectorStripper strip : strippers()) {
      String tree = ProtoJsonTest.canonical(ProtoJson.tree(m), strip);
      assertEquals(tree, write(m, strip, true), () -> "stripper " + strip + ", " + m);
      assertEquals(tree, write(m, strip, false), () -> "reflective, stripper " + strip + ", " + m);
    }
  }

  @Test
  void everyMilvusTypeIsReadFromItsBytes() {
    // otherwise the property above would only test the reflective fallback
    for (Message m : TYPES) {
      assertTrue(ProtoWire.supports(m.getDescriptorForType()), m.getDescriptorForType().getFullName());
    }
    assertTrue(!ProtoWire.supports(com.google.protobuf.Struct.getDescriptor()), "well-known types take the tree path");
  }

  @Test
  void edgeValuesAndMapEntriesWithoutKeyOrValue() throws Exception {
    // -0.0 and NaN scores; a float vector; 64-bit extremes as strings
    Message results = io.milvus.grpc.SearchResults.newBuilder().setResults(io.milvus.grpc.SearchResultData.newBuilder()
        .addScores(-0f).addScores(Float.NaN).addScores(1e-45f).setTopK(Long.MIN_VALUE)
        .setIds(io.milvus.grpc.IDs.newBuilder().setIntId(io.milvus.grpc.LongArray.newBuilder().addData(-1L)))).build();
    // ServerInfo.reserved (map<string,string>): an entry without key, one without value, then a later value for that key
    com.google.protobuf.Descriptors.FieldDescriptor reserved =
        io.milvus.grpc.ServerInfo.getDescriptor().findFieldByName("reserved");
    com.google.protobuf.ByteString.Output raw = com.google.protobuf.ByteString.newOutput();
    com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(raw);
    out.writeBytes(reserved.getNumber(), com.google.protobuf.ByteString.copyFrom(new byte[] {0x12, 0x01, 'v'}));
    out.writeBytes(reserved.getNumber(), com.google.protobuf.ByteString.copyFrom(new byte[] {0x0a, 0x01, 'k'}));
    out.writeBytes(reserved.getNumber(), com.google.protobuf.ByteString.copyFrom(new byte[] {0x0a, 0x01, 'k', 0x12, 0x01, 'w'}));
    out.flush();
    Message info = io.milvus.grpc.ServerInfo.parseFrom(raw.toByteString());
    for (Message m : List.of(results, info)) {
      for (VectorStripper strip : strippers()) {
        assertEquals(ProtoJsonTest.canonical(ProtoJson.tree(m), strip), write(m, strip, true), () -> "stripper " + strip);
      }
    }
    assertTrue(write(results, null, true).contains("-0.0"), () -> write0(results));
  }

  private static String write0(Message m) {
    try {
      return write(m, null, true);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<VectorStripper> strippers() {
    return ProtoJsonTest.STRIPPERS;
  }

  private static String write(Message m, VectorStripper strip, boolean fromBytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = RecordFormat.mapper().getFactory().createGenerator(out)) {
      if (fromBytes) {
        ProtoWire.write(m, g, strip);
      } else {
        ProtoJson.writeCanonicalByReflection(m, g, strip);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
