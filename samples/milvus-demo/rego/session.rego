# Milvus client handshakes (a contributor to the vectorgate decision table)
# pymilvus and the Milvus Java SDK send Connect (and GetVersion / CheckHealth) before any other
# call. The adapter classifies them as `describe` without a collection; they name no collection
# and return no data, so every verified identity may make them. Every deny still applies.
package vectorgate

import rego.v1

milvus_session_rpcs := {
	"/milvus.proto.milvus.MilvusService/Connect",
	"/milvus.proto.milvus.MilvusService/GetVersion",
	"/milvus.proto.milvus.MilvusService/CheckHealth",
}

allow contains {"code": "client_handshake", "message": msg} if {
	input.operation.action == "describe"
	milvus_session_rpcs[input.operation.protocol.rpc]
	object.get(input.operation, ["resource", "collection"], null) == null
	msg := concat("", ["client handshake ", input.operation.protocol.rpc, " by a verified identity"])
}

# pymilvus calls AllocTimestamp (classified `admin`, no collection) while it waits for an index
# build (create_collection, create_index); it only returns a timestamp, so any verified identity may.
allow contains {"code": "client_timestamp", "message": "AllocTimestamp by a verified identity (pymilvus waits for an index build)"} if {
	input.operation.action == "admin"
	input.operation.protocol.rpc == "/milvus.proto.milvus.MilvusService/AllocTimestamp"
	object.get(input.operation, ["resource", "collection"], null) == null
}
