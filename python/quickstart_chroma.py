"""Chroma's getting-started steps (docs.trychroma.com, "Getting Started") through the gateway, with
the address and the token changed and the embeddings given: the gateway computes none, and the
chromadb client's default embedding function downloads a model, which tests here cannot.
Prints one JSON object with what each step returned, or the refusal.

  python quickstart_chroma.py --gateway 127.0.0.1:P --token TOKEN
"""
import argparse
import json

import chromadb
from chromadb.config import Settings


def quickstart(client):
    out = {}
    if "my_collection" in [c.name for c in client.list_collections()]:
        client.delete_collection("my_collection")  # a re-run starts clean
        out["pre_clean"] = "deleted"
    collection = client.create_collection(name="my_collection")
    collection.add(
        ids=["id1", "id2"],
        documents=["This is a document about pineapple", "This is a document about oranges"],
        embeddings=[[0.9, 0.1, 0.0], [0.1, 0.9, 0.0]],
        metadatas=[{"source": "fruit"}, {"source": "citrus"}],
    )
    results = collection.query(query_embeddings=[[0.85, 0.15, 0.0]], n_results=2)
    out["query_ids"] = results["ids"][0]
    collection.delete(where={"source": "citrus"})
    out["left"] = sorted(collection.get()["ids"])
    client.delete_collection("my_collection")
    out["collections_after"] = sorted(c.name for c in client.list_collections() if c.name == "my_collection")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--token", required=True)
    a = ap.parse_args()
    host, port = a.gateway.rsplit(":", 1)
    client = chromadb.HttpClient(host=host, port=int(port), headers={"X-Chroma-Token": a.token},
                                 settings=Settings(anonymized_telemetry=False))
    try:
        result = {"ok": True, "run": quickstart(client)}
    except Exception as e:  # noqa: BLE001 - the test asserts the refusal
        result = {"ok": False, "type": type(e).__name__, "error": str(e)}
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
