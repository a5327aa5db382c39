"""A scripted tour of the running demo (scripts/demo.sh), with the clients a new user would use.

  python demo_session.py [--demo-dir .demo] [--milvus 127.0.0.1:19530] [--chroma 127.0.0.1:8000]
                         [--admin http://127.0.0.1:9190] [--vectorgate scripts/vectorgate]

Shows: an allowed search with a tenant row filter and vectors stripped (pymilvus and chromadb), masked
PII and an unmasked PII reader, denies with the policy's reasons, a developer's quick-start in the
sandbox, a bulk delete held until an approver approves it from a second terminal with
`vectorgate approvals approve` (the session prints the exact command and waits), a refused token,
and finally the recorded session listed and its hash chain verified with `vectorgate sessions`.
"""
import argparse
import json
import logging
import os
import re
import shlex
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request

import chromadb
from chromadb.config import Settings
from pymilvus import MilvusClient

# pymilvus logs every refused call with a traceback; the tour prints the gateway's answer instead
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTOR = [[4.0, 1.0, 0.5, 0.25]]
WIDTH = 100


def show(title):
    print()
    print(textwrap.fill(f"== {title}", WIDTH, subsequent_indent="   ", break_on_hyphens=False))


def say(text, indent="   "):
    print(textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False))


# A refusal reads "... (decision <id>): code: message; code: message". Reasons are split only
# where a reason code (snake_case with an underscore) follows "; ", never inside a sentence.
REASON_SPLIT = re.compile(r"; (?=[a-z]+(?:_[a-z0-9]+)+: )")


def refusal_text(e):
    details = e.details() if callable(getattr(e, "details", None)) else str(e)
    code = e.code() if callable(getattr(e, "code", None)) else None
    if hasattr(code, "name"):  # a gRPC status code
        return code.name, details
    return (f"{type(e).__name__}, HTTP {code}" if code is not None else type(e).__name__), details


def attempt(label, fn):
    try:
        result = fn()
        say(f"{label}: ALLOWED -> {result}")
        return True
    except Exception as e:  # noqa: BLE001 - the tour shows every refusal as the user's client reports it
        code, details = refusal_text(e)
        say(f"{label}: REFUSED ({code})")
        head, sep, rest = details.partition("): ")
        parts = [head + sep.rstrip()] + REASON_SPLIT.split(rest) if sep else REASON_SPLIT.split(details)
        for part in parts:
            say(part, indent="      ")
        return False


def admin_get(admin, path, token):
    req = urllib.request.Request(admin + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def run_cli(vectorgate, args, env=None):
    cmd = [vectorgate] + args
    print(f"   $ {' '.join(shlex.quote(os.path.relpath(a, ROOT) if a.startswith(ROOT) else a) for a in cmd)}")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    for line in (p.stdout + p.stderr).rstrip().splitlines():
        print(f"     {line}")
    return p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--demo-dir", default=os.path.join(ROOT, ".demo"))
    ap.add_argument("--milvus", default="127.0.0.1:19530")
    ap.add_argument("--chroma", default="127.0.0.1:8000")
    ap.add_argument("--admin", default="http://127.0.0.1:9190")
    ap.add_argument("--vectorgate", default=os.path.join(ROOT, "scripts", "vectorgate"))
    ap.add_argument("--wait-seconds", type=int, default=540, help="how long the held delete waits for the approval")
    args = ap.parse_args()
    tokens = json.load(open(os.path.join(args.demo_dir, "tokens.json")))
    uri = f"http://{args.milvus}"
    chost, cport = args.chroma.rsplit(":", 1)

    def chroma(user):
        return chromadb.HttpClient(host=chost, port=int(cport), headers={"X-Chroma-Token": tokens[user]},
                                   settings=Settings(anonymized_telemetry=False))

    # 1. allow + row filter + stripped vectors
    bob = MilvusClient(uri=uri, token=tokens["bob"])
    show("1. bob (analysts, tenant acme) searches docs with pymilvus, asking for titles and embeddings")
    say("policy: role analysts allows it; row filter tenant_id == acme; vectors stripped; limit cap 100")
    for hit in bob.search("docs", data=VECTOR, limit=5, output_fields=["tenant_id", "title", "embedding"])[0]:
        say(f"id={hit['id']} distance={hit['distance']:.2f} entity={hit['entity']}")
    say("the same search with chromadb on the Chroma listener (same policy, same tenant filter):")
    res = chroma("bob").get_collection("docs").query(query_embeddings=VECTOR, n_results=5, include=["metadatas", "embeddings"])
    say(f"ids={res['ids'][0]} tenants={sorted({m['tenant_id'] for m in res['metadatas'][0]})} "
        f"embeddings={res['embeddings']}")

    # 2. masked PII
    show("2. bob reads customers: PII is masked (email hashed, phone partial, ssn dropped)")
    for row in bob.query("customers", filter="id >= 1", output_fields=["name", "email", "phone", "ssn"]):
        say(str(row))
    dave = MilvusClient(uri=uri, token=tokens["dave"])
    print()
    say("dave (analysts + pii-readers, tenant globex) reads the same customers unmasked, and sees only globex docs:")
    for row in dave.query("customers", filter="id >= 1", output_fields=["name", "email", "phone"]):
        say(str(row))
    tenants = sorted({h["entity"]["tenant_id"] for h in dave.search("docs", data=VECTOR, limit=10, output_fields=["tenant_id"])[0]})
    say(f"docs tenants dave sees: {tenants}")

    # 3. denies with reasons
    show("3. denies, each with the policy's reason codes and the decision id")
    attempt("bob: drop_collection(docs)", lambda: bob.drop_collection("docs"))
    attempt("bob: delete(docs, filter='id >= 0')", lambda: bob.delete("docs", filter="id >= 0"))
    attempt("bob: query(customers, filter on email)",
            lambda: bob.query("customers", filter='email == "ada@acme.example"', output_fields=["name"]))
    attempt("bob (chromadb): delete_collection(docs)", lambda: chroma("bob").delete_collection("docs"))

    # 4. the developer's sandbox
    frank = MilvusClient(uri=uri, token=tokens["frank"])
    show("4. frank (developers) runs the pymilvus quick-start in his sandbox: no approvals, no write window")
    name = "demo_collection"
    if frank.has_collection(name):
        frank.drop_collection(name)
    frank.create_collection(collection_name=name, dimension=4)
    frank.insert(name, [{"id": i, "vector": [float(i), 0.5, 0.25, 0.125], "subject": "history" if i < 3 else "biology"}
                        for i in range(6)])
    hits = frank.search(name, data=VECTOR, limit=3, output_fields=["subject"])[0]
    say(f"create, insert 6, search -> ids {[h['id'] for h in hits]}")
    deleted = frank.delete(name, filter="subject == 'biology'")
    say(f"delete(filter=\"subject == 'biology'\") -> {deleted}")
    frank.drop_collection(name)
    say(f"drop_collection({name}) -> done")
    attempt("frank: query(docs) outside the sandbox", lambda: frank.query("docs", filter="id >= 0", limit=1))

    # 5. bulk delete held, approved from a second terminal
    carol = MilvusClient(uri=uri, token=tokens["carol"])
    show("5. carol (ml-engineers, tenant acme, on call) deletes docs by filter: a bulk delete is held for approval")
    say("the sample organisation allows writes Monday-Friday 07:00-20:00 Europe/Berlin; carol is in `on-call`, "
        "which the window exempts, so this step works at any time")
    outcome = {}

    def held_delete():
        try:
            outcome["result"] = carol.delete("docs", filter='title like "acme report 1%"', timeout=args.wait_seconds)
        except Exception as e:  # noqa: BLE001 - shown below
            outcome["error"] = e

    worker = threading.Thread(target=held_delete, daemon=True)
    worker.start()
    approval = None
    for _ in range(100):
        pending = admin_get(args.admin, "/v1/approvals?status=pending", tokens["erin"])["approvals"]
        approval = next((a for a in pending if a.get("requester", {}).get("subject") == "carol"), None)
        if approval or not worker.is_alive():
            break
        time.sleep(0.2)
    if approval is None:
        say("the delete was not held:")
        worker.join()
        if "error" in outcome:
            attempt("carol: delete(docs, filter)", lambda: (_ for _ in ()).throw(outcome["error"]))
        else:
            say(f"result: {outcome.get('result')}")
    else:
        summary = approval.get("summary", {})
        say(f"held: {approval['id']} ({summary.get('text', '')}); approver groups {approval.get('approver_groups')}")
        tok = os.path.relpath(os.path.join(args.demo_dir, "tokens", "erin"), ROOT)
        print()
        print("   >>> In a second terminal, approve it as erin (db-admins):")
        print()
        print(f"       cd {ROOT}")
        print(f"       VECTORGATE_TOKEN=$(cat {tok}) scripts/vectorgate approvals approve {approval['id']} \\")
        print(f"           --gateway {args.admin} --comment 'checked in the demo'")
        print()
        say(f"waiting for the approval (up to {args.wait_seconds} s; Ctrl-C to stop the tour)...")
        sys.stdout.flush()
        worker.join()
        if "error" in outcome:
            attempt("carol: delete(docs, filter)", lambda: (_ for _ in ()).throw(outcome["error"]))
        else:
            say(f"approved and forwarded with carol's tenant filter: {outcome['result']}")
            rows = MilvusClient(uri=uri, token=tokens["alice"]).query(
                "docs", filter='title like "acme report 1%" or title like "globex report 1%"', output_fields=["title"])
            say(f"rows left with those titles (alice sees every tenant): {sorted(r['title'] for r in rows)}")

    # 6. refused token
    show("6. a client with a bad token is refused before anything reaches Milvus or Chroma")
    attempt("pymilvus with token 'not-a-jwt'", lambda: MilvusClient(uri=uri, token="not-a-jwt", timeout=10).list_collections())
    attempt("chromadb with a tampered token", lambda: chromadb.HttpClient(
        host=chost, port=int(cport), headers={"X-Chroma-Token": tokens["bob"][:-4] + "AAAA"},
        settings=Settings(anonymized_telemetry=False)).list_collections())

    # 7. the recording
    rec = os.path.join(args.demo_dir, "recording")
    show("7. every request above is in the hash-chained session recording")
    run_cli(args.vectorgate, ["sessions", "list", "-d", rec, "--sessions", "--limit", "10"])
    run_cli(args.vectorgate, ["sessions", "list", "-d", rec, "--subject", "carol", "--limit", "5"])
    run_cli(args.vectorgate, ["sessions", "verify", "-d", rec])
    print()
    say(f"metrics: curl -s {args.admin}/metrics | grep vectorgate_requests_total")


if __name__ == "__main__":
    main()
