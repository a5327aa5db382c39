"""Tenant-isolation and PII-filter checks through the Vectorgate HTTP gateway with the unmodified Pinecone SDK.

Run by the Java e2e test (io.vectorgate.proxy.e2e.PineconeSecurityE2ETest) against fake Pinecone index hosts:

  python pinecone_security_e2e.py --docs 127.0.0.1:P --customers 127.0.0.1:Q --tokens tokens.json

--docs is a gateway whose index `docs` is multi-tenant by tenant_id; --customers one whose index `customers`
has PII metadata. tokens.json maps engineer (ml-engineers, acme) and analyst (analysts, acme) to tokens.
Prints one JSON object describing every step.
"""
import argparse
import json

from pinecone import Index
from pinecone_e2e import attempt

V = [0.5, 0.5, 0.5, 0.5]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", required=True)
    ap.add_argument("--customers", required=True)
    ap.add_argument("--tokens", required=True)
    a = ap.parse_args()
    with open(a.tokens) as f:
        tokens = json.load(f)
    docs = Index(host=f"http://{a.docs}", api_key=tokens["engineer"])
    out = {}
    # id 3 is globex's: the written metadata claims acme, the replaced record is not the caller's
    out["upsert_other_tenant_id"] = attempt(lambda: docs.upsert(vectors=[{
        "id": "3", "values": V, "metadata": {"tenant_id": "acme", "title": "taken"}}]).upserted_count)
    # 150 ids (two pre-read batches); the last one, 7, is globex's
    many = [{"id": f"n{i}", "values": V, "metadata": {"tenant_id": "acme", "title": "bulk"}} for i in range(149)]
    many.append({"id": "7", "values": V, "metadata": {"tenant_id": "acme", "title": "taken"}})
    out["upsert_batch_with_other_tenant_id"] = attempt(lambda: docs.upsert(vectors=many).upserted_count)
    out["upsert_own_and_new"] = attempt(lambda: docs.upsert(vectors=[
        {"id": "4", "values": V, "metadata": {"tenant_id": "acme", "title": "mine"}},
        {"id": "fresh", "values": V, "metadata": {"tenant_id": "acme", "title": "fresh"}}]).upserted_count)
    # updates by id are pre-read the same way: 5 is globex's, 6 is acme's, `nope` does not exist (a no-op)
    out["update_other_tenant_id"] = attempt(lambda: docs.update(id="5", set_metadata={"title": "taken"}).matched_records)
    out["update_own"] = attempt(lambda: docs.update(id="6", values=V, set_metadata={"title": "updated"}).matched_records)
    out["update_own_to_other_tenant"] = attempt(lambda: docs.update(id="6", set_metadata={"tenant_id": "globex"})
                                                .matched_records)
    out["update_missing"] = attempt(lambda: docs.update(id="nope", set_metadata={"title": "x"}).matched_records)

    cust = Index(host=f"http://{a.customers}", api_key=tokens["analyst"])
    out["pii_filter_query"] = attempt(lambda: len(cust.query(vector=V, top_k=3, include_metadata=True,
                                                             filter={"email": {"$eq": "ada@acme.example"}}).matches))
    out["pii_filter_nested"] = attempt(lambda: len(cust.query(vector=V, top_k=3, filter={
        "$and": [{"name": {"$eq": "Ada Lovelace"}}, {"$or": [{"ssn": {"$exists": True}}, {"name": "x"}]}]}).matches))
    out["non_pii_filter"] = attempt(lambda: [m.id for m in cust.query(vector=V, top_k=3,
                                                                      filter={"name": {"$eq": "Ada Lovelace"}}).matches])
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
