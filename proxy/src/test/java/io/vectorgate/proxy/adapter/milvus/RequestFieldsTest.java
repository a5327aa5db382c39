package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FunctionSchema;
import io.milvus.grpc.FunctionScore;
import io.milvus.grpc.FunctionType;
import io.milvus.grpc.HybridSearchRequest;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.MsgBase;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.ReplicateInfo;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.ShowCollectionsRequest;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.adapter.AdapterException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Closed-world decoding of Milvus requests: every field of every request message is classified in
 * request-fields.txt (modelled or refused), refused fields are refused naming them, and what the
 * list calls modelled does reach the policy input.
 */
class RequestFieldsTest {
  /** The RPCs with their own decoder; every other RPC is decoded generically. */
  private static final Set<String> OWN_DECODER = Set.of("Search", "HybridSearch", "Query", "Insert", "Upsert",
      "Delete", "RenameCollection");
  private final MilvusAdapter adapter = MilvusFixtures.adapter();

  /** Every request type of MilvusService and every message nested in one, incl. those Milvus decodes from bytes. */
  static Set<Descriptor> requestMessages() {
    Deque<Descriptor> todo = new ArrayDeque<>();
    MilvusRpcs.all().values().forEach(rpc -> todo.add(rpc.requestPrototype().getDescriptorForType()));
    todo.add(CollectionSchema.getDescriptor()); // CreateCollectionRequest.schema
    todo.add(FieldSchema.getDescriptor()); // AddCollectionFieldRequest.schema
    todo.add(PlaceholderGroup.getDescriptor()); // SearchRequest.placeholder_group
    Set<String> seen = new TreeSet<>();
    List<Descriptor> out = new ArrayList<>();
    while (!todo.isEmpty()) {
      Descriptor d = todo.poll();
      if (!seen.add(d.getFullName())) {
        continue;
      }
      out.add(d);
      for (FieldDescriptor f : d.getFields()) {
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          todo.add(f.getMessageType());
        }
      }
    }
    return Set.copyOf(out);
  }

  @Test
  void everyFieldOfEveryRequestMessageIsModelledOrRefused() {
    Set<String> missing = new TreeSet<>();
    Set<String> proto = new TreeSet<>();
    for (Descriptor d : requestMessages()) {
      for (FieldDescriptor f : d.getFields()) {
        proto.add(d.getFullName() + "." + f.getName());
        if (RequestFields.entry(d.getFullName(), f.getName()).isEmpty()) {
          missing.add(d.getFullName() + "." + f.getName());
        }
      }
    }
    assertTrue(missing.isEmpty(), "fields in neither list of " + RequestFields.RESOURCE + ": " + missing);
    Set<String> stale = new TreeSet<>();
    RequestFields.table().forEach((m, fields) -> fields.keySet().forEach(f -> {
      if (!proto.contains(m + "." + f)) {
        stale.add(m + "." + f);
      }
    }));
    assertTrue(stale.isEmpty(), "listed but not in the proto: " + stale);
    assertTrue(proto.size() > 700, "the walk reached " + proto.size() + " fields only");
  }

  @Test
  void aRefusedFieldIsRefusedNamingItWhereverItIsSet() {
    MsgBase replicating = MsgBase.newBuilder().setReplicateInfo(ReplicateInfo.newBuilder().setIsReplicate(true)).build();
    AdapterException e = assertThrows(AdapterException.class, () -> adapter.decode("ShowCollections",
        ShowCollectionsRequest.newBuilder().setBase(replicating).build(), null));
    assertEquals(RequestFields.UNSUPPORTED_FIELD, e.code());
    assertEquals("base.replicateInfo.isReplicate", e.field());
    AdapterException nested = assertThrows(AdapterException.class, () -> adapter.decode("HybridSearch",
        HybridSearchRequest.newBuilder().setCollectionName("docs")
            .addRequests(search().setSearchByPrimaryKeys(true)).build(), null));
    assertEquals(RequestFields.UNSUPPORTED_FIELD, nested.code());
    assertEquals("requests[0].search_by_primary_keys", nested.field());
    assertTrue(nested.getMessage().contains("deprecated"), nested.getMessage());
    // a base without replication info is modelled: it reaches the input
    Operation ok = adapter.decode("ShowCollections", ShowCollectionsRequest.newBuilder()
        .setBase(MsgBase.newBuilder().setMsgID(7)).build(), null);
    assertEquals(Map.of("msgID", 7L), ok.attributes().get("base"));
  }

  @Test
  void everyModelledFieldOfAGenericRequestReachesThePolicyInput() {
    List<String> lost = new ArrayList<>();
    int checked = 0;
    for (MilvusRpcs.Rpc rpc : MilvusRpcs.all().values()) {
      if (OWN_DECODER.contains(rpc.name())) {
        continue;
      }
      Message request = filled(rpc.requestPrototype(), 0);
      Operation op = adapter.decode(rpc.name(), request, null);
      for (Map.Entry<FieldDescriptor, Object> e : request.getAllFields().entrySet()) {
        String name = e.getKey().getName();
        checked++;
        boolean arrived = switch (name) {
          case "db_name", "dbName" -> op.resource().database().equals("x");
          case "collection_name", "collectionName", "collection_names" -> "x".equals(op.resource().collection());
          case "partition_name", "partition_names" -> op.resource().partitions().contains("x");
          case "schema" -> op.attributes().get("schema") instanceof Map<?, ?> m && !m.isEmpty();
          default -> arrivedWhole(e.getKey(), e.getValue(), op.attributes().get(name));
        };
        if (!arrived) {
          lost.add(rpc.name() + "." + name + " (attributes: " + op.attributes() + ")");
        }
      }
    }
    assertTrue(lost.isEmpty(), "modelled fields that did not reach the policy input: " + lost);
    assertTrue(checked > 300, "checked " + checked + " fields only");
  }

  @Test
  void searchFieldsReachThePolicyInputAndARankerFilterIsAFilter() {
    SearchRequest r = search()
        .setGuaranteeTimestamp(42).setNotReturnAllMeta(true).setUseDefaultConsistency(true)
        .setFunctionScore(FunctionScore.newBuilder().addFunctions(FunctionSchema.newBuilder().setName("boost")
            .setType(FunctionType.Rerank)
            .addParams(KeyValuePair.newBuilder().setKey("reranker").setValue("boost"))
            .addParams(KeyValuePair.newBuilder().setKey("Filter").setValue("title == \"x\" or ssn == \"1\""))))
        .build();
    Operation op = adapter.decode("Search", r, null);
    assertEquals(42L, op.attributes().get("guarantee_timestamp"));
    assertEquals(true, op.attributes().get("not_return_all_meta"));
    assertTrue(op.attributes().get("function_score").toString().contains("boost"), op.attributes().toString());
    String fields = op.attributes().get("filter_fields").toString();
    assertTrue(fields.contains("title") && fields.contains("ssn"), fields);

    HybridSearchRequest h = HybridSearchRequest.newBuilder().setCollectionName("docs").addRequests(search())
        .setFunctionScore(FunctionScore.newBuilder().addFunctions(FunctionSchema.newBuilder().setName("boost")
            .addParams(KeyValuePair.newBuilder().setKey("filter").setValue("tenant == \"globex\""))))
        .build();
    assertTrue(adapter.decode("HybridSearch", h, null).attributes().get("filter_fields").toString().contains("tenant"));

    AdapterException bad = assertThrows(AdapterException.class, () -> adapter.decode("Search", search()
        .setFunctionScore(FunctionScore.newBuilder().addFunctions(FunctionSchema.newBuilder().setName("boost")
            .addParams(KeyValuePair.newBuilder().setKey("filter").setValue("title == \"unterminated")))).build(), null));
    assertEquals("function_score.functions[0].params[0]", bad.field());
  }

  @Test
  void queryFieldsReachThePolicyInput() {
    Operation op = adapter.decode("Query", QueryRequest.newBuilder().setCollectionName("docs").setExpr("id > 0")
        .setTravelTimestamp(5).addQueryParams(KeyValuePair.newBuilder().setKey("timezone").setValue("UTC")).build(), null);
    assertEquals(5L, op.attributes().get("travel_timestamp"));
    assertEquals(Map.of("timezone", "UTC"), op.attributes().get("query_params"));
  }

  private static SearchRequest.Builder search() {
    return SearchRequest.newBuilder().setCollectionName("docs").setDsl("id > 0")
        .addSearchParams(KeyValuePair.newBuilder().setKey("topk").setValue("3"));
  }

  /** Whether a set field's value arrived as an attribute: present, and for messages with every set sub-field. */
  private static boolean arrivedWhole(FieldDescriptor fd, Object value, Object attribute) {
    if (attribute == null) {
      return false;
    }
    if (fd.getJavaType() != FieldDescriptor.JavaType.MESSAGE || fd.isMapField()
        || fd.getMessageType().getFullName().equals(KeyValuePair.getDescriptor().getFullName())) {
      return true;
    }
    Message m = (Message) (fd.isRepeated() ? ((List<?>) value).get(0) : value);
    Object a = fd.isRepeated() ? ((List<?>) attribute).get(0) : attribute;
    if (!(a instanceof Map<?, ?> map)) {
      return false;
    }
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      if (!arrivedWhole(e.getKey(), e.getValue(), map.get(e.getKey().getName()))) {
        return false;
      }
    }
    return true;
  }

  /** The message with every modelled field set to a non-default value (one element per list, the first member of a oneof). */
  private static Message filled(Message prototype, int depth) {
    return fill(prototype.newBuilderForType(), depth);
  }

  private static Message fill(Message.Builder b, int depth) {
    Descriptor d = b.getDescriptorForType();
    for (FieldDescriptor f : d.getFields()) {
      OneofDescriptor oneof = f.getRealContainingOneof();
      if (oneof != null && oneof.getField(0) != f) {
        continue;
      }
      if (RequestFields.refused(d.getFullName(), f.getName())) {
        continue;
      }
      Object v = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          ? (depth > 8 ? null : fill(b.newBuilderForField(f), depth + 1))
          : value(f);
      if (v == null) {
        continue;
      }
      if (f.isRepeated()) {
        b.addRepeatedField(f, v);
      } else {
        b.setField(f, v);
      }
    }
    return b.build();
  }

  private static Object value(FieldDescriptor f) {
    return switch (f.getJavaType()) {
      case STRING -> "x";
      case INT -> 1;
      case LONG -> 1L;
      case FLOAT -> 1f;
      case DOUBLE -> 1d;
      case BOOLEAN -> true;
      case BYTE_STRING -> f.getName().equals("schema")
          ? (f.getContainingType().getName().equals("CreateCollectionRequest")
              ? CollectionSchema.newBuilder().setName("x").build().toByteString()
              : FieldSchema.newBuilder().setName("x").build().toByteString())
          : ByteString.copyFromUtf8("b");
      case ENUM -> f.getEnumType().getValues().get(Math.min(1, f.getEnumType().getValues().size() - 1));
      case MESSAGE -> throw new IllegalStateException("messages are filled by fill()");
    };
  }
}
