package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.MethodDescriptor;
import io.milvus.grpc.MilvusProto;
import io.vectorgate.model.Action;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MilvusRpcsTest {

  @Test
  void everyRpcOfTheProtoIsClassifiedAndNothingElse() {
    Set<String> inProto = new HashSet<>();
    for (MethodDescriptor m : MilvusProto.getDescriptor().findServiceByName("MilvusService").getMethods()) {
      inProto.add(m.getName());
      assertTrue(MilvusRpcs.actionTable().containsKey(m.getName()), "RPC " + m.getName() + " has no action");
    }
    assertEquals(inProto, MilvusRpcs.actionTable().keySet(), "the action table names RPCs the proto lacks");
    assertEquals(117, inProto.size(), "the 2.6.22 proto defines 117 MilvusService RPCs");
    MilvusRpcs.all().values().forEach(r -> assertFalse(r.action() == Action.UNKNOWN, r.name()));
  }

  @Test
  void prototypesAreTheGeneratedClassesOfTheMethodTypes() {
    for (MethodDescriptor m : MilvusProto.getDescriptor().findServiceByName("MilvusService").getMethods()) {
      MilvusRpcs.Rpc rpc = MilvusRpcs.find(m.getName()).orElseThrow();
      assertEquals(m.getInputType().getFullName(), rpc.requestPrototype().getDescriptorForType().getFullName());
      assertEquals(m.getOutputType().getFullName(), rpc.responsePrototype().getDescriptorForType().getFullName());
      assertEquals(m.isServerStreaming(), rpc.serverStreaming());
    }
    assertEquals("milvus.proto.milvus.MilvusService/Search", MilvusRpcs.find("Search").orElseThrow().fullMethodName());
    assertTrue(MilvusRpcs.find("DumpMessages").orElseThrow().serverStreaming());
    assertTrue(MilvusRpcs.find("CreateReplicateStream").orElseThrow().clientStreaming());
  }

  @Test
  void keyClassifications() {
    assertEquals(Action.SEARCH, MilvusRpcs.actionOf("HybridSearch"));
    assertEquals(Action.TRUNCATE_COLLECTION, MilvusRpcs.actionOf("TruncateCollection"));
    assertEquals(Action.DELETE_ALL, MilvusRpcs.actionOf("DropPartition"));
    assertEquals(Action.EXPORT, MilvusRpcs.actionOf("DumpMessages"));
    assertEquals(Action.ADMIN, MilvusRpcs.actionOf("CreateRowPolicy"));
    assertEquals(Action.IMPORT, MilvusRpcs.actionOf("Import"));
    assertEquals(Action.UNKNOWN, MilvusRpcs.actionOf("CreateSnapshot"), "master-only RPCs are unknown to 2.6");
  }
}
