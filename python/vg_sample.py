"""The sample organisation's demo data: two collections of samples/org/data.json.

`docs` is multi-tenant (tenant field `tenant_id`); `customers` holds PII (email, phone, ssn) that
the sample policy masks for everyone outside `pii-readers`.
"""
from pymilvus import DataType, MilvusClient

DIM = 4

DOCS = [
    {"id": i, "tenant_id": "acme" if i % 2 == 0 else "globex",
     "title": f"{'acme' if i % 2 == 0 else 'globex'} report {i}",
     "embedding": [float(i), 1.0, 0.5, 0.25]}
    for i in range(1, 11)
]

CUSTOMERS = [
    {"id": 1, "name": "Ada Lovelace", "email": "ada@acme.example", "phone": "+44 20 7946 0001",
     "ssn": "123-45-6789", "embedding": [0.1, 0.2, 0.3, 0.4]},
    {"id": 2, "name": "Alan Turing", "email": "alan@acme.example", "phone": "+44 20 7946 0002",
     "ssn": "987-65-4321", "embedding": [0.2, 0.1, 0.4, 0.3]},
    {"id": 3, "name": "Grace Hopper", "email": "grace@globex.example", "phone": "+1 202 555 0143",
     "ssn": "555-12-3456", "embedding": [0.9, 0.8, 0.7, 0.6]},
]


def create_collections(client: MilvusClient) -> None:
    """Creates (or recreates) `docs` and `customers` with a FLAT index, loaded."""
    for name in ("docs", "customers"):
        if client.has_collection(name):
            client.drop_collection(name)

    docs = client.create_schema(auto_id=False, enable_dynamic_field=False)
    docs.add_field("id", DataType.INT64, is_primary=True)
    docs.add_field("tenant_id", DataType.VARCHAR, max_length=64)
    docs.add_field("title", DataType.VARCHAR, max_length=256)
    docs.add_field("embedding", DataType.FLOAT_VECTOR, dim=DIM)
    idx = client.prepare_index_params()
    idx.add_index("embedding", metric_type="L2", index_type="FLAT")
    client.create_collection("docs", schema=docs, index_params=idx)

    customers = client.create_schema(auto_id=False, enable_dynamic_field=False)
    customers.add_field("id", DataType.INT64, is_primary=True)
    customers.add_field("name", DataType.VARCHAR, max_length=128)
    customers.add_field("email", DataType.VARCHAR, max_length=128)
    customers.add_field("phone", DataType.VARCHAR, max_length=64)
    customers.add_field("ssn", DataType.VARCHAR, max_length=32)
    customers.add_field("embedding", DataType.FLOAT_VECTOR, dim=DIM)
    idx = client.prepare_index_params()
    idx.add_index("embedding", metric_type="L2", index_type="FLAT")
    client.create_collection("customers", schema=customers, index_params=idx)


def load_chroma(client) -> None:
    """Creates (or recreates) `docs` and `customers` in Chroma (a chromadb client) with the same rows:
    tenants and PII in metadata, embeddings given (the gateway computes none)."""
    for name in ("docs", "customers"):
        if name in [c.name for c in client.list_collections()]:
            client.delete_collection(name)
    docs = client.create_collection("docs")
    docs.add(ids=[str(d["id"]) for d in DOCS], embeddings=[d["embedding"] for d in DOCS],
             metadatas=[{"tenant_id": d["tenant_id"], "title": d["title"]} for d in DOCS],
             documents=[f"{d['title']} body" for d in DOCS])
    customers = client.create_collection("customers")
    customers.add(ids=[str(c["id"]) for c in CUSTOMERS], embeddings=[c["embedding"] for c in CUSTOMERS],
                  metadatas=[{k: c[k] for k in ("name", "email", "phone", "ssn")} for c in CUSTOMERS])


def load(client: MilvusClient) -> None:
    """Creates the collections and inserts the sample rows."""
    create_collections(client)
    client.insert("docs", DOCS)
    client.insert("customers", CUSTOMERS)
