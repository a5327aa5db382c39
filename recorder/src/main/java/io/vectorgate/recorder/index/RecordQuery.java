package io.vectorgate.recorder.index;

import java.time.Instant;

/**
 * Filters for list/export/sessions: all given ones must hold. {@code subject} and {@code group}
 * select the identity, {@code allow} the decision (true = allowed, false = denied), {@code from}
 * inclusive and {@code to} exclusive the time. {@code kind} defaults to request records only;
 * {@code "*"} selects every entry kind. {@code limit} is the page size (1..10000).
 */
public record RecordQuery(
    String subject,
    String group,
    String collection,
    String action,
    Boolean allow,
    Instant from,
    Instant to,
    String sessionId,
    String connection,
    String kind,
    int limit,
    String cursor) {

  public static final int MAX_LIMIT = 10_000;

  public RecordQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("query limit must be within 1.." + MAX_LIMIT + ", was " + limit);
    }
    kind = kind == null ? "request" : kind;
  }

  public static Builder builder() {
    return new Builder();
  }

  public RecordQuery withCursor(String next) {
    return new RecordQuery(subject, group, collection, action, allow, from, to, sessionId, connection, kind, limit, next);
  }

  /** The same filters evaluated in memory (for scans without an index, and for export). */
  public boolean matches(IndexedRecord r) {
    return ("*".equals(kind) || kind.equals(r.kind()))
        && (subject == null || subject.equals(r.subject()))
        && (group == null || r.groups().contains(group))
        && (collection == null || collection.equals(r.collection()))
        && (action == null || action.equals(r.action()))
        && (allow == null || allow.equals(r.allow()))
        && (from == null || !r.time().isBefore(from))
        && (to == null || r.time().isBefore(to))
        && (sessionId == null || sessionId.equals(r.sessionId()))
        && (connection == null || connection.equals(r.connection()));
  }

  public boolean hasRecordFilters() {
    return collection != null || action != null || allow != null || group != null || connection != null;
  }

  /** Builder; every filter is optional. */
  public static final class Builder {
    private String subject;
    private String group;
    private String collection;
    private String action;
    private Boolean allow;
    private Instant from;
    private Instant to;
    private String sessionId;
    private String connection;
    private String kind;
    private int limit = 100;
    private String cursor;

    public Builder subject(String v) { this.subject = v; return this; }
    public Builder group(String v) { this.group = v; return this; }
    public Builder collection(String v) { this.collection = v; return this; }
    public Builder action(String v) { this.action = v; return this; }
    public Builder allow(Boolean v) { this.allow = v; return this; }
    public Builder from(Instant v) { this.from = v; return this; }
    public Builder to(Instant v) { this.to = v; return this; }
    public Builder sessionId(String v) { this.sessionId = v; return this; }
    public Builder connection(String v) { this.connection = v; return this; }
    public Builder kind(String v) { this.kind = v; return this; }
    public Builder limit(int v) { this.limit = v; return this; }
    public Builder cursor(String v) { this.cursor = v; return this; }

    public RecordQuery build() {
      return new RecordQuery(subject, group, collection, action, allow, from, to, sessionId, connection, kind, limit, cursor);
    }
  }
}
