package io.vectorgate.proxy.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.MethodDescriptor;
import io.milvus.grpc.MilvusProto;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResults;
import org.junit.jupiter.api.Test;

class MilvusMethodsTest {
  @Test
  void everyServiceMethodHasMarshallersForTheSdkClasses() {
    int methods = MilvusProto.getDescriptor().findServiceByName("MilvusService").getMethods().size();
    assertEquals(methods, MilvusMethods.all().size());
    assertTrue(methods > 100, "expected the full 2.6 service, got " + methods);
    MethodDescriptor<?, ?> search = MilvusMethods.byName("Search");
    assertEquals("milvus.proto.milvus.MilvusService/Search", search.getFullMethodName());
    assertEquals(MethodDescriptor.MethodType.UNARY, search.getType());
    SearchRequest req = SearchRequest.newBuilder().setCollectionName("docs").setDsl("id > 1").build();
    Object parsed = MilvusMethods.byName("Search").parseRequest(MilvusMethods.byName("Search").streamRequest(req));
    assertEquals(req, parsed);
    assertTrue(MilvusMethods.byName("Search").parseResponse(
        MilvusMethods.byName("Search").streamResponse(SearchResults.getDefaultInstance())) instanceof SearchResults);
    assertNull(MilvusMethods.byName("NoSuchMethod"));
  }

  @Test
  void streamingMethodsAreKnownAsStreaming() {
    for (var d : MilvusProto.getDescriptor().findServiceByName("MilvusService").getMethods()) {
      MethodDescriptor<?, ?> m = MilvusMethods.byName(d.getName());
      MethodDescriptor.MethodType want = d.isClientStreaming() && d.isServerStreaming()
          ? MethodDescriptor.MethodType.BIDI_STREAMING
          : d.isClientStreaming() ? MethodDescriptor.MethodType.CLIENT_STREAMING
          : d.isServerStreaming() ? MethodDescriptor.MethodType.SERVER_STREAMING
          : MethodDescriptor.MethodType.UNARY;
      assertEquals(want, m.getType(), d.getName());
      assertEquals(MilvusMethods.SERVICE + "/" + d.getName(), m.getFullMethodName());
    }
  }
}
