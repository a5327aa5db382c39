// Command validate checks deploy/ as far as a machine without a cluster or a container runtime allows:
// every Kubernetes manifest decodes strictly (unknown or mistyped fields fail) into the k8s.io/api
// types of its kind, the objects agree with each other and with deploy/config/gateway.yaml (labels,
// ports, probes, drain budget, secrets), and the Compose file and haproxy.cfg agree with the same
// config (services, ports, environment). Usage: validate <deploy dir>. Exit 1 with every problem listed.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

var problems []string

func fail(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// gatewayConfig is the part of gateway.yaml the deployment depends on.
type gatewayConfig struct {
	Listeners []struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	} `json:"listeners"`
	Connections []struct {
		Upstream string `json:"upstream"`
	} `json:"connections"`
	Identity struct {
		Issuer string `json:"issuer"`
	} `json:"identity"`
	Admin struct {
		Connections *struct {
			Store *struct {
				Postgres string `json:"postgres"`
				Sqlite   string `json:"sqlite"`
			} `json:"store"`
			// nil: the gateway's default, [VECTORGATE_UPSTREAM_]
			SecretEnvPrefixes []string `json:"secret_env_prefixes"`
		} `json:"connections"`
	} `json:"admin"`
	Health *struct {
		Address      string `json:"address"`
		DrainDelayMs int64  `json:"drain_delay_ms"`
		// nil: the gateway's default, 5000
		InFlightTimeoutMs *int64 `json:"in_flight_timeout_ms"`
	} `json:"health"`
}

var envRef = regexp.MustCompile(`\{env: *([A-Z0-9_]+)\}`)

func port(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }

func host(addr string) string {
	a := strings.TrimPrefix(strings.TrimPrefix(addr, "http://"), "jdbc:postgresql://")
	if i := strings.IndexAny(a, ":/"); i >= 0 {
		return a[:i]
	}
	return a
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: validate <deploy dir>")
		os.Exit(2)
	}
	if ps := validate(os.Args[1]); len(ps) > 0 {
		for _, p := range ps {
			fmt.Fprintln(os.Stderr, "deploy: "+p)
		}
		os.Exit(1)
	}
	fmt.Println("deploy: manifests, compose file and haproxy.cfg are consistent")
}

// validate returns every problem found under dir (the deploy folder).
func validate(dir string) []string {
	problems = nil
	cfgText, err := os.ReadFile(filepath.Join(dir, "config/gateway.yaml"))
	if err != nil {
		return []string{err.Error()}
	}
	var cfg gatewayConfig
	if err := yaml.Unmarshal(cfgText, &cfg); err != nil {
		return []string{fmt.Sprintf("config/gateway.yaml: %v", err)}
	}
	if cfg.Health == nil || len(cfg.Listeners) == 0 {
		return []string{"config/gateway.yaml: a deployment needs listeners and a `health:` section (probes)"}
	}
	envs := map[string]bool{}
	for _, m := range envRef.FindAllStringSubmatch(string(cfgText), -1) {
		envs[m[1]] = true
	}
	upstreamHosts := map[string]bool{host(cfg.Identity.Issuer): true, "postgres": true}
	for _, c := range cfg.Connections {
		upstreamHosts[host(c.Upstream)] = true
	}
	if checkConnectionsAPI(cfg) {
		upstreamHosts[host(cfg.Admin.Connections.Store.Postgres)] = true
	}
	checkKubernetes(filepath.Join(dir, "k8s"), cfgText, cfg, envs)
	checkCompose(filepath.Join(dir, "compose"), cfg, envs, upstreamHosts)
	return problems
}

// checkConnectionsAPI: several replicas must share the connections API's store, or a connection put
// through one replica would exist on that replica alone. Reports whether the store is PostgreSQL.
func checkConnectionsAPI(cfg gatewayConfig) bool {
	c := cfg.Admin.Connections
	switch {
	case c == nil:
		fail("config/gateway.yaml: no admin.connections: the replicas need the connections API on their shared PostgreSQL (docs/operations.md, \"Connections API\")")
	case c.Store == nil || c.Store.Postgres == "":
		fail("config/gateway.yaml: admin.connections.store must be `postgres`: with sqlite or no store each replica keeps its own connections")
	default:
		return true
	}
	return false
}

// secretPrefixes: the environment variables an API-written connection may reference.
func secretPrefixes(cfg gatewayConfig) []string {
	if cfg.Admin.Connections == nil || cfg.Admin.Connections.SecretEnvPrefixes == nil {
		return []string{"VECTORGATE_UPSTREAM_"}
	}
	return cfg.Admin.Connections.SecretEnvPrefixes
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func strict(file string, doc []byte, into any) bool {
	if err := yaml.UnmarshalStrict(doc, into); err != nil {
		fail("%s: %v", file, err)
		return false
	}
	return true
}

func checkKubernetes(dir string, cfgText []byte, cfg gatewayConfig, envs map[string]bool) {
	var deploy *appsv1.Deployment
	var svc *corev1.Service
	var pdb *policyv1.PodDisruptionBudget
	var hpa *autoscalingv2.HorizontalPodAutoscaler
	var cm *corev1.ConfigMap
	var secret *corev1.Secret
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	sort.Strings(files)
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		text, _ := os.ReadFile(f)
		for i, doc := range bytes.Split(text, []byte("\n---")) {
			name := fmt.Sprintf("%s#%d", filepath.Base(f), i+1)
			var tm typeMeta
			if err := yaml.Unmarshal(doc, &tm); err != nil || tm.Kind == "" {
				fail("%s: no kind (%v)", name, err)
				continue
			}
			want := map[string]string{"Deployment": "apps/v1", "Service": "v1", "ConfigMap": "v1", "Secret": "v1",
				"PodDisruptionBudget": "policy/v1", "HorizontalPodAutoscaler": "autoscaling/v2"}[tm.Kind]
			if want == "" || tm.APIVersion != want {
				fail("%s: unexpected %s %s (want one of the six kinds at their GA versions)", name, tm.APIVersion, tm.Kind)
				continue
			}
			switch tm.Kind {
			case "Deployment":
				deploy = &appsv1.Deployment{}
				strict(name, doc, deploy)
			case "Service":
				svc = &corev1.Service{}
				strict(name, doc, svc)
			case "PodDisruptionBudget":
				pdb = &policyv1.PodDisruptionBudget{}
				strict(name, doc, pdb)
			case "HorizontalPodAutoscaler":
				hpa = &autoscalingv2.HorizontalPodAutoscaler{}
				strict(name, doc, hpa)
			case "ConfigMap":
				cm = &corev1.ConfigMap{}
				strict(name, doc, cm)
			case "Secret":
				secret = &corev1.Secret{}
				strict(name, doc, secret)
			}
		}
	}
	if deploy == nil || svc == nil || pdb == nil || hpa == nil || cm == nil || secret == nil {
		fail("k8s: need a Deployment, Service, PodDisruptionBudget, HorizontalPodAutoscaler, ConfigMap and Secret")
		return
	}
	podLabels := deploy.Spec.Template.Labels
	matches := func(sel map[string]string, what string) {
		if len(sel) == 0 {
			fail("k8s: %s has an empty selector", what)
		}
		for k, v := range sel {
			if podLabels[k] != v {
				fail("k8s: %s selects %s=%s, which the pod template does not carry", what, k, v)
			}
		}
	}
	if deploy.Spec.Selector == nil {
		fail("deployment: no selector")
	} else {
		matches(deploy.Spec.Selector.MatchLabels, "the Deployment")
	}
	matches(svc.Spec.Selector, "the Service")
	if pdb.Spec.Selector == nil {
		fail("pdb: no selector")
	} else {
		matches(pdb.Spec.Selector.MatchLabels, "the PodDisruptionBudget")
	}
	if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != deploy.Name {
		fail("hpa: scales %s/%s, not the Deployment %s", hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name, deploy.Name)
	}
	if hpa.Spec.MinReplicas == nil || pdb.Spec.MinAvailable == nil || int(*hpa.Spec.MinReplicas) <= pdb.Spec.MinAvailable.IntValue() {
		fail("pdb/hpa: minReplicas must exceed the PDB's minAvailable, or no pod can ever be evicted")
	}
	if len(deploy.Spec.Template.Spec.Containers) != 1 {
		fail("deployment: expected one container")
		return
	}
	c := deploy.Spec.Template.Spec.Containers[0]
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	for _, l := range cfg.Listeners {
		found := false
		for _, p := range ports {
			if fmt.Sprint(p) == port(l.Address) {
				found = true
			}
		}
		if !found {
			fail("deployment: listener %s (%s) has no containerPort", l.Name, l.Address)
		}
	}
	if fmt.Sprint(ports["health"]) != port(cfg.Health.Address) {
		fail("deployment: containerPort `health` %d is not health.address %s", ports["health"], cfg.Health.Address)
	}
	probe := func(p *corev1.Probe, path, what string) {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "health" {
			fail("deployment: %s must be httpGet %s on port `health`", what, path)
		}
	}
	probe(c.ReadinessProbe, "/readyz", "readinessProbe")
	probe(c.LivenessProbe, "/livez", "livenessProbe")
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		fail("deployment: no preStop hook")
	}
	if c.ReadinessProbe != nil {
		seen := int64(c.ReadinessProbe.PeriodSeconds*c.ReadinessProbe.FailureThreshold) * 1000
		if cfg.Health.DrainDelayMs <= seen {
			fail("health.drain_delay_ms %d must exceed readiness periodSeconds × failureThreshold (%d ms)", cfg.Health.DrainDelayMs, seen)
		}
	}
	grace := deploy.Spec.Template.Spec.TerminationGracePeriodSeconds
	preStop := int64(0)
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
		preStop = c.Lifecycle.PreStop.Sleep.Seconds
	}
	// drain delay + listener in-flight bound (health.in_flight_timeout_ms, default 5 s) + preStop,
	// with 5 s for the recorder and stores
	inFlight := int64(5000)
	if cfg.Health.InFlightTimeoutMs != nil {
		inFlight = *cfg.Health.InFlightTimeoutMs
	}
	if need := preStop + (cfg.Health.DrainDelayMs+inFlight+999)/1000 + 5; grace == nil || *grace < need {
		fail("deployment: terminationGracePeriodSeconds must be at least %d (preStop + drain delay + listener bound + flush)", need)
	}
	for _, p := range svc.Spec.Ports {
		if _, ok := ports[p.TargetPort.String()]; !ok {
			fail("service: targetPort %s is no container port name", p.TargetPort.String())
		}
	}
	if string(cfgText) != cm.Data["gateway.yaml"] {
		fail("configmap: data gateway.yaml differs from config/gateway.yaml")
	}
	mounted := false
	for _, v := range deploy.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil && v.ConfigMap.Name == cm.Name {
			mounted = true
		}
	}
	if !mounted {
		fail("deployment: ConfigMap %s is not mounted", cm.Name)
	}
	fromSecret := false
	for _, e := range c.EnvFrom {
		if e.SecretRef != nil && e.SecretRef.Name == secret.Name {
			fromSecret = true
		}
	}
	if !fromSecret {
		fail("deployment: Secret %s is not in envFrom", secret.Name)
	}
	for e := range envs {
		if _, ok := secret.StringData[e]; !ok {
			if _, ok := secret.Data[e]; !ok {
				fail("secret: no %s, which gateway.yaml reads with {env: %s}", e, e)
			}
		}
	}
}

type composeFile struct {
	Services map[string]struct {
		Image       string            `json:"image"`
		Environment map[string]string `json:"environment"`
		Volumes     []string          `json:"volumes"`
		Expose      []string          `json:"expose"`
		Ports       []string          `json:"ports"`
	} `json:"services"`
}

func checkCompose(dir string, cfg gatewayConfig, envs map[string]bool, upstreamHosts map[string]bool) {
	text, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		fail("compose: %v", err)
		return
	}
	var cf composeFile
	if err := yaml.Unmarshal(text, &cf); err != nil { // sigs.k8s.io/yaml resolves the anchors and merge keys
		fail("compose.yaml: %v", err)
		return
	}
	for h := range upstreamHosts {
		if _, ok := cf.Services[h]; !ok {
			fail("compose: gateway.yaml reaches `%s`, which is no service", h)
		}
	}
	gateways := []string{}
	// the credentials API-written connections may reference, per gateway: a PUT accepted by one
	// gateway must be readable on every other, or those refuse the connection
	upstreamSecrets := map[string]string{}
	for name, s := range cf.Services {
		if !strings.HasPrefix(name, "gateway-") {
			continue
		}
		gateways = append(gateways, name)
		keys := []string{}
		for e := range s.Environment {
			if hasPrefix(e, secretPrefixes(cfg)) {
				keys = append(keys, e)
			}
		}
		sort.Strings(keys)
		upstreamSecrets[name] = strings.Join(keys, ",")
		for e := range envs {
			if _, ok := s.Environment[e]; !ok {
				fail("compose: %s lacks %s, which gateway.yaml reads with {env: %s}", name, e, e)
			}
		}
		mounted := false
		for _, v := range s.Volumes {
			if strings.HasPrefix(v, "../config/gateway.yaml:/etc/vectorgate/gateway.yaml") {
				mounted = true
			}
		}
		if !mounted {
			fail("compose: %s does not mount config/gateway.yaml at /etc/vectorgate/gateway.yaml", name)
		}
		for _, want := range []string{port(cfg.Listeners[0].Address), port(cfg.Health.Address)} {
			found := false
			for _, e := range s.Expose {
				found = found || e == want
			}
			if !found {
				fail("compose: %s does not expose %s", name, want)
			}
		}
	}
	if len(gateways) < 2 {
		fail("compose: want at least two gateway-N services, have %v", gateways)
	}
	sort.Strings(gateways)
	for _, g := range gateways {
		if upstreamSecrets[g] != upstreamSecrets[gateways[0]] {
			fail("compose: %s has the upstream credentials [%s], %s has [%s]: a connection put through the API must be readable on every gateway (admin.connections.secret_env_prefixes %v)",
				g, upstreamSecrets[g], gateways[0], upstreamSecrets[gateways[0]], secretPrefixes(cfg))
		}
	}
	hc, err := os.ReadFile(filepath.Join(dir, "haproxy.cfg"))
	if err != nil {
		fail("haproxy.cfg: %v", err)
		return
	}
	servers := regexp.MustCompile(`(?m)^\s*server\s+\S+\s+([a-z0-9-]+):(\d+)`).FindAllStringSubmatch(string(hc), -1)
	backends := map[string]bool{}
	for _, s := range servers {
		backends[s[1]] = true
		if _, ok := cf.Services[s[1]]; !ok {
			fail("haproxy.cfg: server %s is no compose service", s[1])
		}
		if s[2] != port(cfg.Listeners[0].Address) {
			fail("haproxy.cfg: server %s:%s is not the listener port %s", s[1], s[2], port(cfg.Listeners[0].Address))
		}
	}
	for _, g := range gateways {
		if !backends[g] {
			fail("haproxy.cfg: gateway %s is not a backend server", g)
		}
	}
	if !regexp.MustCompile(`check port `+port(cfg.Health.Address)+`\b`).Match(hc) ||
		!strings.Contains(string(hc), "option httpchk GET /readyz") {
		fail("haproxy.cfg: health checks must be GET /readyz on port %s", port(cfg.Health.Address))
	}
	if !strings.Contains(string(hc), "proto h2") {
		fail("haproxy.cfg: the gRPC frontend and servers need `proto h2`")
	}
	// health checks inherit the server's `proto h2` unless told otherwise; /readyz speaks HTTP/1.1
	// only, so every server would be marked down (found by the scale-out suite, ScaleOutIT)
	if !regexp.MustCompile(`check-proto h1\b`).Match(hc) {
		fail("haproxy.cfg: the health checks need `check-proto h1` (the health listener speaks HTTP/1.1, the servers `proto h2`)")
	}
}
