"""Loads the Chroma benchmark collection and writes the query bodies, for benchmarks/chroma-gateway-bench.sh.

  python bench_chroma_setup.py --url http://127.0.0.1:P --out DIR [--rows 1000] [--dim 128] [--n-results 10]

Straight against Chroma (the operator's setup step): (re)creates the collection `docs` (the sample
organisation's multi-tenant collection, tenant field `tenant_id`) with ROWS seeded random rows, half
`acme`, half `globex`, then writes into DIR:

  collection_id            the collection's UUID (the query route names it)
  query-gateway.json       the chromadb 1.5.9 client's query body (`where` null): what the analyst sends
  query-direct.json        the same with the analyst's row filter {"tenant_id": {"$eq": "acme"}} already in
                           `where`: what the gateway forwards, so both paths make Chroma do the same work
"""
import argparse
import json
import os
import random

import chromadb
from chromadb.config import Settings

COLLECTION = "docs"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True, help="Chroma, http://host:port")
    ap.add_argument("--out", required=True)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--n-results", type=int, default=10)
    a = ap.parse_args()
    host, port = a.url.removeprefix("http://").rsplit(":", 1)
    client = chromadb.HttpClient(host=host, port=int(port), settings=Settings(anonymized_telemetry=False))
    if COLLECTION in [c.name for c in client.list_collections()]:
        client.delete_collection(COLLECTION)
    col = client.create_collection(COLLECTION, embedding_function=None)
    rnd = random.Random(42)
    batch = 500
    for lo in range(0, a.rows, batch):
        ids = [str(i) for i in range(lo + 1, min(a.rows, lo + batch) + 1)]
        tenants = ["acme" if int(i) % 2 == 0 else "globex" for i in ids]
        col.add(ids=ids,
                embeddings=[[rnd.uniform(-1, 1) for _ in range(a.dim)] for _ in ids],
                metadatas=[{"tenant_id": t, "title": f"{t} report {i}"} for t, i in zip(tenants, ids)],
                documents=[f"{t} report {i}: quarterly figures and notes" for t, i in zip(tenants, ids)])
    if col.count() != a.rows:
        raise SystemExit(f"loaded {col.count()} rows into {COLLECTION}, expected {a.rows}")
    query = [round(rnd.uniform(-1, 1), 6) for _ in range(a.dim)]
    body = {"ids": None, "query_embeddings": [query], "n_results": a.n_results, "where": None,
            "where_document": None, "include": ["metadatas", "documents", "distances"]}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "query-gateway.json"), "w") as f:
        json.dump(body, f, separators=(",", ":"))
    with open(os.path.join(a.out, "query-direct.json"), "w") as f:
        json.dump(dict(body, where={"tenant_id": {"$eq": "acme"}}), f, separators=(",", ":"))
    with open(os.path.join(a.out, "collection_id"), "w") as f:
        f.write(str(col.id))
    print(f"loaded {a.rows} rows (dim {a.dim}) into {COLLECTION} {col.id} at {a.url}")


if __name__ == "__main__":
    main()
