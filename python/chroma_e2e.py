"""End-to-end scenario through the Vectorgate HTTP gateway, driven with the unmodified chromadb client.

Run by the Java e2e test (io.vectorgate.proxy.e2e.ChromaGatewayE2ETest):

  python chroma_e2e.py --gateway 127.0.0.1:P --direct 127.0.0.1:Q --tokens tokens.json

tokens.json maps admin, analyst, engineer, expired, wrong_audience to access tokens from the OIDC
provider. Loads the sample data directly into Chroma, then plays the three-user scenario through the
gateway over HTTP/1.1 and (for the analyst's reads) over HTTP/2 with prior knowledge (httpx + h2).
Prints one JSON object describing every step.
"""
import argparse
import json

import chromadb
import httpx
from chromadb.config import Settings

DOCS_IDS = [str(i) for i in range(1, 11)]
QUERY = [4.0, 1.0, 0.5, 0.25]


def docs_rows():
    ids, embs, metas, texts = [], [], [], []
    for i in range(1, 11):
        tenant = "acme" if i % 2 == 0 else "globex"
        ids.append(str(i))
        embs.append([float(i), 1.0, 0.5, 0.25])
        metas.append({"tenant_id": tenant, "title": f"{tenant} report {i}"})
        texts.append(f"{tenant} report {i} body")
    return ids, embs, metas, texts


CUSTOMERS = [
    ("1", "Ada Lovelace", "ada@acme.example", "+44 20 7946 0001", "123-45-6789", [0.1, 0.2, 0.3, 0.4]),
    ("2", "Alan Turing", "alan@acme.example", "+44 20 7946 0002", "987-65-4321", [0.2, 0.1, 0.4, 0.3]),
    ("3", "Grace Hopper", "grace@globex.example", "+1 202 555 0143", "555-12-3456", [0.9, 0.8, 0.7, 0.6]),
]


def client(addr, token=None, http2=False):
    host, port = addr.rsplit(":", 1)
    headers = {"X-Chroma-Token": token} if token else {}
    c = chromadb.HttpClient(host=host, port=int(port), headers=headers,
                            settings=Settings(anonymized_telemetry=False))
    if http2:
        # the chromadb client speaks through one httpx session; give it an HTTP/2 (prior knowledge) one
        old = c._server._session
        c._server._session = httpx.Client(http1=False, http2=True, timeout=None, headers=old.headers)
        old.close()
    return c


def attempt(fn):
    try:
        return {"ok": True, "value": fn()}
    except Exception as e:  # noqa: BLE001 - the scenario records every refusal
        return {"ok": False, "type": type(e).__name__, "error": str(e)}


def load(direct):
    for name in ("docs", "customers"):
        try:
            direct.delete_collection(name)
        except Exception:  # noqa: BLE001 - absent on a fresh server
            pass
    docs = direct.create_collection("docs", embedding_function=None)
    ids, embs, metas, texts = docs_rows()
    docs.add(ids=ids, embeddings=embs, metadatas=metas, documents=texts)
    customers = direct.create_collection("customers", embedding_function=None)
    customers.add(ids=[c[0] for c in CUSTOMERS], embeddings=[c[5] for c in CUSTOMERS],
                  metadatas=[{"name": c[1], "email": c[2], "phone": c[3], "ssn": c[4]} for c in CUSTOMERS],
                  documents=[f"customer {c[1]}" for c in CUSTOMERS])


def plain(result):
    out = {}
    for k, v in result.items():
        if hasattr(v, "tolist"):
            v = v.tolist()
        elif isinstance(v, list):
            v = [x.tolist() if hasattr(x, "tolist") else x for x in v]
        out[k] = v
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--direct", required=True)
    ap.add_argument("--tokens", required=True)
    a = ap.parse_args()
    tokens = json.load(open(a.tokens))
    direct = client(a.direct)
    load(direct)
    r = {}

    admin = client(a.gateway, tokens["admin"])
    r["admin_collections"] = sorted(c.name for c in admin.list_collections())
    r["admin_count"] = admin.get_collection("docs", embedding_function=None).count()
    adm = admin.get_collection("docs", embedding_function=None).get(include=["metadatas", "documents"])
    dg = direct.get_collection("docs", embedding_function=None).get(include=["metadatas", "documents"])
    r["admin_get_identical"] = plain(adm) == plain(dg)

    for proto, http2 in (("h1", False), ("h2", True)):
        analyst = client(a.gateway, tokens["analyst"], http2=http2)
        docs = analyst.get_collection("docs", embedding_function=None)
        q = docs.query(query_embeddings=[QUERY], n_results=10, include=["metadatas", "documents", "distances",
                                                                        "embeddings"])
        q = plain(q)
        r[f"analyst_{proto}_query_tenants"] = sorted({m["tenant_id"] for m in q["metadatas"][0]})
        r[f"analyst_{proto}_query_size"] = len(q["ids"][0])
        r[f"analyst_{proto}_query_embeddings"] = q["embeddings"]
        dq = plain(direct.get_collection("docs", embedding_function=None).query(
            query_embeddings=[QUERY], n_results=10, where={"tenant_id": "acme"},
            include=["metadatas", "documents", "distances"]))
        same = {k: q[k] for k in ("ids", "metadatas", "documents")} == {k: dq[k] for k in ("ids", "metadatas", "documents")}
        r[f"analyst_{proto}_query_identical_to_direct"] = same and all(
            abs(x - y) < 1e-5 for x, y in zip(q["distances"][0], dq["distances"][0]))
        r[f"analyst_{proto}_count"] = docs.count()
        if http2:
            r["analyst_h2_http_version"] = analyst._server._session.get(
                f"http://{a.gateway}/api/v2/heartbeat", headers={"X-Chroma-Token": tokens["analyst"]}).http_version
        cust = analyst.get_collection("customers", embedding_function=None).get(ids=["1"], include=["metadatas"])
        r[f"analyst_{proto}_customer"] = plain(cust)["metadatas"][0]

    analyst = client(a.gateway, tokens["analyst"])
    docs = analyst.get_collection("docs", embedding_function=None)
    r["analyst_get_all"] = sorted(docs.get()["ids"], key=int)
    # the client refuses a delete without ids/where/where_document; a document filter alone is still every row
    r["analyst_delete_all"] = attempt(lambda: docs.delete(where_document={"$contains": "report"}))
    raw = analyst._server._session.post(
        f"http://{a.gateway}/api/v2/tenants/default_tenant/databases/default_database/collections/{docs.id}/delete",
        json={"ids": None, "where": None})
    r["analyst_delete_raw_empty"] = {"status": raw.status_code, "body": raw.json()}
    r["analyst_delete_where_acme"] = attempt(lambda: docs.delete(where={"tenant_id": "acme"}))
    r["analyst_drop"] = attempt(lambda: analyst.delete_collection("docs"))
    r["analyst_add"] = attempt(lambda: docs.add(ids=["99"], embeddings=[[1.0, 1.0, 1.0, 1.0]],
                                                metadatas=[{"tenant_id": "acme", "title": "x"}]))
    r["analyst_create"] = attempt(lambda: analyst.create_collection("stolen", embedding_function=None))

    engineer = client(a.gateway, tokens["engineer"])
    edocs = engineer.get_collection("docs", embedding_function=None)
    eq = plain(edocs.query(query_embeddings=[QUERY], n_results=3, include=["embeddings", "metadatas"]))
    r["engineer_query_tenants"] = sorted({m["tenant_id"] for m in eq["metadatas"][0]})
    r["engineer_query_has_embeddings"] = eq["embeddings"] is not None and len(eq["embeddings"][0]) == 3
    r["engineer_add_own_tenant"] = attempt(lambda: edocs.add(ids=["11"], embeddings=[[11.0, 1.0, 0.5, 0.25]],
                                                             metadatas=[{"tenant_id": "acme", "title": "new"}],
                                                             documents=["acme report 11 body"]))
    r["engineer_add_other_tenant"] = attempt(lambda: edocs.add(ids=["12"], embeddings=[[12.0, 1.0, 0.5, 0.25]],
                                                               metadatas=[{"tenant_id": "globex", "title": "x"}]))
    r["engineer_bulk_delete"] = attempt(lambda: edocs.delete(where={"title": "acme report 2"}))
    r["engineer_delete_id"] = attempt(lambda: edocs.delete(ids=["11"]))

    for name in ("expired", "wrong_audience"):
        r[name] = attempt(lambda: client(a.gateway, tokens[name]).list_collections())
    r["invalid_token"] = attempt(lambda: client(a.gateway, "not-a-jwt").list_collections())
    r["no_token"] = attempt(lambda: client(a.gateway).list_collections())

    r["docs_count_after"] = direct.get_collection("docs", embedding_function=None).count()
    r["docs_ids_after"] = sorted(direct.get_collection("docs", embedding_function=None).get()["ids"], key=int)
    print(json.dumps(r, default=str))


if __name__ == "__main__":
    main()
