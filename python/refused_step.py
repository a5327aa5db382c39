"""A user call whose first request is a step the client takes on its own, refused by the policy:
pymilvus's insert (it describes the collection first) or chromadb's get_collection (made before
any record call). Prints one JSON object with the exception type and text the user sees.

  python refused_step.py milvus --uri http://127.0.0.1:P --token TOKEN --collection NAME
  python refused_step.py chroma --gateway 127.0.0.1:P --token TOKEN --collection NAME
"""
import argparse
import json


def milvus(a):
    from pymilvus import MilvusClient
    client = MilvusClient(uri=a.uri, token=a.token)
    client.insert(collection_name=a.collection, data=[{"id": 1, "vector": [0.1, 0.2, 0.3, 0.4]}])


def chroma(a):
    import chromadb
    from chromadb.config import Settings
    host, port = a.gateway.rsplit(":", 1)
    client = chromadb.HttpClient(host=host, port=int(port), headers={"X-Chroma-Token": a.token},
                                 settings=Settings(anonymized_telemetry=False))
    client.get_collection(a.collection, embedding_function=None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("client", choices=["milvus", "chroma"])
    ap.add_argument("--uri")
    ap.add_argument("--gateway")
    ap.add_argument("--token", required=True)
    ap.add_argument("--collection", required=True)
    a = ap.parse_args()
    try:
        (milvus if a.client == "milvus" else chroma)(a)
        result = {"ok": True}
    except Exception as e:  # noqa: BLE001 - the test asserts the refusal the user sees
        result = {"ok": False, "type": type(e).__name__, "error": str(e)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
