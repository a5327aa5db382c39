"""A documents-only add and a text query that reach the gateway without embeddings, sent with the
chromadb client's own HTTP layer. chromadb's public `add` never sends one: it computes the embeddings
itself with the collection's embedding function (the default one downloads its model first).
Other clients (raw HTTP, a client whose embedding function is meant to run on a server) can, and
this prints the exception the chromadb client shows for the gateway's refusal.

  python documents_only_chroma.py --gateway 127.0.0.1:P --token TOKEN --collection NAME
"""
import argparse
import json

import chromadb
from chromadb.config import Settings


def attempt(fn):
    try:
        fn()
        return {"ok": True}
    except Exception as e:  # noqa: BLE001 - the test asserts the refusal the user sees
        return {"ok": False, "type": type(e).__name__, "error": str(e)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--collection", required=True)
    a = ap.parse_args()
    host, port = a.gateway.rsplit(":", 1)
    client = chromadb.HttpClient(host=host, port=int(port), headers={"X-Chroma-Token": a.token},
                                 settings=Settings(anonymized_telemetry=False))
    c = client.get_or_create_collection(a.collection, embedding_function=None)
    out = {
        # the request a server-side embedding would need: embeddings null
        "add": attempt(lambda: client._server._submit_batch(
            (["id1"], None, None, ["This is a document about pineapple"], None),
            f"/tenants/{c.tenant}/databases/{c.database}/collections/{c.id}/add")),
    }
    client.delete_collection(a.collection)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
