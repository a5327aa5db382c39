"""The Pinecone Python SDK quick-start (docs.pinecone.io, standard index with given vectors) through
the gateway: the index already exists (the gateway serves the data plane only, not the control
plane that creates and deletes indexes), so `pc.Index(host=...)` points at the gateway; only the
host and the API key (the OIDC token) change. Steps: pre-clean, upsert, stats, query with a
metadata filter, fetch, delete, fetch again. Prints one JSON object with what each step returned,
or the refusal.

  python quickstart_pinecone.py --gateway 127.0.0.1:P --token TOKEN
"""
import argparse
import json

from pinecone import Pinecone

NS = "example-namespace"


def quickstart(index):
    out = {}
    stats = index.describe_index_stats()
    if stats.namespaces.get(NS) and stats.namespaces[NS].vector_count > 0:
        index.delete(delete_all=True, namespace=NS)  # a re-run after a failed one starts clean
        out["pre_clean"] = "deleted"
    out["upsert"] = index.upsert(
        vectors=[
            {"id": "vec1", "values": [1.0, 1.5], "metadata": {"genre": "drama"}},
            {"id": "vec2", "values": [2.0, 1.0], "metadata": {"genre": "action"}},
            {"id": "vec3", "values": [0.1, 0.3], "metadata": {"genre": "drama"}},
            {"id": "vec4", "values": [1.0, -2.5], "metadata": {"genre": "action"}},
        ],
        namespace=NS,
    ).upserted_count
    out["count"] = index.describe_index_stats().namespaces[NS].vector_count
    res = index.query(namespace=NS, vector=[2.0, 1.0], top_k=3, include_values=True, include_metadata=True,
                      filter={"genre": {"$eq": "action"}})
    out["query_ids"] = [m.id for m in res.matches]
    out["fetch_ids"] = sorted(index.fetch(ids=["vec1", "vec2"], namespace=NS).vectors.keys())
    index.delete(ids=["vec1", "vec2", "vec3", "vec4"], namespace=NS)
    out["fetch_after_delete"] = sorted(index.fetch(ids=["vec1", "vec2"], namespace=NS).vectors.keys())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--token", required=True)
    a = ap.parse_args()
    pc = Pinecone(api_key=a.token)
    index = pc.Index(host=f"http://{a.gateway}")
    try:
        result = {"ok": True, "run": quickstart(index)}
    except Exception as e:  # noqa: BLE001 - the test asserts the refusal
        result = {"ok": False, "type": type(e).__name__, "error": str(e)}
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
