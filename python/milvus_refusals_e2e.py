"""How the Vectorgate Milvus gateway's refusals reach unmodified pymilvus, and repeated metadata.

Run by io.vectorgate.proxy.e2e.MilvusRefusalsE2ETest, one step per run (the Java test counts the
gateway's requests around each run, so a client retry would show):

  python milvus_refusals_e2e.py --gateway 127.0.0.1:P --direct 127.0.0.1:Q --tokens tokens.json STEP

tokens.json maps admin, analyst, engineer, expired to access tokens. Steps:

  repeated   issue 14 findings 4 and 5 on plain gRPC stubs: `dbname` twice (an acme engineer
             upserting a row of `other.docs` that belongs to globex, and an analyst querying through
             it) and `authorization` twice; the rows of other.docs are read back directly
  deny       a policy denial through MilvusClient (analyst drops `docs`)
  connect    MilvusClient with a refused token (expired)
  connect-only TOKEN_NAME  MilvusClient with that token, for an unreachable IdP or upstream

Prints one JSON object; a refusal is {"ok": false, "type": <exception class>, "code": ..., "message":
..., "text": str(exception)}.
"""
import argparse
import base64
import json

import grpc
from pymilvus import DataType, MilvusClient, MilvusException
from pymilvus.client.utils import check_status
from pymilvus.grpc_gen import milvus_pb2, milvus_pb2_grpc, schema_pb2


def attempt(fn):
    try:
        return {"ok": True, "value": fn()}
    except MilvusException as e:
        return {"ok": False, "type": type(e).__name__, "code": e.code, "message": e.message, "text": str(e)}
    except grpc.RpcError as e:
        return {"ok": False, "type": type(e).__name__, "code": e.code().name, "message": e.details(), "text": str(e)}


def auth(token):
    return base64.b64encode(token.encode()).decode()


def raw(addr, method, request, metadata):
    """One call on a plain stub; an in-band refusal is raised as pymilvus raises it (check_status)."""
    with grpc.insecure_channel(addr) as ch:
        stub = milvus_pb2_grpc.MilvusServiceStub(ch)
        resp = getattr(stub, method)(request, metadata=metadata, timeout=30)
        check_status(resp.status)
        return "answered"


def other_docs(direct):
    direct.using_database("other")
    got = direct.query("docs", filter="id in [501, 502]", output_fields=["tenant_id", "title"])
    direct.using_database("default")
    return sorted(({"id": r["id"], "tenant_id": r["tenant_id"], "title": r["title"]} for r in got),
                  key=lambda r: r["id"])


def setup_other(direct):
    """Database `other` with a `docs` collection holding two globex rows (ids absent from default.docs)."""
    if "other" not in direct.list_databases():
        direct.create_database("other")
    direct.using_database("other")
    if direct.has_collection("docs"):
        direct.drop_collection("docs")
    s = direct.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("tenant_id", DataType.VARCHAR, max_length=64)
    s.add_field("title", DataType.VARCHAR, max_length=256)
    s.add_field("embedding", DataType.FLOAT_VECTOR, dim=4)
    idx = direct.prepare_index_params()
    idx.add_index("embedding", metric_type="L2", index_type="FLAT")
    direct.create_collection("docs", schema=s, index_params=idx)
    direct.insert("docs", [{"id": i, "tenant_id": "globex", "title": f"globex other {i}",
                            "embedding": [float(i), 1.0, 0.5, 0.25]} for i in (501, 502)])
    direct.using_database("default")


def upsert_request(row_id):
    def col(name, dtype, **kw):
        return schema_pb2.FieldData(field_name=name, type=dtype, **kw)
    fields = [
        col("id", schema_pb2.DataType.Int64, scalars=schema_pb2.ScalarField(long_data=schema_pb2.LongArray(data=[row_id]))),
        col("tenant_id", schema_pb2.DataType.VarChar,
            scalars=schema_pb2.ScalarField(string_data=schema_pb2.StringArray(data=["acme"]))),
        col("title", schema_pb2.DataType.VarChar,
            scalars=schema_pb2.ScalarField(string_data=schema_pb2.StringArray(data=["taken over"]))),
        col("embedding", schema_pb2.DataType.FloatVector,
            vectors=schema_pb2.VectorField(dim=4, float_vector=schema_pb2.FloatArray(data=[9.0, 9.0, 9.0, 9.0]))),
    ]
    return milvus_pb2.UpsertRequest(collection_name="docs", fields_data=fields, num_rows=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--direct", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("step", choices=["repeated", "deny", "connect", "connect-only"])
    ap.add_argument("token_name", nargs="?")
    a = ap.parse_args()
    tokens = json.load(open(a.tokens))
    gw = f"http://{a.gateway}"
    out = {}
    if a.step == "repeated":
        direct = MilvusClient(uri=f"http://{a.direct}", token="root:Milvus", timeout=30)
        setup_other(direct)
        carol, bob, alice = auth(tokens["engineer"]), auth(tokens["analyst"]), auth(tokens["admin"])
        # finding 4: the gateway read the last dbname (default: 501 is a new row there, so the pre-read passed)
        # and forwarded both; Milvus used the first (other) and replaced globex's row 501
        out["upsert_two_dbnames"] = attempt(lambda: raw(a.gateway, "Upsert", upsert_request(501), [
            ("authorization", carol), ("dbname", "other"), ("dbname", "default")]))
        out["upsert_same_dbname_twice"] = attempt(lambda: raw(a.gateway, "Upsert", upsert_request(502), [
            ("authorization", carol), ("dbname", "other"), ("dbname", "other")]))
        out["query_two_dbnames"] = attempt(lambda: raw(a.gateway, "Query", milvus_pb2.QueryRequest(
            collection_name="docs", expr="id in [501, 502]", output_fields=["tenant_id", "title"]), [
            ("authorization", bob), ("dbname", "other"), ("dbname", "default")]))
        out["other_docs_after"] = other_docs(direct)
        # finding 5: two tokens (the last one used to win), and the same token twice
        for name, values in (("two_tokens", [bob, alice]), ("same_token_twice", [bob, bob])):
            out[name] = attempt(lambda: raw(a.gateway, "ShowCollections", milvus_pb2.ShowCollectionsRequest(),
                                            [("authorization", v) for v in values]))
        # a single dbname still works: the analyst lists the default database's collections
        out["single_dbname"] = attempt(lambda: raw(a.gateway, "ShowCollections", milvus_pb2.ShowCollectionsRequest(),
                                                   [("authorization", bob), ("dbname", "default")]))
    elif a.step == "deny":
        bob = MilvusClient(uri=gw, token=tokens["analyst"], timeout=30)
        out["drop"] = attempt(lambda: bob.drop_collection("docs"))
    elif a.step == "connect":
        out["expired"] = attempt(lambda: MilvusClient(uri=gw, token=tokens["expired"], timeout=30).list_collections())
    else:
        out["connect"] = attempt(lambda: MilvusClient(uri=gw, token=tokens[a.token_name], timeout=30)
                                 .list_collections())
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
