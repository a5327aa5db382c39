"""End-to-end scenario through the Vectorgate HTTP gateway, driven with the unmodified qdrant-client (REST mode).

Run by the Java e2e test (io.vectorgate.proxy.e2e.QdrantGatewayE2ETest) against a fake Qdrant upstream
(no Qdrant server can run here; the fake answers as the Qdrant OpenAPI spec describes):

  python qdrant_e2e.py --gateway 127.0.0.1:P --tokens tokens.json

tokens.json maps admin, analyst, engineer, expired to access tokens from the OIDC provider. Every step runs
over HTTP/1.1 and over HTTP/2 with prior knowledge (httpx http1=False, http2=True). Prints one JSON object.
"""
import argparse
import json

import httpx
from qdrant_client import QdrantClient, models


def client(gateway, token, h2):
    host, port = gateway.rsplit(":", 1)
    extra = {"http2": True, "http1": False} if h2 else {}
    return QdrantClient(host=host, port=int(port), https=False, api_key=token, prefer_grpc=False,
                        check_compatibility=False, timeout=30, **extra)


def attempt(fn):
    try:
        return {"ok": True, "value": fn()}
    except Exception as e:  # noqa: BLE001 - the scenario records every refusal
        return {"ok": False, "type": type(e).__name__, "error": str(e)}


def point_view(p):
    return {"id": p.id, "payload": p.payload, "has_vector": p.vector is not None}


def scenario(gateway, tokens, h2):
    out = {}
    analyst = client(gateway, tokens["analyst"], h2)
    engineer = client(gateway, tokens["engineer"], h2)
    admin = client(gateway, tokens["admin"], h2)

    q = analyst.query_points("docs", query=[4.0, 1.0, 0.5, 0.25], limit=500, with_payload=True, with_vectors=True)
    out["analyst_query"] = [point_view(p) for p in q.points]
    # a client filter that tries to widen the tenant with `should`
    widened = analyst.query_points("docs", query=[1.0, 0.0, 0.0, 0.0], limit=10, query_filter=models.Filter(
        should=[models.FieldCondition(key="tenant_id", match=models.MatchValue(value="globex"))]))
    out["analyst_widened_ids"] = [p.id for p in widened.points]
    records, _ = analyst.scroll("docs", limit=100, with_payload=True)
    out["analyst_scroll_tenants"] = sorted({r.payload["tenant_id"] for r in records})
    out["analyst_scroll_ids"] = [r.id for r in records]
    out["analyst_count"] = analyst.count("docs", exact=True).count
    out["analyst_retrieve_ids"] = [r.id for r in analyst.retrieve("docs", ids=list(range(1, 11)), with_payload=True)]
    cust = analyst.query_points("customers", query=[0.1, 0.2, 0.3, 0.4], limit=1, with_payload=True)
    out["analyst_customer"] = cust.points[0].payload if cust.points else None
    out["analyst_delete"] = attempt(lambda: analyst.delete("docs", points_selector=models.PointIdsList(points=[2])))
    out["analyst_lookup_other"] = attempt(lambda: analyst.query_points(
        "docs", query=3, lookup_from=models.LookupLocation(collection="customers"), limit=3))

    ok = attempt(lambda: engineer.upsert("docs", points=[models.PointStruct(
        id=100 + (1 if h2 else 0), vector=[0.5, 0.5, 0.5, 0.5], payload={"tenant_id": "acme", "title": "new"})]).status)
    out["engineer_upsert_own"] = ok
    out["engineer_upsert_other"] = attempt(lambda: engineer.upsert("docs", points=[models.PointStruct(
        id=200, vector=[0.5, 0.5, 0.5, 0.5], payload={"tenant_id": "globex", "title": "evil"})]).status)
    eq = engineer.query_points("docs", query=[4.0, 1.0, 0.5, 0.25], limit=3, with_vectors=True)
    out["engineer_has_vectors"] = all(p.vector is not None for p in eq.points) and len(eq.points) > 0
    out["engineer_delete_by_filter"] = attempt(lambda: engineer.delete("docs", points_selector=models.FilterSelector(
        filter=models.Filter(must=[models.FieldCondition(key="title", match=models.MatchValue(value="new"))]))))

    aq = admin.query_points("docs", query=[4.0, 1.0, 0.5, 0.25], limit=100, with_payload=True)
    out["admin_tenants"] = sorted({p.payload["tenant_id"] for p in aq.points})
    out["admin_drop"] = attempt(lambda: admin.delete_collection("docs"))

    bad = client(gateway, tokens["expired"], h2)
    out["expired"] = attempt(lambda: bad.count("docs").count)

    # routes the adapter does not know (the legacy search route Qdrant still serves) and the protocol used
    with httpx.Client(http1=not h2, http2=h2, timeout=30) as raw:
        r = raw.post(f"http://{gateway}/collections/docs/points/search", headers={"api-key": tokens["admin"]},
                     json={"vector": [0.1, 0.2, 0.3, 0.4], "limit": 3})
        out["legacy_search"] = {"status": r.status_code, "body": r.json()}
        r = raw.post(f"http://{gateway}/collections/docs/points/count", headers={"api-key": tokens["analyst"]}, json={})
        out["http_version"] = r.http_version
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--tokens", required=True)
    args = ap.parse_args()
    with open(args.tokens) as f:
        tokens = json.load(f)
    result = {"h1": scenario(args.gateway, tokens, False), "h2": scenario(args.gateway, tokens, True)}
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
