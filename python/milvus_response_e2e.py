"""Guarantees on what comes back through the Vectorgate Milvus gateway, driven with unmodified
pymilvus against Milvus Lite (issue 14, findings 1-3).

Run by io.vectorgate.proxy.e2e.PymilvusResponseGuaranteesE2ETest:

  python milvus_response_e2e.py --gateway 127.0.0.1:P --tokens tokens.json

tokens.json maps admin (admins), analyst (analysts, tenant acme, limit cap 100, no vectors, no
PII) and engineer (ml-engineers, tenant acme, vector reader) to access tokens. Prints one JSON
object describing every step (the Java test asserts on it).
"""
import argparse
import base64
import json

import grpc
from pymilvus import AnnSearchRequest, DataType, Function, FunctionType, MilvusClient
from pymilvus.grpc_gen import milvus_pb2, milvus_pb2_grpc, schema_pb2, common_pb2

import vg_sample

QUERY_VECTOR = [[4.0, 1.0, 0.5, 0.25]]
BIG = "kb_big"
BIG_ROWS = 300


def client(addr, token):
    return MilvusClient(uri=f"http://{addr}", token=token, timeout=30)


def attempt(fn):
    """Runs fn; returns {"ok": True, "value": ...} or {"ok": False, "code": ..., "error": ...}."""
    try:
        return {"ok": True, "value": fn()}
    except Exception as e:  # noqa: BLE001 - the scenario records every refusal
        code = getattr(e, "code", None)
        if callable(code):
            code = code()
        return {"ok": False, "code": str(code), "error": str(e)}


def entities(result):
    """The entity of every hit of every query, as plain dicts."""
    return [[dict(h["entity"]) for h in q] for q in result]


def raw(addr, token, method, request):
    """One raw call with empty output_fields; returns the column names and types of the answer."""
    with grpc.insecure_channel(addr) as ch:
        stub = milvus_pb2_grpc.MilvusServiceStub(ch)
        auth = base64.b64encode(token.encode()).decode()
        resp = getattr(stub, method)(request, metadata=[("authorization", auth)], timeout=30)
        fields = resp.results.fields_data if method == "Search" else resp.fields_data
        return [{"name": f.field_name, "type": schema_pb2.DataType.Name(f.type),
                 "has_vectors": f.HasField("vectors")} for f in fields]


def placeholder(vectors):
    ph = common_pb2.PlaceholderValue(tag="$0", type=common_pb2.PlaceholderType.FloatVector)
    import struct
    for v in vectors:
        ph.values.append(struct.pack(f"<{len(v)}f", *v))
    return common_pb2.PlaceholderGroup(placeholders=[ph]).SerializeToString()


def load_big(admin):
    if admin.has_collection(BIG):
        admin.drop_collection(BIG)
    s = admin.create_schema(auto_id=False, enable_dynamic_field=True)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("tenant_id", DataType.VARCHAR, max_length=64)
    s.add_field("embedding", DataType.FLOAT_VECTOR, dim=vg_sample.DIM)
    idx = admin.prepare_index_params()
    idx.add_index("embedding", metric_type="L2", index_type="FLAT")
    admin.create_collection(BIG, schema=s, index_params=idx)
    admin.insert(BIG, [{"id": i, "tenant_id": "acme", "embedding": [float(i), 1.0, 0.5, 0.25], "note": f"n{i}"}
                       for i in range(BIG_ROWS)])


def boost(filter_expr):
    return Function(name="boost", input_field_names=[], function_type=FunctionType.RERANK,
                    params={"reranker": "boost", "filter": filter_expr, "weight": 1000})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--tokens", required=True)
    args = ap.parse_args()
    tokens = json.load(open(args.tokens))
    gw = args.gateway
    out = {}

    admin = client(gw, tokens["admin"])
    vg_sample.load(admin)
    load_big(admin)
    analyst = client(gw, tokens["analyst"])
    engineer = client(gw, tokens["engineer"])

    # finding 1: vectors the request did not name come back from Milvus Lite
    out["search_default"] = attempt(lambda: entities(analyst.search("docs", data=QUERY_VECTOR, limit=3)))
    out["search_customers_default"] = attempt(
        lambda: entities(analyst.search("customers", data=[[0.1, 0.2, 0.3, 0.4]], limit=3)))
    out["query_default"] = attempt(lambda: analyst.query("docs", filter="id in [2, 4]"))
    out["get_default"] = attempt(lambda: analyst.get("customers", ids=[1, 2]))
    out["hybrid_default"] = attempt(lambda: entities(analyst.hybrid_search(
        "docs", [AnnSearchRequest(QUERY_VECTOR, "embedding", {"metric_type": "L2"}, limit=3),
                 AnnSearchRequest(QUERY_VECTOR, "embedding", {"metric_type": "L2"}, limit=3)],
        ranker=Function(name="rrf", input_field_names=[], function_type=FunctionType.RERANK,
                        params={"reranker": "rrf"}), limit=3)))
    out["query_iterator_default"] = attempt(lambda: [dict(r) for r in analyst.query_iterator(
        "docs", batch_size=4, filter="id > 0").next()])
    out["raw_search_empty_outputs"] = attempt(lambda: raw(gw, tokens["analyst"], "Search", milvus_pb2.SearchRequest(
        collection_name="customers", dsl_type=common_pb2.DslType.BoolExprV1, placeholder_group=placeholder([[0.1, 0.2, 0.3, 0.4]]),
        nq=1, search_params=[common_pb2.KeyValuePair(key="topk", value="2"),
                             common_pb2.KeyValuePair(key="anns_field", value="embedding"),
                             common_pb2.KeyValuePair(key="metric_type", value="L2"),
                             common_pb2.KeyValuePair(key="params", value="{}")])))
    out["raw_query_empty_outputs"] = attempt(lambda: raw(gw, tokens["analyst"], "Query", milvus_pb2.QueryRequest(
        collection_name="customers", expr="id > 0",
        query_params=[common_pb2.KeyValuePair(key="limit", value="2")])))
    # a vector reader still receives the vectors it names
    out["engineer_vectors"] = attempt(lambda: entities(engineer.search(
        "docs", data=QUERY_VECTOR, limit=2, output_fields=["embedding"])))

    # finding 2: a PII filter inside a ranker's parameters
    out["boost_pii_search"] = attempt(lambda: analyst.search(
        "customers", data=[[0.1, 0.2, 0.3, 0.4]], limit=3, output_fields=["name"],
        ranker=boost('ssn == "123-45-6789"')))
    out["boost_plain_search"] = attempt(lambda: len(analyst.search(
        "customers", data=[[0.1, 0.2, 0.3, 0.4]], limit=3, output_fields=["name"],
        ranker=boost('name like "A%"'))[0]))
    out["boost_pii_hybrid"] = attempt(lambda: analyst.hybrid_search(
        "customers", [AnnSearchRequest([[0.1, 0.2, 0.3, 0.4]], "embedding", {"metric_type": "L2"}, limit=3)],
        ranker=boost('email like "a%"'), limit=3, output_fields=["name"]))

    # finding 3: the limit cap bounds what comes back, whatever the upstream honoured
    ids = list(range(BIG_ROWS))
    out["get_by_ids_no_limit"] = attempt(lambda: len(analyst.query(BIG, filter=f"id in {ids}")))
    out["get_by_ids_limit"] = attempt(lambda: len(analyst.query(BIG, filter=f"id in {ids}", limit=300)))
    out["get_by_ids_admin"] = attempt(lambda: len(admin.query(BIG, filter=f"id in {ids}")))
    out["get_by_ids_rows"] = attempt(lambda: sorted(
        {k for r in analyst.query(BIG, filter=f"id in {ids}", output_fields=["*"]) for k in r}))
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
