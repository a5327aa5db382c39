"""Response guarantees through the Vectorgate HTTP gateway, driven with the unmodified chromadb client.

Run by io.vectorgate.proxy.e2e.ChromaGuaranteesE2ETest:

  python chroma_guarantees_e2e.py --gateway 127.0.0.1:P --direct 127.0.0.1:Q --tokens tokens.json

tokens.json maps "analyst" (bob: vectors stripped, results capped at 100, docs confined to tenant acme)
to an access token. Loads `docs` (10 rows, two tenants) and `kb_big` (300 rows) directly into Chroma,
then reads them as the analyst asking for what the decision forbids: include=["embeddings"], peek, a
get of 300 ids, a query for 300 results. Prints one JSON object describing every step.
"""
import argparse
import json

import chromadb
from chromadb.config import Settings

QUERY = [4.0, 1.0, 0.5, 0.25]


def client(addr, token=None):
    host, port = addr.rsplit(":", 1)
    headers = {"X-Chroma-Token": token} if token else {}
    return chromadb.HttpClient(host=host, port=int(port), headers=headers, settings=Settings(anonymized_telemetry=False))


def load(direct):
    for name in ("docs", "kb_big"):
        try:
            direct.delete_collection(name)
        except Exception:  # noqa: BLE001 - absent on a fresh server
            pass
    docs = direct.create_collection("docs", embedding_function=None)
    docs.add(ids=[str(i) for i in range(1, 11)], embeddings=[[float(i), 1.0, 0.5, 0.25] for i in range(1, 11)],
             metadatas=[{"tenant_id": "acme" if i % 2 == 0 else "globex", "n": i} for i in range(1, 11)],
             documents=[f"doc {i}" for i in range(1, 11)])
    big = direct.create_collection("kb_big", embedding_function=None)
    big.add(ids=[str(i) for i in range(300)], embeddings=[[float(i), 2.0, 0.5, 0.25] for i in range(300)],
            metadatas=[{"n": i} for i in range(300)])


def embeddings_absent(result):
    """True when the result carries no embedding values (None, a 0-d None array, or only empty/None entries)."""
    e = result.get("embeddings")
    if e is None:
        return True
    if getattr(e, "ndim", None) == 0:
        return e.item() is None
    return all(x is None or len(x) == 0 for x in e)


def attempt(fn):
    try:
        return {"ok": True, "value": fn()}
    except Exception as e:  # noqa: BLE001 - the scenario records every refusal
        import traceback
        return {"ok": False, "type": type(e).__name__, "error": str(e), "where": traceback.format_exc().splitlines()[-3:]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--direct", required=True)
    ap.add_argument("--tokens", required=True)
    a = ap.parse_args()
    tokens = json.load(open(a.tokens))
    load(client(a.direct))
    r = {}
    bob = client(a.gateway, tokens["analyst"])
    docs = bob.get_collection("docs", embedding_function=None)
    big = bob.get_collection("kb_big", embedding_function=None)

    def get_docs():
        g = docs.get(include=["embeddings", "metadatas"])
        return {"embeddings_absent": embeddings_absent(g), "tenants": sorted({m["tenant_id"] for m in g["metadatas"]}),
                "rows": len(g["ids"])}
    r["docs_get_include_embeddings"] = attempt(get_docs)

    def query_docs():
        q = docs.query(query_embeddings=[QUERY], n_results=10, include=["embeddings", "metadatas"])
        return {"embeddings_absent": embeddings_absent(q),
                "tenants": sorted({m["tenant_id"] for m in q["metadatas"][0]}), "rows": len(q["ids"][0])}
    r["docs_query_include_embeddings"] = attempt(query_docs)

    def peek():
        p = big.peek(limit=300)
        return {"embeddings_absent": embeddings_absent(p), "rows": len(p["ids"])}
    r["big_peek_300"] = attempt(peek)

    def get_ids():
        g = big.get(ids=[str(i) for i in range(300)], include=["metadatas"])
        return {"rows": len(g["ids"])}
    r["big_get_300_ids"] = attempt(get_ids)

    def get_all():
        g = big.get(include=["embeddings"])
        return {"rows": len(g["ids"]), "embeddings_absent": embeddings_absent(g)}
    r["big_get_all"] = attempt(get_all)

    def query_big():
        q = big.query(query_embeddings=[QUERY], n_results=300, include=["embeddings", "distances"])
        return {"rows": len(q["ids"][0]), "embeddings_absent": embeddings_absent(q)}
    r["big_query_300"] = attempt(query_big)
    print(json.dumps(r))


if __name__ == "__main__":
    main()
