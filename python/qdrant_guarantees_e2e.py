"""Response guarantees through the Vectorgate HTTP gateway with the unmodified qdrant-client (REST mode).

Run by io.vectorgate.proxy.e2e.QdrantGuaranteesE2ETest against the spec-written fake Qdrant
(proxy/src/test/.../fakes/QdrantFake; no Qdrant server runs here):

  python qdrant_guarantees_e2e.py --gateway 127.0.0.1:P --tokens tokens.json

tokens.json maps "analyst" (bob: vectors stripped, results capped at 100) to an access token. The
analyst asks `kb_big` (300 points in 30 groups of 10) for groups with vectors: 50 groups of 10 is
within the cap per field (limit, group_size) but 500 points in all. Prints one JSON object.
"""
import argparse
import json

from qdrant_client import QdrantClient


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--tokens", required=True)
    a = ap.parse_args()
    tokens = json.load(open(a.tokens))
    host, port = a.gateway.rsplit(":", 1)
    bob = QdrantClient(host=host, port=int(port), https=False, api_key=tokens["analyst"], prefer_grpc=False,
                       check_compatibility=False, timeout=30)
    r = {}
    g = bob.query_points_groups("kb_big", query=[1.0, 0.5, 0.25, 0.125], group_by="grp", limit=50, group_size=10,
                                with_vectors=True, with_payload=True)
    r["groups"] = len(g.groups)
    r["points"] = sum(len(x.hits) for x in g.groups)
    r["vectors"] = sum(1 for x in g.groups for h in x.hits if h.vector is not None)
    q = bob.query_points("kb_big", query=[1.0, 0.5, 0.25, 0.125], limit=100, with_vectors=True)
    r["query_points"] = len(q.points)
    r["query_vectors"] = sum(1 for p in q.points if p.vector is not None)
    print(json.dumps(r))


if __name__ == "__main__":
    main()
