"""One client step of the HTTP approval end-to-end test, with the unmodified chromadb client.

Run by io.vectorgate.proxy.approval.ChromaApprovalE2ETest; each call prints one JSON line:
{"ok": true, "value": ...} or {"ok": false, "type": "<exception class>", "error": "<message>"}.

  python approval_chroma_client.py --chroma 127.0.0.1:Q load        (directly into Chroma: the docs collection, 10 rows)
  python approval_chroma_client.py --chroma 127.0.0.1:Q ids         (directly: the ids left in docs, sorted)
  python approval_chroma_client.py --gateway 127.0.0.1:P --token T delete --where '{"title": ...}'

delete goes through the gateway with the caller's token in X-Chroma-Token (the chromadb client's own
header); the call may be held by the gateway until an approver answers.
"""
import argparse
import json

import chromadb
from chromadb.config import Settings


def client(addr, token=None):
    host, port = addr.rsplit(":", 1)
    headers = {"X-Chroma-Token": token} if token else {}
    return chromadb.HttpClient(host=host, port=int(port), headers=headers,
                               settings=Settings(anonymized_telemetry=False))


def load(addr):
    c = client(addr)
    try:
        c.delete_collection("docs")
    except Exception:  # noqa: BLE001 - absent on the first load
        pass
    col = c.create_collection("docs")
    ids, embs, metas = [], [], []
    for i in range(1, 11):
        tenant = "acme" if i % 2 == 0 else "globex"
        ids.append(str(i))
        embs.append([float(i), 1.0, 0.5, 0.25])
        metas.append({"tenant_id": tenant, "title": f"{tenant} report {i}"})
    col.add(ids=ids, embeddings=embs, metadatas=metas)
    return len(ids)


def ids(addr):
    return sorted(int(i) for i in client(addr).get_collection("docs").get(include=[])["ids"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chroma")
    ap.add_argument("--gateway")
    ap.add_argument("--token")
    ap.add_argument("step", choices=["load", "ids", "delete"])
    ap.add_argument("--where")
    a = ap.parse_args()
    try:
        if a.step == "load":
            value = load(a.chroma)
        elif a.step == "ids":
            value = ids(a.chroma)
        else:
            col = client(a.gateway, a.token).get_collection("docs")
            col.delete(where=json.loads(a.where))
            value = "deleted"
        print(json.dumps({"ok": True, "value": value}))
    except Exception as e:  # noqa: BLE001 - the test asserts on every refusal
        print(json.dumps({"ok": False, "type": type(e).__name__, "error": str(e)}))


if __name__ == "__main__":
    main()
