package io.vectorgate.proxy.grpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.milvus.grpc.ErrorCode;

/**
 * How the gateway's refusals reach Milvus clients: in band, in the RPC's own response type, as
 * Milvus answers its own errors. The call ends with gRPC OK and a response whose {@code status}
 * (or the response itself, for RPCs answering {@code common.Status}) carries a Milvus error code,
 * the legacy {@code error_code} and the reason text: the gateway's reason code, message,
 * decision id (for policy decisions) and request id.
 *
 * <p>Why in band: pymilvus raises {@code MilvusException(code, reason)} for a non-zero in-band
 * status (at {@code Connect} too, where it replaces any gRPC error by "Fail connecting to server
 * ... illegal connection params or server unavailable"), and the Milvus Java SDK raises
 * {@code MilvusClientException(SERVER_ERROR, reason)} (at connect a {@code RuntimeException}
 * "Failed to initialize connection. Error: reason"). Neither retries an in-band error unless its
 * code is a rate limit (code 8 or legacy {@code RateLimit}), which the gateway never sends; both
 * retry gRPC UNAVAILABLE (pymilvus up to 75 times), and pymilvus surfaces other gRPC errors as a
 * raw {@code grpc.RpcError}.
 *
 * <p>Codes follow Milvus's own (pkg/util/merr): 1400 not authenticated, 1401 privilege not
 * permitted, 1100 invalid parameter, 2 service unavailable, 5 internal; the legacy
 * {@code error_code} is {@code PermissionDenied}, {@code IllegalArgument} or
 * {@code UnexpectedError}. CANCELLED and DEADLINE_EXCEEDED stay gRPC statuses (the client has
 * given up), and so does a response type without a {@code common.Status} field (in the 2.6
 * service only {@code Dummy} and {@code GetReplicateInfo}).
 */
public final class MilvusRefusals {
  /** Milvus error codes (merr) the gateway answers with. */
  public static final int NOT_AUTHENTICATED = 1400;
  public static final int NOT_PERMITTED = 1401;
  public static final int INVALID_PARAMETER = 1100;
  public static final int SERVICE_UNAVAILABLE = 2;
  public static final int SERVICE_INTERNAL = 5;

  private MilvusRefusals() {}

  /**
   * The in-band answer to {@code method} for the refusal {@code status}, or null when it must stay
   * a gRPC status (OK, CANCELLED, DEADLINE_EXCEEDED, or a response type without a status).
   */
  public static Message inBand(MethodDescriptor<Message, Message> method, Status status, String requestId) {
    int code;
    ErrorCode legacy;
    switch (status.getCode()) {
      case OK, CANCELLED, DEADLINE_EXCEEDED -> {
        return null;
      }
      case UNAUTHENTICATED -> {
        code = NOT_AUTHENTICATED;
        legacy = ErrorCode.PermissionDenied;
      }
      case PERMISSION_DENIED -> {
        code = NOT_PERMITTED;
        legacy = ErrorCode.PermissionDenied;
      }
      case INVALID_ARGUMENT -> {
        code = INVALID_PARAMETER;
        legacy = ErrorCode.IllegalArgument;
      }
      case UNAVAILABLE -> {
        code = SERVICE_UNAVAILABLE;
        legacy = ErrorCode.UnexpectedError;
      }
      default -> {
        code = SERVICE_INTERNAL;
        legacy = ErrorCode.UnexpectedError;
      }
    }
    if (!(method.getResponseMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> pm)
        || !(pm.getMessagePrototype() instanceof Message prototype)) {
      return null;
    }
    io.milvus.grpc.Status inBand = io.milvus.grpc.Status.newBuilder()
        .setCode(code)
        .setErrorCode(legacy)
        .setReason(reason(status, requestId))
        .setRetriable(false)
        .build();
    Descriptors.Descriptor type = prototype.getDescriptorForType();
    if (type.equals(io.milvus.grpc.Status.getDescriptor())) {
      return inBand;
    }
    Descriptors.FieldDescriptor f = type.findFieldByName("status");
    if (f == null || f.isRepeated() || f.getJavaType() != Descriptors.FieldDescriptor.JavaType.MESSAGE
        || !f.getMessageType().equals(io.milvus.grpc.Status.getDescriptor())) {
      return null;
    }
    return prototype.newBuilderForType().setField(f, inBand).build();
  }

  /** The reason text: the refusal's description (reason code, message, decision id) and the request id. */
  static String reason(Status status, String requestId) {
    String d = status.getDescription() == null ? status.getCode().name().toLowerCase(java.util.Locale.ROOT)
        : status.getDescription();
    return "vectorgate: " + d + (requestId == null ? "" : " (request " + requestId + ")");
  }
}
