package io.vectorgate.proxy.adapter.milvus;

import com.google.protobuf.Message;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Test helpers: the pymilvus-generated request fixtures and the schema they were written for. */
final class MilvusFixtures {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private MilvusFixtures() {}

  /** The schema of collection {@code docs} the fixtures target (id pk, tenant, title, vector, dynamic on). */
  static CollectionSchema docsSchema() {
    return CollectionSchema.newBuilder()
        .setName("docs")
        .setEnableDynamicField(true)
        .addFields(FieldSchema.newBuilder().setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
        .addFields(FieldSchema.newBuilder().setName("tenant").setDataType(DataType.VarChar))
        .addFields(FieldSchema.newBuilder().setName("title").setDataType(DataType.VarChar))
        .addFields(FieldSchema.newBuilder().setName("vector").setDataType(DataType.FloatVector))
        .addFields(FieldSchema.newBuilder().setName("$meta").setDataType(DataType.JSON).setIsDynamic(true))
        .build();
  }

  static CollectionSchemaCache cache() {
    return new CollectionSchemaCache(
        (db, name) -> name.equals("docs") || name.equals("docs_alias") ? Optional.of(docsSchema()) : Optional.empty(),
        100, Duration.ofMinutes(5));
  }

  static MilvusAdapter adapter() {
    return new MilvusAdapter(cache(), new ValueMasker(KEY));
  }

  static MilvusAdapter adapter(RowFilterBinding binding) {
    return new MilvusAdapter(cache(), new ValueMasker(KEY), binding);
  }

  /** Parses {@code milvus/<name>.bin} as the given message type. */
  @SuppressWarnings("unchecked")
  static <T extends Message> T load(String name, T prototype) {
    try (InputStream in = MilvusFixtures.class.getResourceAsStream("/milvus/" + name + ".bin")) {
      if (in == null) {
        throw new IllegalStateException("missing fixture milvus/" + name + ".bin");
      }
      return (T) prototype.getParserForType().parseFrom(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
