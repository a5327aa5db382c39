package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.CreateCollectionRequest;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.TemplateValue;
import io.vectorgate.proxy.adapter.AdapterException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Bytes from a newer client, with field numbers the 2.6 proto does not define, must be refused. */
class UnknownFieldTest {
  private final MilvusAdapter adapter = MilvusFixtures.adapter();

  /** {@code message} followed by a varint field {@code number} = {@code value}. */
  private static byte[] withVarint(byte[] message, int number, long value) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(message);
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeUInt64(number, value);
    c.flush();
    return out.toByteArray();
  }

  /** {@code message} followed by a length-delimited field {@code number} holding {@code payload}. */
  private static byte[] withBytes(byte[] message, int number, byte[] payload) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(message);
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeByteArray(number, payload);
    c.flush();
    return out.toByteArray();
  }

  @Test
  void topLevelSkipRlsFromANewerClientIsRefused() throws IOException {
    SearchRequest base = MilvusFixtures.load("search_basic", SearchRequest.getDefaultInstance());
    SearchRequest parsed = SearchRequest.parseFrom(withVarint(base.toByteArray(), 26, 1)); // master: skip_rls = 26
    AdapterException e = assertThrows(AdapterException.class, () -> adapter.decode("Search", parsed, null));
    assertEquals("unknown_field", e.code());
    assertEquals("#26", e.field());
    assertTrue(e.getMessage().contains("26") && e.getMessage().contains("milvus.proto.milvus.SearchRequest"), e.getMessage());
  }

  @Test
  void unknownFieldInsideANestedMessageIsRefused() throws IOException {
    KeyValuePair kv = KeyValuePair.parseFrom(withVarint(
        KeyValuePair.newBuilder().setKey("limit").setValue("5").build().toByteArray(), 9, 7));
    QueryRequest r = QueryRequest.newBuilder().setCollectionName("docs").addQueryParams(kv).build();
    AdapterException e = assertThrows(AdapterException.class,
        () -> adapter.decode("Query", QueryRequest.parseFrom(r.toByteArray()), null));
    assertEquals("unknown_field", e.code());
    assertEquals("query_params[0].#9", e.field());
    assertTrue(e.getMessage().contains("milvus.proto.common.KeyValuePair"), e.getMessage());
  }

  @Test
  void unknownFieldInsideAMapValueIsRefused() throws IOException {
    TemplateValue tv = TemplateValue.parseFrom(withBytes(TemplateValue.newBuilder().setInt64Val(3).build().toByteArray(), 40, new byte[] {1}));
    QueryRequest r = QueryRequest.newBuilder().setCollectionName("docs").setExpr("id > {x}").putExprTemplateValues("x", tv).build();
    AdapterException e = assertThrows(AdapterException.class,
        () -> adapter.decode("Query", QueryRequest.parseFrom(r.toByteArray()), null));
    assertEquals("unknown_field", e.code());
    assertTrue(e.field().startsWith("expr_template_values[0].value"), e.field());
  }

  @Test
  void unknownFieldInsideASerializedSchemaIsRefused() throws IOException {
    CollectionSchema schema = MilvusFixtures.docsSchema();
    byte[] newer = withVarint(schema.toByteArray(), 12, 1); // master-only schema field
    CreateCollectionRequest r = CreateCollectionRequest.newBuilder().setCollectionName("c").setSchema(ByteString.copyFrom(newer)).build();
    AdapterException e = assertThrows(AdapterException.class, () -> adapter.decode("CreateCollection", r, null));
    assertEquals("unknown_field", e.code());
    assertEquals("schema.#12", e.field());
  }

  @Test
  void unknownEnumNumberIsRefused() throws IOException {
    byte[] bytes = withVarint(QueryRequest.newBuilder().setCollectionName("docs").build().toByteArray(), 11, 99);
    QueryRequest r = QueryRequest.parseFrom(bytes); // consistency_level = 99
    AdapterException e = assertThrows(AdapterException.class, () -> adapter.decode("Query", r, null));
    assertEquals("unknown_enum_value", e.code());
    assertEquals("consistency_level", e.field());
  }

  @Test
  void aMalformedSerializedSchemaIsRefused() {
    CreateCollectionRequest r = CreateCollectionRequest.newBuilder().setCollectionName("c")
        .setSchema(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff})).build();
    AdapterException e = assertThrows(AdapterException.class, () -> adapter.decode("CreateCollection", r, null));
    assertEquals("malformed_request", e.code());
    assertEquals("schema", e.field());
  }
}
