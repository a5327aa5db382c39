package io.vectorgate.rollout;

/** Policy files used by the rollout tests. */
final class Policies {
  private Policies() {}

  static final String GOOD_VG = """
      policy "rollout-test" version 1

      allow search, query, describe, delete on any collection for anyone
      """;

  /** Like {@link #GOOD_VG} but deletes are denied. */
  static final String DENY_DELETE_VG = """
      policy "rollout-test" version 1

      allow search, query, describe, delete on any collection for anyone
      deny delete on any collection for anyone reason "no_deletes"
      """;

  /** Type error on line 4: a number attribute compared with a string. */
  static final String TYPE_ERROR_VG = """
      policy "rollout-test" version 1

      allow search, query, describe on any collection for anyone
      deny delete on any collection when ids == "many"
      """;

  /** Syntax error on line 6. */
  static final String BAD_REGO = """
      package vectorgate

      import rego.v1

      deny contains msg if {
      	msg := input.x ++ 1
      }
      """;

  static final String PASSING_TEST = """
      package vectorgate_test

      import rego.v1

      test_search_allowed if {
      	data.vectorgate.decision.allow with input as {"contract": "vectorgate/v1", "operation": {"action": "search", "resource": {"collection": "docs"}}, "identity": {"groups": []}}
      }
      """;

  static final String FAILING_TEST = """
      package vectorgate_test

      import rego.v1

      test_search_allowed if {
      	data.vectorgate.decision.allow with input as {"contract": "vectorgate/v1", "operation": {"action": "search", "resource": {"collection": "docs"}}, "identity": {"groups": []}}
      }

      test_delete_denied if {
      	not data.vectorgate.decision.allow with input as {"contract": "vectorgate/v1", "operation": {"action": "delete", "resource": {"collection": "docs"}}, "identity": {"groups": []}}
      }
      """;

  static String input(String action, String collection) {
    return "{\"contract\":\"vectorgate/v1\",\"identity\":{\"subject\":\"u1\",\"groups\":[\"analysts\"]},"
        + "\"connection\":{\"name\":\"c\",\"kind\":\"milvus\"},"
        + "\"operation\":{\"action\":\"" + action + "\",\"resource\":{\"collection\":\"" + collection + "\",\"partitions\":[]},"
        + "\"output_fields\":[],\"vectors_requested\":false,\"paging\":false,"
        + "\"counts\":{\"ids\":1,\"rows\":0,\"queries\":1},\"attributes\":{},"
        + "\"protocol\":{\"protocol\":\"grpc\",\"rpc\":\"/x\"}},"
        + "\"context\":{\"time\":\"1970-01-01T00:00:00Z\",\"time_ns\":0,\"request_id\":\"r\","
        + "\"usage\":{\"requests_last_minute\":0,\"rows_last_hour\":0,\"vectors_last_hour\":0,\"pages_last_hour\":0}}}";
  }
}
