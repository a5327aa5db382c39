"""Prints the fields of Qdrant request schemas as the installed qdrant-client generates them from Qdrant's OpenAPI spec.

Used by io.vectorgate.proxy.adapter.qdrant.QdrantSpecFieldsTest:

  python qdrant_schema_fields.py QueryRequest ScrollRequest ...

Prints one JSON object {schema: [field, ...]}; a name the models do not define maps to null.
"""
import json
import sys

from qdrant_client.http import models


def fields(name):
    m = getattr(models, name, None)
    if m is None or not hasattr(m, "model_fields"):
        return None
    return sorted(f.alias or n for n, f in m.model_fields.items())


print(json.dumps({n: fields(n) for n in sys.argv[1:]}))
