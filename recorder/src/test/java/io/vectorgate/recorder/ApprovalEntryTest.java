package io.vectorgate.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.recorder.index.IndexConfig;
import io.vectorgate.recorder.index.IndexedRecord;
import io.vectorgate.recorder.index.RecordQuery;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApprovalEntryTest {
  @TempDir Path dir;

  @Test
  void approvalEntriesAreChainedIndexedAndVerify() throws Exception {
    try (Recorder r = Recorder.open(Fixtures.config(dir).build())) {
      ObjectNode f = RecordFormat.mapper().createObjectNode();
      f.put("approval_id", "apr-1").put("event", "approved").put("actor", "dave").put("status", "approved");
      Ack ack = r.appendApproval(Instant.parse("2025-01-02T03:04:05Z"), null, f).get(10, TimeUnit.SECONDS);
      assertEquals(1, ack.seq());
      ObjectNode bad = RecordFormat.mapper().createObjectNode().put("seq", 7);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.appendApproval(null, null, bad));
      assertTrue(e.getMessage().contains("`seq`"), e.getMessage());
    }
    try (RecordingStore s = RecordingStore.open(dir, IndexConfig.sqlite(dir.resolve("index.sqlite")))) {
      List<IndexedRecord> items = s.list(RecordQuery.builder().kind(RecordFormat.KIND_APPROVAL).build()).items();
      assertEquals(1, items.size());
      assertEquals("2025-01-02T03:04:05Z", items.get(0).time().toString());
      assertTrue(s.verify().ok(), s.verify().problems().toString());
    }
  }
}
