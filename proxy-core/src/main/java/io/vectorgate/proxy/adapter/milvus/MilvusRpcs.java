package io.vectorgate.proxy.adapter.milvus;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.Message;
import io.milvus.grpc.MilvusProto;
import io.vectorgate.model.Action;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every RPC of {@code milvus.proto.milvus.MilvusService} in the Milvus 2.6 proto (as shipped in
 * {@code io.milvus:milvus-sdk-java:2.6.22}), with its request and response prototypes and the
 * {@link Action} it is classified as. The list of methods comes from the proto's own service
 * descriptor; the action table below must name every one of them (a test checks this), so an RPC
 * added by a newer proto is not silently classified.
 */
public final class MilvusRpcs {
  /** The gRPC service name. */
  public static final String SERVICE = "milvus.proto.milvus.MilvusService";

  /** One RPC: its short name, prototypes, streaming shape and action. */
  public record Rpc(
      String name,
      Message requestPrototype,
      Message responsePrototype,
      boolean clientStreaming,
      boolean serverStreaming,
      Action action) {

    /** The full gRPC method name, e.g. {@code milvus.proto.milvus.MilvusService/Search}. */
    public String fullMethodName() {
      return SERVICE + "/" + name;
    }

    /** The path form used in {@code ProtocolFacts}, e.g. {@code /milvus.proto.milvus.MilvusService/Search}. */
    public String path() {
      return "/" + fullMethodName();
    }
  }

  private static final Map<String, Action> ACTIONS = actions();
  private static final Map<String, Rpc> RPCS = load();

  private MilvusRpcs() {}

  /** All RPCs of the service, in proto order. */
  public static Map<String, Rpc> all() {
    return RPCS;
  }

  /** The RPC with this short name, if the 2.6 proto defines it. */
  public static Optional<Rpc> find(String name) {
    return Optional.ofNullable(RPCS.get(name));
  }

  /** The action an RPC is classified as; {@link Action#UNKNOWN} for an RPC this proto does not define. */
  public static Action actionOf(String name) {
    Rpc rpc = RPCS.get(name);
    return rpc == null ? Action.UNKNOWN : rpc.action();
  }

  /** The names the action table classifies (used to check it against the proto). */
  static Map<String, Action> actionTable() {
    return ACTIONS;
  }

  private static Map<String, Rpc> load() {
    ServiceDescriptor service = MilvusProto.getDescriptor().findServiceByName("MilvusService");
    if (service == null) {
      throw new IllegalStateException("MilvusService is missing from the Milvus proto descriptor");
    }
    Map<String, Rpc> rpcs = new LinkedHashMap<>();
    for (MethodDescriptor m : service.getMethods()) {
      Action action = ACTIONS.getOrDefault(m.getName(), Action.UNKNOWN);
      rpcs.put(m.getName(), new Rpc(m.getName(), prototype(m.getInputType()), prototype(m.getOutputType()),
          m.isClientStreaming(), m.isServerStreaming(), action));
    }
    return Collections.unmodifiableMap(rpcs);
  }

  /** The generated class's default instance for a message descriptor. */
  static Message prototype(Descriptor type) {
    FileDescriptor file = type.getFile();
    String javaPackage = file.getOptions().hasJavaPackage() ? file.getOptions().getJavaPackage() : file.getPackage();
    String className;
    if (file.getOptions().getJavaMultipleFiles()) {
      className = javaPackage + "." + type.getName();
    } else {
      String outer = file.getOptions().hasJavaOuterClassname()
          ? file.getOptions().getJavaOuterClassname()
          : outerClassName(file.getName());
      className = javaPackage + "." + outer + "$" + type.getName();
    }
    try {
      Message instance = (Message) Class.forName(className).getMethod("getDefaultInstance").invoke(null);
      if (!instance.getDescriptorForType().getFullName().equals(type.getFullName())) {
        throw new IllegalStateException("class " + className + " does not implement " + type.getFullName());
      }
      return instance;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("no generated class for " + type.getFullName() + " (looked for " + className + ")", e);
    }
  }

  private static String outerClassName(String protoFile) {
    String base = protoFile.substring(protoFile.lastIndexOf('/') + 1).replaceFirst("\\.proto$", "");
    StringBuilder sb = new StringBuilder();
    boolean upper = true;
    for (char c : base.toCharArray()) {
      if (c == '_' || c == '-' || c == '.') {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return sb.toString();
  }

  private static Map<String, Action> actions() {
    Map<String, Action> a = new LinkedHashMap<>();
    // data plane
    put(a, Action.SEARCH, "Search", "HybridSearch");
    put(a, Action.QUERY, "Query"); // refined to count/get by the adapter
    put(a, Action.INSERT, "Insert");
    put(a, Action.UPSERT, "Upsert");
    put(a, Action.DELETE, "Delete"); // refined to delete_all by the adapter
    // collection lifecycle
    put(a, Action.CREATE_COLLECTION, "CreateCollection");
    put(a, Action.DROP_COLLECTION, "DropCollection");
    put(a, Action.TRUNCATE_COLLECTION, "TruncateCollection");
    put(a, Action.RENAME_COLLECTION, "RenameCollection");
    put(a, Action.ALTER_COLLECTION,
        "AlterCollection", "AlterCollectionField", "AddCollectionField",
        "AddCollectionFunction", "AlterCollectionFunction", "DropCollectionFunction",
        "LoadCollection", "ReleaseCollection", "CreatePartition", "LoadPartitions", "ReleasePartitions",
        "CreateAlias", "AlterAlias", "DropAlias");
    // dropping a partition destroys every row in it
    put(a, Action.DELETE_ALL, "DropPartition");
    put(a, Action.CREATE_INDEX, "CreateIndex", "AlterIndex");
    put(a, Action.DROP_INDEX, "DropIndex");
    // metadata reads
    put(a, Action.DESCRIBE,
        "DescribeCollection", "BatchDescribeCollection", "HasCollection", "GetCollectionStatistics",
        "HasPartition", "GetPartitionStatistics", "GetLoadingProgress", "GetLoadState",
        "DescribeAlias", "DescribeIndex", "GetIndexStatistics", "GetIndexState", "GetIndexBuildProgress",
        "DescribeDatabase", "GetFlushState", "GetFlushAllState", "GetPersistentSegmentInfo",
        "GetQuerySegmentInfo", "GetReplicas", "GetVersion", "CheckHealth", "Connect",
        "GetCompactionState", "GetCompactionStateWithPlans", "GetImportState", "GetComponentStates",
        "RunAnalyzer");
    put(a, Action.LIST,
        "ShowCollections", "ShowPartitions", "ListAliases", "ListDatabases", "ListImportTasks");
    put(a, Action.IMPORT, "Import");
    // streams of raw WAL / RBAC data leaving the cluster
    put(a, Action.EXPORT, "DumpMessages", "BackupRBAC");
    // cluster administration, security and replication
    put(a, Action.ADMIN,
        "CreateDatabase", "DropDatabase", "AlterDatabase",
        "Flush", "FlushAll", "ManualCompaction", "LoadBalance", "AllocTimestamp", "GetMetrics", "Dummy",
        "RegisterLink", "CalcDistance",
        "CreateCredential", "UpdateCredential", "DeleteCredential", "ListCredUsers",
        "CreateRole", "AlterRole", "DropRole", "OperateUserRole", "SelectRole", "SelectUser",
        "OperatePrivilege", "OperatePrivilegeV2", "SelectGrant", "RestoreRBAC",
        "CreatePrivilegeGroup", "DropPrivilegeGroup", "ListPrivilegeGroups", "OperatePrivilegeGroup",
        "CreateResourceGroup", "DropResourceGroup", "UpdateResourceGroups", "TransferNode",
        "TransferReplica", "ListResourceGroups", "DescribeResourceGroup",
        "ListIndexedSegment", "DescribeSegmentIndexData",
        "ReplicateMessage", "CreateReplicateStream", "UpdateReplicateConfiguration",
        "GetReplicateConfiguration", "GetReplicateInfo",
        "AddFileResource", "RemoveFileResource", "ListFileResources",
        "AddUserTags", "DeleteUserTags", "GetUserTags", "ListUsersWithTag",
        "CreateRowPolicy", "DropRowPolicy", "ListRowPolicies");
    return Collections.unmodifiableMap(a);
  }

  private static void put(Map<String, Action> table, Action action, String... names) {
    for (String n : names) {
      if (table.put(n, action) != null) {
        throw new IllegalStateException("RPC " + n + " is classified twice");
      }
    }
  }
}
