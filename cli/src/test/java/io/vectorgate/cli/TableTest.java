package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTest {
  private static String print(Table t) {
    StringWriter w = new StringWriter();
    t.print(new PrintWriter(w, true));
    return w.toString();
  }

  @Test
  void aLongValueWidensItsColumnAndKeepsTheRowsAligned() {
    Table t = new Table("ID", "SUBJECT", "TEXT")
        .row("apr-1", "carol", "short")
        .row("apr-2", "a-very-long-subject-name@example.com", "delete on docs")
        .row("apr-3", null, "x");
    assertEquals("""
        ID     SUBJECT                               TEXT
        apr-1  carol                                 short
        apr-2  a-very-long-subject-name@example.com  delete on docs
        apr-3  -                                     x
        """, print(t));
  }

  @Test
  void anEmptyTableIsItsHeader() {
    assertEquals("A  B\n", print(new Table("A", "B")));
    assertThrows(IllegalArgumentException.class, () -> new Table("A", "B").row("only one"));
  }
}
