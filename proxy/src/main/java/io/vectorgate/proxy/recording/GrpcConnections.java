package io.vectorgate.proxy.recording;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerTransportFilter;

/**
 * Gives every gRPC client connection (HTTP/2 transport) an id in its transport attributes, which
 * calls see as {@link #CONNECTION_ID}, and ends the connection's recorded sessions when it closes.
 */
public final class GrpcConnections extends ServerTransportFilter {
  /** The gateway's id of the client connection a call arrived on. */
  public static final Attributes.Key<String> CONNECTION_ID = Attributes.Key.create("vectorgate.connection_id");

  private final GatewayRecording recording;

  public GrpcConnections(GatewayRecording recording) {
    this.recording = recording;
  }

  @Override
  public Attributes transportReady(Attributes attrs) {
    String id = recording.connectionOpened("grpc", attrs.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    return id == null ? attrs : attrs.toBuilder().set(CONNECTION_ID, id).build();
  }

  @Override
  public void transportTerminated(Attributes attrs) {
    // null when the connection closed before it was ready (e.g. a port probe)
    if (attrs != null) {
      recording.connectionClosed(attrs.get(CONNECTION_ID));
    }
  }
}
