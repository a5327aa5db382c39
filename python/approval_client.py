"""One client step of the approval end-to-end tests, through the Vectorgate Milvus gateway.

Run by io.vectorgate.proxy.approval.ApprovalE2ETest; each call prints one JSON line:
{"ok": true, "value": ...} or {"ok": false, "code": "<code>", "error": "<message>"}: the code is the
Milvus error code of an in-band refusal (pymilvus MilvusException, e.g. 1401), or the gRPC status
name of a call that ended with one (e.g. UNAVAILABLE for a held call the gateway dropped at shutdown).

  python approval_client.py --gateway 127.0.0.1:P --token T load        (creates the sample data, or upserts its rows back)
  python approval_client.py --gateway ... --token T ids --collection docs
  python approval_client.py --gateway ... --token T delete --collection docs --filter "id >= 5" [--timeout S] [--raw]
  python approval_client.py --gateway ... --token T create-scratch --collection scratch
  python approval_client.py --gateway ... --token T drop --collection scratch [--timeout S]

delete uses pymilvus's MilvusClient unless --raw, which sends one DeleteRequest on a plain gRPC stub
(no client-side retries, so the gateway's status code is seen exactly).
"""
import argparse
import base64
import json

import grpc
from pymilvus import DataType, MilvusClient
from pymilvus.client.utils import check_status
from pymilvus.grpc_gen import milvus_pb2, milvus_pb2_grpc

import vg_sample


def client(addr, token, timeout):
    return MilvusClient(uri=f"http://{addr}", token=token, timeout=timeout)


def raw_delete(addr, token, collection, expr, timeout):
    with grpc.insecure_channel(addr) as ch:
        stub = milvus_pb2_grpc.MilvusServiceStub(ch)
        auth = base64.b64encode(token.encode()).decode()
        resp = stub.Delete(milvus_pb2.DeleteRequest(collection_name=collection, expr=expr),
                           metadata=[("authorization", auth)], timeout=timeout)
        # the gateway answers refusals in band, as Milvus does: raise them as pymilvus would
        check_status(resp.status)
        return {"delete_cnt": resp.delete_cnt, "status_code": resp.status.code}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("step", choices=["load", "ids", "delete", "create-scratch", "drop"])
    ap.add_argument("--collection", default="docs")
    ap.add_argument("--filter")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--raw", action="store_true")
    a = ap.parse_args()
    try:
        if a.step == "load":
            c = client(a.gateway, a.token, 60)
            if c.has_collection("docs"):
                # dropping is destructive (break-glass only): restore the sample rows instead
                c.upsert("docs", vg_sample.DOCS)
                value = "restored"
            else:
                vg_sample.load(c)
                value = "loaded"
        elif a.step == "ids":
            rows = client(a.gateway, a.token, 60).query(a.collection, filter="id >= 0", output_fields=["id"])
            value = sorted(r["id"] for r in rows)
        elif a.step == "delete":
            if a.raw:
                value = raw_delete(a.gateway, a.token, a.collection, a.filter, a.timeout)
            else:
                r = client(a.gateway, a.token, a.timeout).delete(a.collection, filter=a.filter, timeout=a.timeout)
                value = {"delete_count": r.get("delete_count") if isinstance(r, dict) else str(r)}
        elif a.step == "create-scratch":
            c = client(a.gateway, a.token, 60)
            if c.has_collection(a.collection):
                c.drop_collection(a.collection)
            s = c.create_schema(auto_id=False, enable_dynamic_field=False)
            s.add_field("id", DataType.INT64, is_primary=True)
            s.add_field("embedding", DataType.FLOAT_VECTOR, dim=4)
            c.create_collection(a.collection, schema=s)
            value = sorted(c.list_collections())
        else:
            c = client(a.gateway, a.token, a.timeout)
            c.drop_collection(a.collection, timeout=a.timeout)
            value = "dropped"
        print(json.dumps({"ok": True, "value": value}))
    except grpc.RpcError as e:
        print(json.dumps({"ok": False, "code": e.code().name, "error": e.details() or str(e)}))
    except Exception as e:  # noqa: BLE001 - pymilvus wraps gRPC errors; the test reads the message
        code = getattr(e, "code", None)
        print(json.dumps({"ok": False, "code": str(code() if callable(code) else code), "error": str(e)}))


if __name__ == "__main__":
    main()
