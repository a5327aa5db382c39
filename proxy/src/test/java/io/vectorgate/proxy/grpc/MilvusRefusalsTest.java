package io.vectorgate.proxy.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.milvus.grpc.ErrorCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every served (unary) MilvusService method but Dummy and GetReplicateInfo carries a refusal in its own response type. */
class MilvusRefusalsTest {
  static io.milvus.grpc.Status statusOf(Message m) {
    if (m instanceof io.milvus.grpc.Status s) {
      return s;
    }
    Descriptors.FieldDescriptor f = m.getDescriptorForType().findFieldByName("status");
    return (io.milvus.grpc.Status) m.getField(f);
  }

  @Test
  void everyUnaryMethodAnswersARefusalInBand() {
    int unary = 0;
    List<String> withoutStatus = new java.util.ArrayList<>();
    for (MethodDescriptor<Message, Message> m : MilvusMethods.all().values()) {
      if (m.getType() != MethodDescriptor.MethodType.UNARY) {
        continue;
      }
      unary++;
      Message answer = MilvusRefusals.inBand(m, Status.PERMISSION_DENIED.withDescription(
          "denied by policy (decision d-1): destructive_requires_break_glass: no"), "r-1");
      if (answer == null) {
        withoutStatus.add(m.getBareMethodName());
        continue;
      }
      io.milvus.grpc.Status st = statusOf(answer);
      assertEquals(MilvusRefusals.NOT_PERMITTED, st.getCode(), m.getFullMethodName());
      assertEquals(ErrorCode.PermissionDenied, st.getErrorCode(), m.getFullMethodName());
      assertEquals("vectorgate: denied by policy (decision d-1): destructive_requires_break_glass: no (request r-1)",
          st.getReason());
      // and it is exactly what the client parses
      assertEquals(answer, m.parseResponse(m.streamResponse(answer)));
    }
    assertTrue(unary > 100, "only " + unary + " unary methods");
    // the response types of the 2.6 service without a common.Status: their refusals stay gRPC statuses
    assertEquals(List.of("Dummy", "GetReplicateInfo"), withoutStatus);
  }

  @Test
  void codesFollowMilvusAndClientGoneOrDeadlineStayGrpcStatuses() {
    MethodDescriptor<Message, Message> search = MilvusMethods.byName("Search");
    Map<Status.Code, List<Object>> expected = Map.of(
        Status.Code.UNAUTHENTICATED, List.of(1400, ErrorCode.PermissionDenied),
        Status.Code.PERMISSION_DENIED, List.of(1401, ErrorCode.PermissionDenied),
        Status.Code.INVALID_ARGUMENT, List.of(1100, ErrorCode.IllegalArgument),
        Status.Code.UNAVAILABLE, List.of(2, ErrorCode.UnexpectedError),
        Status.Code.INTERNAL, List.of(5, ErrorCode.UnexpectedError));
    expected.forEach((code, want) -> {
      io.milvus.grpc.Status st = statusOf(MilvusRefusals.inBand(search, Status.fromCode(code).withDescription("x"), null));
      assertEquals(want.get(0), st.getCode(), code.name());
      assertEquals(want.get(1), st.getErrorCode(), code.name());
      assertEquals("vectorgate: x", st.getReason());
      assertTrue(!st.getRetriable(), code.name());
    });
    for (Status.Code c : List.of(Status.Code.OK, Status.Code.CANCELLED, Status.Code.DEADLINE_EXCEEDED)) {
      assertNull(MilvusRefusals.inBand(search, Status.fromCode(c), "r"), c.name());
    }
  }
}
