#!/usr/bin/env bash
# Inspects the OCI image tarball that `mvn -pl proxy -am package -Pimage` writes (proxy/target/jib-image.tar):
# digests match, the entrypoint runs GatewayMain with the config path the manifests mount, the ports are the
# gateway's and the health listener's, it runs as a non-root user, and the layers carry the gateway's jars,
# the shipped Rego library, the organisation data and an executable opa. Python 3 standard library only.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 <image.tar>" >&2; exit 2; }
exec python3 - "$1" <<'PY'
import hashlib, io, json, sys, tarfile

path = sys.argv[1]
problems = []
with tarfile.open(path) as t:
    def blob(digest):
        data = t.extractfile("blobs/sha256/" + digest.split(":", 1)[1]).read()
        if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
            problems.append(f"blob {digest}: content does not match its digest")
        return data
    index = json.loads(t.extractfile("index.json").read())
    [desc] = index["manifests"]
    manifest = json.loads(blob(desc["digest"]))
    config = json.loads(blob(manifest["config"]["digest"]))["config"]
    files = {}
    for layer in manifest["layers"]:
        with tarfile.open(fileobj=io.BytesIO(blob(layer["digest"]))) as lt:
            for m in lt.getmembers():
                files["/" + m.name.lstrip("./")] = m

cmd = (config.get("Entrypoint") or []) + (config.get("Cmd") or [])
if "io.vectorgate.proxy.GatewayMain" not in cmd or cmd[-2:] != ["--config", "/etc/vectorgate/gateway.yaml"]:
    problems.append(f"entrypoint+cmd {cmd} do not run GatewayMain --config /etc/vectorgate/gateway.yaml")
if set(config.get("ExposedPorts", {})) != {"19530/tcp", "9191/tcp"}:
    problems.append(f"exposed ports {sorted(config.get('ExposedPorts', {}))}, want 19530/tcp and 9191/tcp")
if config.get("User", "root").split(":")[0] in ("", "0", "root"):
    problems.append(f"runs as `{config.get('User')}`; want a non-root user")
if "VECTORGATE_OPA=/opt/vectorgate/bin/opa" not in config.get("Env", []):
    problems.append("VECTORGATE_OPA is not /opt/vectorgate/bin/opa")
opa = files.get("/opt/vectorgate/bin/opa")
if opa is None or not opa.mode & 0o111:
    problems.append("no executable /opt/vectorgate/bin/opa")
if not any(f.startswith("/opt/vectorgate/rego/") and f.endswith(".rego") for f in files):
    problems.append("no Rego library under /opt/vectorgate/rego")
if "/opt/vectorgate/data/data.json" not in files:
    problems.append("no /opt/vectorgate/data/data.json")
if not any("/app/classes/io/vectorgate/proxy/GatewayMain.class" == f for f in files):
    problems.append("no GatewayMain class in /app/classes")
for jar in ("vectorgate-engine", "vectorgate-approvals", "vectorgate-recorder", "postgresql"):
    if not any(f.startswith("/app/libs/" + jar) and f.endswith(".jar") for f in files):
        problems.append(f"no {jar} jar in /app/libs")
if problems:
    for p in problems:
        print("image: " + p, file=sys.stderr)
    sys.exit(1)
print(f"image: {desc['annotations'].get('org.opencontainers.image.ref.name')} ok: {len(manifest['layers'])} layers,"
      f" {len(files)} files, entrypoint {cmd[0]} … {' '.join(cmd[-3:])}")
PY
