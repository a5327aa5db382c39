"""Tenant isolation of upserts by id and PII filter probes, through the Vectorgate Milvus gateway,
driven with unmodified pymilvus against Milvus Lite.

Run by io.vectorgate.proxy.e2e.PymilvusSecurityE2ETest:

  python milvus_security_e2e.py --gateway 127.0.0.1:P --direct 127.0.0.1:Q --tokens tokens.json

tokens.json maps admin (admins, no tenant), analyst (analysts, tenant acme) and engineer
(ml-engineers, tenant acme) to access tokens. Prints one JSON object describing every step (the
Java test asserts on it).
"""
import argparse
import json

from pymilvus import MilvusClient

import vg_sample


def client(addr, token):
    return MilvusClient(uri=f"http://{addr}", token=token, timeout=30)


def attempt(fn):
    """Runs fn; returns {"ok": True, "value": ...} or {"ok": False, "code": ..., "error": ...}."""
    try:
        return {"ok": True, "value": fn()}
    except Exception as e:  # noqa: BLE001 - the scenario records every refusal
        code = getattr(e, "code", None)
        if callable(code):
            code = code()
        return {"ok": False, "code": str(code), "error": str(e)}


def doc(i, tenant, title):
    return {"id": i, "tenant_id": tenant, "title": title, "embedding": [float(i), 1.0, 0.5, 0.25]}


def rows(direct, ids):
    got = direct.query("docs", filter=f"id in {list(ids)}", output_fields=["tenant_id", "title"])
    return sorted(({"id": r["id"], "tenant_id": r["tenant_id"], "title": r["title"]} for r in got),
                  key=lambda r: r["id"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--direct", required=True)
    ap.add_argument("--tokens", required=True)
    args = ap.parse_args()
    tokens = json.load(open(args.tokens))
    out = {}

    admin = client(args.gateway, tokens["admin"])
    vg_sample.load(admin)
    direct = client(args.direct, "root:Milvus")
    engineer = client(args.gateway, tokens["engineer"])
    analyst = client(args.gateway, tokens["analyst"])

    # id 1 belongs to globex: an acme engineer must not take it over by upserting it
    out["takeover"] = attempt(lambda: engineer.upsert("docs", [doc(1, "acme", "taken over")]))
    # the same, hidden among rows of the caller's own tenant and new rows
    out["takeover_mixed"] = attempt(lambda: engineer.upsert(
        "docs", [doc(2, "acme", "own row"), doc(3, "acme", "taken over"), doc(5, "acme", "taken over"),
                 doc(101, "acme", "new row")]))
    out["rows_after_takeover"] = rows(direct, [1, 2, 3, 5, 101])
    # the caller's own rows and new ids are fine
    out["own_upsert"] = attempt(lambda: engineer.upsert(
        "docs", [doc(2, "acme", "acme report 2 (edited)"), doc(102, "acme", "acme new")]))
    out["rows_after_own"] = rows(direct, [2, 102])
    # admins bypass tenancy: no row filter, no pre-read
    out["admin_upsert"] = attempt(lambda: admin.upsert("docs", [doc(1, "globex", "globex report 1 (admin)")]))
    out["rows_after_admin"] = rows(direct, [1])

    # PII filters: the analyst sees email masked, and may not filter on it either
    out["pii_filter_query"] = attempt(lambda: analyst.query("customers", filter='email like "a%"',
                                                            output_fields=["name"]))
    out["pii_filter_search"] = attempt(lambda: analyst.search(
        "customers", data=[[0.1, 0.2, 0.3, 0.4]], limit=3, filter='ssn == "123-45-6789"', output_fields=["name"]))
    out["pii_filter_count"] = attempt(lambda: analyst.query(
        "customers", filter='phone like "+44%" and name like "A%"', output_fields=["count(*)"]))
    out["plain_filter_query"] = attempt(lambda: analyst.query("customers", filter='name like "A%"',
                                                              output_fields=["name"]))
    out["admin_pii_filter_query"] = attempt(lambda: admin.query("customers", filter='email like "a%"',
                                                                output_fields=["name"]))
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
