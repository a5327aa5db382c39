"""chromadb's get_or_create_collection through the gateway (the call of Chroma's own getting-started
page): the gateway answers it as a get when the collection exists and the caller may read it, and
as a create only when it does not exist and the caller may create it.

  python get_or_create_chroma.py --gateway 127.0.0.1:P --direct http://127.0.0.1:C --token TOKEN \
      --existing docs --missing NAME [--twice]

Prints one JSON object: for the existing collection the gateway's answer (name, id) and the id
Chroma itself has; for the missing one the answer or the refusal, and whether Chroma now has it.
With --twice the missing collection is asked for twice (the first call creates it, the second
gets it) and then deleted.
"""
import argparse
import json

import chromadb
from chromadb.config import Settings


def client(addr, token=None):
    host, port = addr.replace("http://", "").rsplit(":", 1)
    headers = {"X-Chroma-Token": token} if token else {}
    return chromadb.HttpClient(host=host, port=int(port), headers=headers,
                               settings=Settings(anonymized_telemetry=False))


def attempt(fn):
    try:
        return {"ok": True, "value": fn()}
    except Exception as e:  # noqa: BLE001 - the test asserts the refusal the user sees
        return {"ok": False, "type": type(e).__name__, "error": str(e)}


def names(c):
    return sorted(x.name for x in c.list_collections())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--direct", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--existing", required=True)
    ap.add_argument("--missing", required=True)
    ap.add_argument("--twice", action="store_true")
    a = ap.parse_args()
    direct = client(a.direct)
    if a.existing not in names(direct):
        direct.create_collection(a.existing, embedding_function=None)
    if a.missing in names(direct):
        direct.delete_collection(a.missing)
    gw = client(a.gateway, a.token)
    out = {"direct_id": str(direct.get_collection(a.existing, embedding_function=None).id)}

    def goc(name):
        c = gw.get_or_create_collection(name, embedding_function=None)
        return {"name": c.name, "id": str(c.id)}

    out["existing"] = attempt(lambda: goc(a.existing))
    out["missing"] = attempt(lambda: goc(a.missing))
    if a.twice:
        out["missing_again"] = attempt(lambda: goc(a.missing))
    out["missing_created"] = a.missing in names(direct)
    if a.twice and out["missing_created"]:
        gw.delete_collection(a.missing)
        out["missing_after_delete"] = a.missing in names(direct)
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
