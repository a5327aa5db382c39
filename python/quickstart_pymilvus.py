"""The pymilvus quick-start (milvus.io/docs/quickstart.md, Milvus Lite section), unchanged but for
the address and the token, run through the gateway. Prints one JSON object with what each step
returned, or the step that was refused.

  python quickstart_pymilvus.py --uri http://127.0.0.1:P --token TOKEN
"""
import argparse
import json
import logging
import random

from pymilvus import MilvusClient

logging.getLogger("pymilvus").setLevel(logging.CRITICAL)


def quickstart(client):
    out = {}
    if client.has_collection(collection_name="demo_collection"):
        client.drop_collection(collection_name="demo_collection")
        out["pre_clean"] = "dropped"
    client.create_collection(collection_name="demo_collection", dimension=768)
    docs = [
        "Artificial intelligence was founded as an academic discipline in 1956.",
        "Alan Turing was the first person to conduct substantial research in AI.",
        "Born in Maida Vale, London, Turing was raised in southern England.",
    ]
    vectors = [[random.uniform(-1, 1) for _ in range(768)] for _ in docs]
    data = [{"id": i, "vector": vectors[i], "text": docs[i], "subject": "history"} for i in range(len(vectors))]
    out["insert"] = client.insert(collection_name="demo_collection", data=data)["insert_count"]
    res = client.search(collection_name="demo_collection", data=[vectors[0]], limit=2, output_fields=["text", "subject"])
    out["search"] = [h["id"] for h in res[0]]
    docs = [
        "Machine learning has been used for drug design.",
        "Computational synthesis with AI algorithms predicts molecular properties.",
        "DDR1 is involved in cancers and fibrosis.",
    ]
    vectors = [[random.uniform(-1, 1) for _ in range(768)] for _ in docs]
    data = [{"id": 3 + i, "vector": vectors[i], "text": docs[i], "subject": "biology"} for i in range(len(vectors))]
    client.insert(collection_name="demo_collection", data=data)
    res = client.search(collection_name="demo_collection", data=[vectors[0]], filter="subject == 'biology'", limit=2,
                        output_fields=["text", "subject"])
    out["filtered_search_subjects"] = sorted({h["entity"]["subject"] for h in res[0]})
    res = client.query(collection_name="demo_collection", filter="subject == 'history'", output_fields=["text", "subject"])
    out["query_history"] = sorted(r["id"] for r in res)
    res = client.query(collection_name="demo_collection", ids=[0, 2], output_fields=["vector", "text", "subject"])
    out["get_ids"] = sorted(r["id"] for r in res)
    out["delete_ids"] = client.delete(collection_name="demo_collection", ids=[0, 2])
    out["delete_filter"] = client.delete(collection_name="demo_collection", filter="subject == 'biology'")
    out["left"] = sorted(r["id"] for r in client.query(collection_name="demo_collection", filter="id >= 0",
                                                       output_fields=["id"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", required=True)
    a = ap.parse_args()
    client = MilvusClient(uri=a.uri, token=a.token)
    try:
        result = {"ok": True, "run": quickstart(client)}
    except Exception as e:  # noqa: BLE001 - the test asserts the refusal
        result = {"ok": False, "type": type(e).__name__, "error": str(e)}
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
