"""Loads the sample organisation's demo data (python/vg_sample.py) into a Milvus server.

  python load_sample.py --uri http://127.0.0.1:19531 [--token TOKEN] [--chroma 127.0.0.1:8001]

The demo runs it straight against Milvus Lite as the operator's setup step; tests run it through
the gateway with an admin's token.
"""
import argparse

from pymilvus import MilvusClient

import vg_sample


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token", default="root:Milvus")
    ap.add_argument("--chroma", help="also load Chroma at host:port (directly, as the operator)")
    args = ap.parse_args()
    client = MilvusClient(uri=args.uri, token=args.token, timeout=30)
    vg_sample.load(client)
    print(f"loaded {len(vg_sample.DOCS)} docs and {len(vg_sample.CUSTOMERS)} customers into {args.uri}")
    if args.chroma:
        import chromadb
        from chromadb.config import Settings
        host, port = args.chroma.rsplit(":", 1)
        vg_sample.load_chroma(chromadb.HttpClient(host=host, port=int(port),
                                                  settings=Settings(anonymized_telemetry=False)))
        print(f"loaded {len(vg_sample.DOCS)} docs and {len(vg_sample.CUSTOMERS)} customers into Chroma at {args.chroma}")


if __name__ == "__main__":
    main()
