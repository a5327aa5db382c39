package io.vectorgate.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vectorgate.recorder.index.RecordQuery;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Indexing runs behind the writer: a slow index delays neither acks nor the entries after them. */
class IndexFeederTest {
  @TempDir Path dir;

  @Test
  void aBlockedIndexDoesNotHoldBackTheNextEntryAndFlushWaitsForIt() throws Exception {
    try (Recorder r = Recorder.open(Fixtures.config(dir).build())) {
      r.append(Fixtures.draft("s", "alice")).get(10, TimeUnit.SECONDS);
      r.flush().get(10, TimeUnit.SECONDS);
      assertEquals(1, r.index().lastSeq(r.recorderId()));
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.sqlite"));
           Statement st = c.createStatement()) {
        st.execute("BEGIN EXCLUSIVE"); // the index's next insert waits (busy timeout 5 s), then fails
        Ack a2 = r.append(Fixtures.draft("s", "alice")).get(10, TimeUnit.SECONDS);
        Ack a3 = r.append(Fixtures.draft("s", "alice")).get(10, TimeUnit.SECONDS);
        assertEquals(3, a3.seq());
        // both acks came while the index insert of entry 2 was still waiting for the lock: had the
        // writer indexed before taking entry 3, entry 3's ack would have come after that insert failed
        assertEquals(0, r.stats().indexFailures(), "acks must not wait for the index");
        assertEquals(2, a2.seq());
        st.execute("COMMIT");
      }
      r.flush().get(30, TimeUnit.SECONDS);
      // flush waits for the index thread; a failed insert is kept and retried with the next batch
      r.append(Fixtures.draft("s", "alice")).get(10, TimeUnit.SECONDS);
      r.flush().get(30, TimeUnit.SECONDS);
      assertEquals(4, r.index().lastSeq(r.recorderId()));
      assertEquals(4, r.index().find(RecordQuery.builder().limit(100).build()).items().size());
    }
  }
}
