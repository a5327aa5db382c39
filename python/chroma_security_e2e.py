"""Tenant-isolation and PII-filter checks through the Vectorgate HTTP gateway with the unmodified chromadb client.

Run by the Java e2e test (io.vectorgate.proxy.e2e.ChromaSecurityE2ETest):

  python chroma_security_e2e.py --gateway 127.0.0.1:P --direct 127.0.0.1:Q --tokens tokens.json

tokens.json maps engineer (ml-engineers, tenant acme) and analyst (analysts, tenant acme) to tokens.
Loads the sample rows directly into Chroma, then tries, through the gateway: upserts and updates that
address another tenant's rows by id (must be refused, the rows unchanged), upserts of the caller's own
rows and of new ids (must pass), and filters on PII metadata by non-readers (must be refused).
Prints one JSON object describing every step.
"""
import argparse
import json

from chroma_e2e import attempt, client, load, plain

EMB = [1.0, 1.0, 1.0, 1.0]


def row(direct, rid):
    got = plain(direct.get_collection("docs", embedding_function=None).get(ids=[rid], include=["metadatas"]))
    return got["metadatas"][0] if got["ids"] else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--direct", required=True)
    ap.add_argument("--tokens", required=True)
    a = ap.parse_args()
    tokens = json.load(open(a.tokens))
    direct = client(a.direct)
    load(direct)
    r = {}

    eng = client(a.gateway, tokens["engineer"]).get_collection("docs", embedding_function=None)
    # id 3 belongs to globex: the new row claims acme, the replaced one is not the caller's
    r["upsert_other_tenant_id"] = attempt(lambda: eng.upsert(ids=["3"], embeddings=[EMB],
                                                             metadatas=[{"tenant_id": "acme", "title": "taken"}]))
    r["update_other_tenant_id"] = attempt(lambda: eng.update(ids=["5"], embeddings=[EMB],
                                                             metadatas=[{"tenant_id": "acme", "title": "taken"}]))
    r["upsert_mixed_ids"] = attempt(lambda: eng.upsert(ids=["4", "7"], embeddings=[EMB, EMB],
                                                       metadatas=[{"tenant_id": "acme", "title": "a"},
                                                                  {"tenant_id": "acme", "title": "b"}]))
    r["row_3_after"] = row(direct, "3")
    r["row_5_after"] = row(direct, "5")
    r["row_7_after"] = row(direct, "7")
    r["upsert_own_and_new"] = attempt(lambda: eng.upsert(ids=["4", "new-1"], embeddings=[EMB, EMB],
                                                         metadatas=[{"tenant_id": "acme", "title": "mine"},
                                                                    {"tenant_id": "acme", "title": "fresh"}]))
    r["row_4_after"] = row(direct, "4")
    r["row_new_after"] = row(direct, "new-1")
    r["update_own"] = attempt(lambda: eng.update(ids=["6"], metadatas=[{"tenant_id": "acme", "title": "six"}]))
    r["row_6_after"] = row(direct, "6")

    analyst = client(a.gateway, tokens["analyst"])
    cust = analyst.get_collection("customers", embedding_function=None)
    r["pii_where_get"] = attempt(lambda: cust.get(where={"email": {"$eq": "ada@acme.example"}}))
    r["pii_where_nested_query"] = attempt(lambda: cust.query(
        query_embeddings=[[0.1, 0.2, 0.3, 0.4]], n_results=1,
        where={"$and": [{"name": "Ada Lovelace"}, {"$or": [{"ssn": {"$ne": "x"}}, {"name": "y"}]}]}))
    r["pii_where_delete"] = attempt(lambda: cust.delete(where={"phone": {"$in": ["+44 20 7946 0001"]}}))
    r["non_pii_where"] = attempt(lambda: plain(cust.get(where={"name": "Ada Lovelace"}, include=["metadatas"]))["ids"])
    r["customers_after"] = sorted(plain(direct.get_collection("customers", embedding_function=None).get())["ids"])
    print(json.dumps(r, default=str))


if __name__ == "__main__":
    main()
