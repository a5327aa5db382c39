"""End-to-end scenario through the Vectorgate HTTP gateway, driven with the unmodified Pinecone Python SDK.

Run by the Java e2e test (io.vectorgate.proxy.e2e.PineconeGatewayE2ETest) against a fake Pinecone index host
(no Pinecone server can run here; the fake answers as the data-plane OpenAPI spec describes):

  python pinecone_e2e.py --gateway 127.0.0.1:P --tokens tokens.json

The SDK is pointed at the gateway with Index(host="http://127.0.0.1:P") (plain http is accepted for loopback
hosts). The SDK always speaks HTTP/1.1 (it builds its httpx client with http2=False), so the HTTP/2 step sends
the same data-plane request with httpx over h2c (prior knowledge). Prints one JSON object.
"""
import argparse
import json

import httpx
from pinecone import Index


def index(gateway, token):
    return Index(host=f"http://{gateway}", api_key=token)


def attempt(fn):
    try:
        return {"ok": True, "value": fn()}
    except Exception as e:  # noqa: BLE001 - the scenario records every refusal
        return {"ok": False, "type": type(e).__name__, "error": str(e), "status": getattr(e, "status_code", None)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--tokens", required=True)
    args = ap.parse_args()
    with open(args.tokens) as f:
        tokens = json.load(f)
    gw = args.gateway
    analyst, engineer, admin = index(gw, tokens["analyst"]), index(gw, tokens["engineer"]), index(gw, tokens["admin"])
    out = {}

    q = analyst.query(vector=[4.0, 1.0, 0.5, 0.25], top_k=500, include_metadata=True, include_values=True,
                      filter={"$or": [{"tenant_id": "globex"}, {"title": {"$exists": True}}]})
    out["analyst_query"] = [{"id": m.id, "metadata": m.metadata, "values": list(m.values or [])} for m in q.matches]
    f = analyst.fetch(ids=[str(i) for i in range(1, 11)])
    out["analyst_fetch_ids"] = sorted(f.vectors.keys(), key=int)
    out["analyst_fetch_values_zero"] = all(all(x == 0 for x in (v.values or [])) for v in f.vectors.values())
    out["analyst_list"] = attempt(lambda: [v.id for v in analyst.list_paginated().vectors])
    out["analyst_upsert"] = attempt(lambda: analyst.upsert(vectors=[{"id": "x", "values": [1, 1, 1, 1],
                                                                      "metadata": {"tenant_id": "acme"}}]).upserted_count)
    out["analyst_stats"] = attempt(lambda: analyst.describe_index_stats().total_vector_count)

    out["engineer_upsert_own"] = attempt(lambda: engineer.upsert(vectors=[{
        "id": "e1", "values": [0.5, 0.5, 0.5, 0.5], "metadata": {"tenant_id": "acme", "title": "new"}}]).upserted_count)
    out["engineer_upsert_other"] = attempt(lambda: engineer.upsert(vectors=[{
        "id": "e2", "values": [0.5, 0.5, 0.5, 0.5], "metadata": {"tenant_id": "globex", "title": "evil"}}]).upserted_count)
    out["engineer_delete_ids"] = attempt(lambda: engineer.delete(ids=["2"]))
    eq = engineer.query(vector=[4.0, 1.0, 0.5, 0.25], top_k=3, include_values=True)
    out["engineer_has_values"] = len(eq.matches) > 0 and all(list(m.values or []) for m in eq.matches)

    aq = admin.query(vector=[4.0, 1.0, 0.5, 0.25], top_k=100, include_metadata=True)
    out["admin_tenants"] = sorted({m.metadata["tenant_id"] for m in aq.matches})
    out["admin_delete_all"] = attempt(lambda: admin.delete(delete_all=True))

    out["expired"] = attempt(lambda: index(gw, tokens["expired"]).describe_index_stats().total_vector_count)

    with httpx.Client(http1=False, http2=True, timeout=30) as raw:
        headers = {"Api-Key": tokens["analyst"], "X-Pinecone-Api-Version": "2026-07"}
        r = raw.post(f"http://{gw}/query", headers=headers,
                     json={"topK": 100, "vector": [4.0, 1.0, 0.5, 0.25], "includeMetadata": True})
        out["h2_http_version"] = r.http_version
        out["h2_query_tenants"] = sorted({m["metadata"]["tenant_id"] for m in r.json()["matches"]})
        r = raw.post(f"http://{gw}/records/namespaces/acme/search", headers=headers,
                     json={"query": {"top_k": 3, "inputs": {"text": "x"}}})
        out["h2_unknown_route"] = {"status": r.status_code, "body": r.json()}
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
