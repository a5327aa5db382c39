package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyDeploy copies ../ (config, k8s, compose) into a temporary directory.
func copyDeploy(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	for _, sub := range []string{"config", "k8s", "compose"} {
		files, err := filepath.Glob(filepath.Join("..", sub, "*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no files in ../%s: %v", sub, err)
		}
		if err := os.MkdirAll(filepath.Join(dst, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, sub, filepath.Base(f)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}

func TestTheShippedDeployFolderIsConsistent(t *testing.T) {
	if ps := validate(".."); len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
}

func TestEachBreakageIsReported(t *testing.T) {
	cases := []struct{ file, from, to, want string }{
		{"k8s/deployment.yaml", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSecond: 30", "unknown field"},
		{"k8s/deployment.yaml", "containerPort: 19530", "containerPort: \"many\"", "deployment.yaml"},
		{"k8s/deployment.yaml", "path: /readyz", "path: /ready", "readinessProbe"},
		{"k8s/deployment.yaml", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 10", "terminationGracePeriodSeconds"},
		{"k8s/service.yaml", "targetPort: milvus-grpc", "targetPort: grpc", "targetPort grpc"},
		{"k8s/pdb.yaml", "minAvailable: 2", "minAvailable: 3", "minReplicas must exceed"},
		{"k8s/hpa.yaml", "name: vectorgate}", "name: other}", "hpa: scales"},
		{"k8s/secret.yaml", "VECTORGATE_PG_PASSWORD", "PG_PASSWORD", "secret: no VECTORGATE_PG_PASSWORD"},
		{"k8s/configmap.yaml", "drain_delay_ms: 10000", "drain_delay_ms: 1000", "configmap"},
		{"compose/compose.yaml", "VECTORGATE_MASK_KEY:", "MASK_KEY:", "lacks VECTORGATE_MASK_KEY"},
		{"compose/compose.yaml", "\n  oidc:\n", "\n  oauth:\n", "reaches `oidc`"},
		{"compose/haproxy.cfg", "server gw2 gateway-2:19530", "server gw2 gateway-3:19530", "gateway-3 is no compose service"},
		{"compose/haproxy.cfg", "check port 9191", "check port 9090", "health checks"},
		{"compose/haproxy.cfg", "check-proto h1 ", "", "check-proto h1"},
		{"config/gateway.yaml", "  connections:                       # the connections API", "  old_connections:                   # the connections API", "no admin.connections"},
		{"config/gateway.yaml", `store: {postgres: "jdbc:postgresql://postgres:5432/vectorgate", user: vectorgate, password: {env: VECTORGATE_PG_PASSWORD}}
    poll_interval_millis`, `store: {sqlite: /var/lib/vectorgate/connections.db}
    poll_interval_millis`, "admin.connections.store must be `postgres`"},
		{"compose/compose.yaml", "  gateway-2: *gateway\n", "  gateway-2:\n    <<: *gateway\n    environment: {VECTORGATE_MILVUS_CREDENTIAL: a, VECTORGATE_MASK_KEY: b, VECTORGATE_PG_PASSWORD: c}\n",
			"compose: gateway-2 has the upstream credentials [], gateway-1 has [VECTORGATE_UPSTREAM_CHROMA]"},
	}
	for _, c := range cases {
		dir := copyDeploy(t)
		p := filepath.Join(dir, c.file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), c.from) {
			t.Fatalf("%s has no %q", c.file, c.from)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), c.from, c.to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		ps := strings.Join(validate(dir), "\n")
		if !strings.Contains(ps, c.want) {
			t.Errorf("%s: %q -> %q: want a problem containing %q, got:\n%s", c.file, c.from, c.to, c.want, ps)
		}
	}
}

// A longer in-flight bound in the gateway's config (and its ConfigMap) needs a longer grace period.
func TestTheInFlightBoundCountsInTheGracePeriod(t *testing.T) {
	dir := copyDeploy(t)
	for _, f := range []string{"config/gateway.yaml", "k8s/configmap.yaml"} {
		p := filepath.Join(dir, f)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "in_flight_timeout_ms: 5000 ") {
			t.Fatalf("%s has no in_flight_timeout_ms: 5000", f)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), "in_flight_timeout_ms: 5000 ", "in_flight_timeout_ms: 20000", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ps := strings.Join(validate(dir), "\n")
	if !strings.Contains(ps, "terminationGracePeriodSeconds must be at least 38") {
		t.Errorf("want the grace period problem (3 + 10 + 20 + 5 = 38 s), got:\n%s", ps)
	}
}
