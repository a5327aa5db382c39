"""End-to-end scenario through the Vectorgate Milvus gateway, driven with unmodified pymilvus.

Run by the Java e2e test (io.vectorgate.proxy.e2e.PymilvusGatewayE2ETest):

  python milvus_e2e.py --gateway 127.0.0.1:P --direct 127.0.0.1:Q --tokens tokens.json

tokens.json maps admin, analyst, engineer, expired, wrong_audience to access tokens from the OIDC
provider. Prints one JSON object describing every step; exits non-zero if an assertion here fails.
"""
import argparse
import base64
import json
import sys

import grpc

from pymilvus import MilvusClient
from pymilvus.grpc_gen import milvus_pb2, milvus_pb2_grpc

import vg_sample

QUERY_VECTOR = [[4.0, 1.0, 0.5, 0.25]]


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


def raw_status(addr, token):
    """The in-band status of one ShowCollections call with this token, on a plain gRPC stub."""
    with grpc.insecure_channel(addr) as ch:
        stub = milvus_pb2_grpc.MilvusServiceStub(ch)
        auth = base64.b64encode(token.encode()).decode()
        try:
            resp = stub.ShowCollections(milvus_pb2.ShowCollectionsRequest(), metadata=[("authorization", auth)],
                                        timeout=10)
            return {"grpc": "OK", "code": resp.status.code, "error_code": resp.status.error_code,
                    "reason": resp.status.reason}
        except grpc.RpcError as e:
            return {"grpc": e.code().name, "details": e.details()}


def refused_token(addr, token):
    r = attempt(lambda: client(addr, token).list_collections())
    r["status"] = raw_status(addr, token)
    return r


def hits(result):
    return [[{"id": h["id"], "distance": round(float(h["distance"]), 5), "entity": dict(h["entity"])}
             for h in q] for q in result]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--direct", required=True)
    ap.add_argument("--tokens", required=True)
    args = ap.parse_args()
    tokens = json.load(open(args.tokens))
    out = {}

    admin = client(args.gateway, tokens["admin"])
    vg_sample.load(admin)
    out["admin_collections"] = sorted(admin.list_collections())
    out["admin_count"] = admin.query("docs", filter="id >= 0", output_fields=["count(*)"])[0]["count(*)"]

    direct = client(args.direct, "root:Milvus")
    # admin reads are not rewritten (tenancy bypass, no PII in docs): identical to Milvus Lite itself
    admin_q = admin.query("docs", filter="id <= 4", output_fields=["tenant_id", "title"])
    direct_q = direct.query("docs", filter="id <= 4", output_fields=["tenant_id", "title"])
    out["admin_query_identical"] = sorted(map(json.dumps, admin_q)) == sorted(map(json.dumps, direct_q))

    analyst = client(args.gateway, tokens["analyst"])
    res = analyst.search("docs", data=QUERY_VECTOR, limit=10, output_fields=["tenant_id", "title", "embedding"])
    got = hits(res)
    out["analyst_search"] = got
    out["analyst_search_tenants"] = sorted({h["entity"]["tenant_id"] for q in got for h in q})
    out["analyst_search_has_vectors"] = any("embedding" in h["entity"] for q in got for h in q)
    # the same search, scoped by hand, straight to Milvus Lite
    want = hits(direct.search("docs", data=QUERY_VECTOR, limit=10, filter='tenant_id == "acme"',
                              output_fields=["tenant_id", "title"]))
    out["analyst_search_identical_to_direct"] = got == want

    customers = analyst.query("customers", filter="id >= 1", output_fields=["name", "email", "phone", "ssn"])
    out["analyst_customers"] = sorted(customers, key=lambda r: r["id"])

    out["analyst_delete_all"] = attempt(lambda: analyst.delete("docs", filter="id >= 0"))
    out["analyst_drop"] = attempt(lambda: analyst.drop_collection("docs"))
    out["analyst_truncate"] = attempt(lambda: analyst.truncate_collection("docs"))

    engineer = client(args.gateway, tokens["engineer"])
    out["engineer_bulk_delete"] = attempt(lambda: engineer.delete("docs", filter='title like "acme%"'))

    out["invalid_token"] = refused_token(args.gateway, "not-a-jwt")
    out["expired_token"] = refused_token(args.gateway, tokens["expired"])
    out["wrong_audience"] = refused_token(args.gateway, tokens["wrong_audience"])

    # nothing the analyst or engineer tried changed data
    out["docs_count_after"] = direct.query("docs", filter="id >= 0", output_fields=["count(*)"])[0]["count(*)"]
    print(json.dumps(out))

    failures = []
    if out["analyst_search_tenants"] != ["acme"]:
        failures.append(f"analyst saw tenants {out['analyst_search_tenants']}")
    if out["analyst_search_has_vectors"]:
        failures.append("analyst received vectors")
    for step in ("analyst_delete_all", "analyst_drop", "analyst_truncate", "engineer_bulk_delete",
                 "invalid_token", "expired_token", "wrong_audience"):
        if out[step]["ok"]:
            failures.append(f"{step} was not refused")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
