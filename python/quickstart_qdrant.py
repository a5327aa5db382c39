"""The qdrant-client quick-start (qdrant.tech/documentation/quickstart), with the address and the
API key (the OIDC token) changed, through the gateway. Prints one JSON object with what each step
returned, or the refusal.

  python quickstart_qdrant.py --gateway 127.0.0.1:P --token TOKEN
"""
import argparse
import json
import warnings

from qdrant_client import QdrantClient
from qdrant_client.models import Distance, FieldCondition, Filter, MatchValue, PointStruct, VectorParams

warnings.filterwarnings("ignore")  # "Api key is used with an insecure connection": loopback


def quickstart(client):
    out = {}
    if client.collection_exists("test_collection"):
        client.delete_collection("test_collection")  # a re-run starts clean
        out["pre_clean"] = "deleted"
    client.create_collection(collection_name="test_collection", vectors_config=VectorParams(size=4, distance=Distance.DOT))
    info = client.upsert(collection_name="test_collection", wait=True, points=[
        PointStruct(id=1, vector=[0.05, 0.61, 0.76, 0.74], payload={"city": "Berlin"}),
        PointStruct(id=2, vector=[0.19, 0.81, 0.75, 0.11], payload={"city": "London"}),
        PointStruct(id=3, vector=[0.36, 0.55, 0.47, 0.94], payload={"city": "Moscow"}),
        PointStruct(id=4, vector=[0.18, 0.01, 0.85, 0.80], payload={"city": "New York"}),
        PointStruct(id=5, vector=[0.24, 0.18, 0.22, 0.44], payload={"city": "Beijing"}),
        PointStruct(id=6, vector=[0.35, 0.08, 0.11, 0.44], payload={"city": "Mumbai"}),
    ])
    out["upsert"] = str(info.status)
    hits = client.query_points(collection_name="test_collection", query=[0.2, 0.1, 0.9, 0.7], with_payload=False,
                               limit=3).points
    out["search"] = [h.id for h in hits]
    hits = client.query_points(collection_name="test_collection", query=[0.2, 0.1, 0.9, 0.7],
                               query_filter=Filter(must=[FieldCondition(key="city", match=MatchValue(value="London"))]),
                               with_payload=True, limit=3).points
    out["filtered"] = [h.payload for h in hits]
    client.delete_collection("test_collection")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--token", required=True)
    a = ap.parse_args()
    client = QdrantClient(url=f"http://{a.gateway}", api_key=a.token)
    try:
        result = {"ok": True, "run": quickstart(client)}
    except Exception as e:  # noqa: BLE001 - the test asserts the refusal
        result = {"ok": False, "type": type(e).__name__, "error": str(e)}
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
