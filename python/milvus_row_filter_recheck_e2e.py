"""pymilvus + Milvus Lite: the gateway re-checks the row filter on what comes back.

Setup goes straight to Milvus Lite (rows inserted directly upstream, as an operator or another
service would): collection kb_regions (dynamic fields) whose `region` key is a string for some rows
and an array for others. Then, as analyst bob through the gateway, whose decision carries the row
filter `region != "eu"` (test policy region_guard.rego): Milvus Lite evaluates `region != "eu"` in
Python, so an array value such as ["eu"] is "not equal" and selected, while Milvus's filter never
selects an array for ==/!= and the gateway's row filter semantics say an array satisfies no
condition. The gateway must drop those rows from the answer. Prints one JSON line of results.
"""
import argparse
import json

from pymilvus import DataType, MilvusClient

ROWS = [
    {"id": 1, "region": "us", "v": [1.0, 0.0]},
    {"id": 2, "region": "eu", "v": [0.9, 0.1]},
    {"id": 3, "region": ["eu"], "v": [0.8, 0.2]},
    {"id": 4, "region": ["us", "eu"], "v": [0.7, 0.3]},
    {"id": 5, "v": [0.6, 0.4]},
]


def step(out, name, fn):
    try:
        out[name] = {"ok": True, "value": fn()}
    except Exception as e:  # reported to the JUnit side, which asserts on it
        out[name] = {"ok": False, "error": str(e)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--tokens", required=True)
    a = ap.parse_args()
    tokens = json.load(open(a.tokens))

    direct = MilvusClient(uri="http://" + a.upstream, token="root:Milvus")
    s = MilvusClient.create_schema(enable_dynamic_field=True)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("v", DataType.FLOAT_VECTOR, dim=2)
    idx = direct.prepare_index_params()
    idx.add_index("v", metric_type="L2", index_type="FLAT")
    direct.create_collection("kb_regions", schema=s, index_params=idx)
    direct.insert("kb_regions", ROWS)

    out = {}
    # what Milvus Lite itself selects for the injected filter (no gateway): the array rows too
    step(out, "upstream_ne", lambda: sorted(r["id"] for r in direct.query(
        "kb_regions", filter='(id > 0) and (region != "eu")', output_fields=["id", "region"])))

    bob = MilvusClient(uri="http://" + a.gateway, token=tokens["analyst"])
    step(out, "query_with_region", lambda: [{"id": r["id"], "region": r.get("region")} for r in bob.query(
        "kb_regions", filter="id > 0", output_fields=["id", "region"])])
    step(out, "search_with_region", lambda: [[{"id": h["id"], "region": h["entity"].get("region")} for h in hits]
                                              for hits in bob.search("kb_regions", data=[[1.0, 0.0]], limit=5,
                                                                     output_fields=["region"])])
    step(out, "get_with_region", lambda: sorted(r["id"] for r in bob.get(
        "kb_regions", ids=[1, 2, 3, 4, 5], output_fields=["id", "region"])))
    # the documented limit: a row that does not carry the field is not judged
    step(out, "query_without_region", lambda: sorted(r["id"] for r in bob.query(
        "kb_regions", filter="id > 0", output_fields=["id"])))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
