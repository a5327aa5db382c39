"""A scripted pymilvus session against the running demo gateway (scripts/demo.sh).

  python demo_session.py [--gateway 127.0.0.1:19530] [--tokens .demo/tokens.json]

Shows what a new user sees: an allowed search with a tenant row filter and vectors stripped,
masked PII, an unmasked read by a PII reader, policy denies with their reasons, a bulk delete held
for approval, and a refused token.
"""
import argparse
import base64
import json
import logging
import os
import re

import grpc
from pymilvus import MilvusClient
from pymilvus.client.utils import check_status
from pymilvus.grpc_gen import milvus_pb2, milvus_pb2_grpc

# pymilvus logs every refused call with a traceback; the session prints the gateway's answer instead
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTOR = [[4.0, 1.0, 0.5, 0.25]]


def show(title):
    print()
    print(f"== {title}")


def attempt(label, fn):
    try:
        result = fn()
        print(f"   {label}: ALLOWED -> {result}")
    except Exception as e:  # noqa: BLE001 - the session shows every refusal as the user sees it
        details = e.details() if hasattr(e, "details") and callable(e.details) else str(e)
        code = e.code().name if hasattr(e, "code") and callable(e.code) else type(e).__name__
        print(f"   {label}: REFUSED ({code})")
        for part in re.split(r"; (?=[a-z_]+: )", details):
            print(f"      {part}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", default="127.0.0.1:19530")
    ap.add_argument("--tokens", default=os.path.join(ROOT, ".demo", "tokens.json"))
    args = ap.parse_args()
    tokens = json.load(open(args.tokens))
    uri = f"http://{args.gateway}"

    bob = MilvusClient(uri=uri, token=tokens["bob"])
    show("bob (analysts, tenant acme) searches docs asking for titles and embeddings")
    print("   policy: allow (role analysts), row filter tenant_id == acme, vectors stripped, top_k capped at 100")
    for hit in bob.search("docs", data=VECTOR, limit=5, output_fields=["tenant_id", "title", "embedding"])[0]:
        print(f"   id={hit['id']} distance={hit['distance']:.2f} entity={hit['entity']}")

    show("bob reads customers: PII is masked (email hashed, phone partial, ssn dropped)")
    for row in bob.query("customers", filter="id >= 1", output_fields=["name", "email", "phone", "ssn"]):
        print(f"   {row}")

    dave = MilvusClient(uri=uri, token=tokens["dave"])
    show("dave (analysts + pii-readers, tenant globex) reads the same customers unmasked, and only globex docs")
    for row in dave.query("customers", filter="id >= 1", output_fields=["name", "email", "phone"]):
        print(f"   {row}")
    print(f"   docs tenants dave sees: {sorted({h['entity']['tenant_id'] for h in dave.search('docs', data=VECTOR, limit=10, output_fields=['tenant_id'])[0]})}")

    show("bob tries destructive and write operations: denied with the policy's reasons")
    attempt("drop_collection(docs)", lambda: bob.drop_collection("docs"))
    attempt("truncate_collection(docs)", lambda: bob.truncate_collection("docs"))
    attempt("delete(docs, filter='id >= 0')", lambda: bob.delete("docs", filter="id >= 0"))

    carol = MilvusClient(uri=uri, token=tokens["carol"])
    show("carol (ml-engineers, tenant acme) deletes by filter: a bulk delete needs approval")
    print("   (outside the sample write window, Mon-Fri 07:00-20:00 Europe/Berlin, the write is denied for that instead)")
    attempt("delete(docs, filter='title like \"acme%\"')", lambda: carol.delete("docs", filter='title like "acme%"'))

    show("a client with a bad token is refused before anything reaches Milvus")
    attempt("MilvusClient(token='not-a-jwt')", lambda: MilvusClient(uri=uri, token="not-a-jwt").list_collections())
    expired_like = tokens["bob"][:-4] + "AAAA"  # a tampered signature
    for label, token in (("a raw gRPC call with 'not-a-jwt'", "not-a-jwt"), ("a tampered token", expired_like)):
        with grpc.insecure_channel(args.gateway) as ch:
            stub = milvus_pb2_grpc.MilvusServiceStub(ch)
            auth = base64.b64encode(token.encode()).decode()
            # the gateway refuses in band, in the response's own status, as Milvus does
            attempt(label, lambda: check_status(stub.ShowCollections(milvus_pb2.ShowCollectionsRequest(),
                                                                     metadata=[("authorization", auth)],
                                                                     timeout=10).status))


if __name__ == "__main__":
    main()
