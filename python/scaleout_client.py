"""Client steps of the scale-out suite (io.vectorgate.proxy.scaleout.ScaleOutIT), through HAProxy in
front of three gateway instances. Each step prints one JSON line on standard output.

  python scaleout_client.py milvus-reads --gateway H:P --token T --n N
      N pymilvus queries and searches of `docs`; per call the ids returned and whether vectors came back
  python scaleout_client.py chroma-load --direct H:P
      (re)creates the sample `docs` collection in Chroma directly (no gateway)
  python scaleout_client.py chroma-reads --gateway H:P --token T --n N
      N chromadb get() calls on `docs`; per call the ids and tenants returned and whether embeddings came back
  python scaleout_client.py budget --gateway H:P --token T --n N
      N sequential pymilvus queries: how many were admitted and refused, and the refusals' distinct texts
  python scaleout_client.py writes --gateway H:P --token T --first ID --seconds S --out FILE
      inserts into `docs` one row per attempt (primary key = a fresh id per attempt) for S seconds, retrying a
      logical write until it is acknowledged; FILE gets one JSON line per attempt: pk, logical write, start and
      end (Unix ms), ok, error
  python scaleout_client.py present --direct MILVUS --token root:Milvus --first ID
      the primary keys >= ID in `docs`, read from Milvus Lite directly
"""
import argparse
import json
import time

import chromadb
from chromadb.config import Settings
from pymilvus import MilvusClient

QUERY = [4.0, 1.0, 0.5, 0.25]


def milvus(addr, token, timeout=30):
    return MilvusClient(uri=f"http://{addr}", token=token, timeout=timeout)


def chroma(addr, token=None):
    host, port = addr.rsplit(":", 1)
    headers = {"X-Chroma-Token": token} if token else {}
    return chromadb.HttpClient(host=host, port=int(port), headers=headers, settings=Settings(anonymized_telemetry=False))


def milvus_reads(a):
    c = milvus(a.gateway, a.token)
    calls = []
    for i in range(a.n):
        if i % 2 == 0:
            rows = c.query("docs", filter="id >= 0", output_fields=["id", "tenant_id", "embedding"])
            calls.append({"kind": "query", "ids": sorted(r["id"] for r in rows),
                          "tenants": sorted({r["tenant_id"] for r in rows}),
                          "vectors": any(r.get("embedding") not in (None, [], b"") for r in rows)})
        else:
            hits = c.search("docs", data=[QUERY], limit=10, output_fields=["id", "tenant_id"])[0]
            calls.append({"kind": "search", "ids": sorted(h["id"] for h in hits),
                          "tenants": sorted({h["entity"]["tenant_id"] for h in hits}), "vectors": False})
    return {"calls": calls}


def chroma_load(a):
    direct = chroma(a.direct)
    try:
        direct.delete_collection("docs")
    except Exception:  # noqa: BLE001 - absent on a fresh server
        pass
    docs = direct.create_collection("docs", embedding_function=None)
    ids, embs, metas = [], [], []
    for i in range(1, 11):
        tenant = "acme" if i % 2 == 0 else "globex"
        ids.append(str(i))
        embs.append([float(i), 1.0, 0.5, 0.25])
        metas.append({"tenant_id": tenant, "title": f"{tenant} report {i}"})
    docs.add(ids=ids, embeddings=embs, metadatas=metas, documents=[f"doc {i}" for i in ids])
    return {"loaded": len(ids)}


def chroma_reads(a):
    c = chroma(a.gateway, a.token)
    docs = c.get_collection("docs", embedding_function=None)
    calls = []
    for _ in range(a.n):
        r = docs.get(include=["metadatas", "embeddings"])
        emb = r.get("embeddings")
        if hasattr(emb, "tolist"):  # numpy, also a 0-d array around None
            emb = emb.tolist()
        calls.append({"ids": sorted(r["ids"], key=int), "tenants": sorted({m["tenant_id"] for m in r["metadatas"]}),
                      "embeddings": isinstance(emb, list) and any(e is not None for e in emb)})
    return {"calls": calls}


def budget(a):
    c = milvus(a.gateway, a.token)
    admitted, refusals = 0, []
    for _ in range(a.n):
        try:
            c.query("docs", filter="id >= 0", output_fields=["id"], limit=1)
            admitted += 1
        except Exception as e:  # noqa: BLE001 - a refusal is what this step counts
            refusals.append(str(e)[:300])
    return {"admitted": admitted, "refused": len(refusals), "refusals": sorted(set(refusals))}


def writes(a):
    c = None
    end = time.time() + a.seconds
    pk = a.first
    logical = 0
    with open(a.out, "w") as out:
        while time.time() < end:
            logical += 1
            for attempt in range(40):
                pk += 1
                start = time.time() * 1000
                row = {"id": pk, "tenant_id": "acme", "title": f"w{logical}", "embedding": [1.0, 2.0, 3.0, 4.0]}
                try:
                    if c is None:
                        c = milvus(a.gateway, a.token, timeout=20)
                    c.insert("docs", [row])
                    ok, err = True, None
                except Exception as e:  # noqa: BLE001 - every failed attempt is recorded, then retried
                    ok, err = False, f"{type(e).__name__}: {e}"[:300]
                    c = None  # a fresh connection for the retry, as a retrying client would
                out.write(json.dumps({"pk": pk, "write": logical, "attempt": attempt, "start": start,
                                      "end": time.time() * 1000, "ok": ok, "error": err}) + "\n")
                out.flush()
                if ok:
                    break
                time.sleep(min(0.05 * (attempt + 1), 0.5))
    return {"writes": logical, "last_pk": pk}


def present(a):
    """The primary keys >= --first in `docs`, read from Milvus directly (not through a gateway)."""
    c = MilvusClient(uri=f"http://{a.direct}", token=a.token)
    rows = c.query("docs", filter=f"id >= {a.first}", output_fields=["id"], limit=16384)
    return {"ids": sorted(r["id"] for r in rows)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["milvus-reads", "chroma-load", "chroma-reads", "budget", "writes", "present"])
    ap.add_argument("--gateway")
    ap.add_argument("--direct")
    ap.add_argument("--token")
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--first", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--out")
    a = ap.parse_args()
    steps = {"milvus-reads": milvus_reads, "chroma-load": chroma_load, "chroma-reads": chroma_reads,
             "budget": budget, "writes": writes, "present": present}
    print(json.dumps(steps[a.step](a)))


if __name__ == "__main__":
    main()
