package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

type obj = map[string]any

type linter struct {
	file     string
	problems []string
}

func (l *linter) errf(format string, a ...any) {
	l.problems = append(l.problems, fmt.Sprintf("%s: %s", l.file, fmt.Sprintf(format, a...)))
}

func lint(args []string) error {
	fs := flag.NewFlagSet("lint", flag.ExitOnError)
	runbook := fs.String("runbook", "", "docs/runbook.md (anchors of runbook_url)")
	dashboard := fs.String("dashboard", "", "Grafana dashboard JSON")
	_ = fs.Parse(args)
	if *runbook == "" || fs.NArg() == 0 {
		return fmt.Errorf("lint needs --runbook and rendered manifests")
	}
	anchors, err := runbookAnchors(*runbook)
	if err != nil {
		return err
	}
	var problems []string
	checked := 0
	for _, file := range fs.Args() {
		docs, err := readYAMLDocs(file)
		if err != nil {
			return err
		}
		l := &linter{file: file}
		l.check(docs, anchors)
		problems = append(problems, l.problems...)
		checked += len(docs)
	}
	if *dashboard != "" {
		l := &linter{file: *dashboard}
		l.checkDashboard(*dashboard)
		problems = append(problems, l.problems...)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "  "+p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s)", len(problems))
	}
	fmt.Printf("lint: %d resources in %d file(s) OK\n", checked, fs.NArg())
	return nil
}

func (l *linter) check(docs []obj, anchors map[string]bool) {
	byKind := map[string][]obj{}
	for _, d := range docs {
		byKind[str(d, "kind")] = append(byKind[str(d, "kind")], d)
	}
	names := func(kind string) map[string]obj {
		m := map[string]obj{}
		for _, d := range byKind[kind] {
			m[str(d, "metadata", "name")] = d
		}
		return m
	}
	configMaps := names("ConfigMap")
	deployments := names("Deployment")

	hpaMin := map[string]int{}
	for _, h := range byKind["HorizontalPodAutoscaler"] {
		n := str(h, "metadata", "name")
		target := str(h, "spec", "scaleTargetRef", "name")
		if str(h, "spec", "scaleTargetRef", "kind") != "Deployment" || deployments[target] == nil {
			l.errf("HPA %s: scaleTargetRef %s is not a Deployment of this build", n, target)
		}
		minR, maxR := num(get(h, "spec", "minReplicas"), 1), num(get(h, "spec", "maxReplicas"), 0)
		if minR < 1 || minR > maxR {
			l.errf("HPA %s: minReplicas %d / maxReplicas %d", n, minR, maxR)
		}
		hpaMin[target] = minR
	}

	for _, d := range byKind["Deployment"] {
		n := str(d, "metadata", "name")
		if _, ok := hpaMin[n]; !ok {
			l.errf("Deployment %s: no HorizontalPodAutoscaler", n)
		} else if get(d, "spec", "replicas") != nil {
			l.errf("Deployment %s: spec.replicas is set although an HPA owns the count (every apply would reset it)", n)
		}
		pod, _ := get(d, "spec", "template", "spec").(obj)
		l.checkPod("Deployment "+n, pod, configMaps, true)
		if v := num(get(pod, "terminationGracePeriodSeconds"), 30); v < 30 {
			l.errf("Deployment %s: terminationGracePeriodSeconds %d < 30", n, v)
		}
		if mount, _ := get(pod, "automountServiceAccountToken").(bool); mount != (n == "retrain-trigger") {
			l.errf("Deployment %s: automountServiceAccountToken %v", n, mount)
		}
		if !selectedBy(d, byKind["NetworkPolicy"], "Ingress") || !selectedBy(d, byKind["NetworkPolicy"], "Egress") {
			l.errf("Deployment %s: pods not isolated by NetworkPolicies for both ingress and egress", n)
		}
	}

	for _, j := range byKind["Job"] {
		n := str(j, "metadata", "name")
		pod, _ := get(j, "spec", "template", "spec").(obj)
		l.checkPod("Job "+n, pod, configMaps, false)
		if str(j, "metadata", "annotations", "argocd.argoproj.io/hook") != "PreSync" {
			l.errf("Job %s: not an Argo CD PreSync hook", n)
		}
		env := map[string]string{}
		for _, c := range list(pod, "containers") {
			for _, e := range list(c, "env") {
				env[str(e, "name")] = str(e, "value")
			}
		}
		if env["MIGRATE_ONLY"] != "true" {
			l.errf("Job %s: MIGRATE_ONLY is not \"true\"", n)
		}
		for k, v := range env {
			if v == "from-labelloop-config" {
				l.errf("Job %s: env %s was not filled in from labelloop-config (is k8s/components/migration-env listed last?)", n, k)
			}
		}
	}

	for _, s := range byKind["Service"] {
		n := str(s, "metadata", "name")
		sel, _ := get(s, "spec", "selector").(obj)
		if matchingDeployments(sel, byKind["Deployment"]) != 1 {
			l.errf("Service %s: selector %v must select exactly one Deployment's pods", n, sel)
		}
	}

	for _, p := range byKind["PodDisruptionBudget"] {
		n := str(p, "metadata", "name")
		minA, hasMin := get(p, "spec", "minAvailable"), get(p, "spec", "minAvailable") != nil
		hasMax := get(p, "spec", "maxUnavailable") != nil
		if hasMin == hasMax {
			l.errf("PDB %s: set exactly one of minAvailable and maxUnavailable", n)
		}
		sel, _ := get(p, "spec", "selector", "matchLabels").(obj)
		if matchingDeployments(sel, byKind["Deployment"]) != 1 {
			l.errf("PDB %s: selector must select exactly one Deployment's pods", n)
		}
		if hasMin {
			if v, ok := minA.(float64); ok {
				if m, ok := hpaMin[n]; ok && m <= int(v) {
					l.errf("PDB %s: minAvailable %d with HPA minReplicas %d would block every node drain", n, int(v), m)
				}
			}
		}
	}

	for _, sm := range byKind["ServiceMonitor"] {
		sel, _ := get(sm, "spec", "selector", "matchLabels").(obj)
		count := 0
		for _, s := range byKind["Service"] {
			if subset(sel, get(s, "metadata", "labels")) {
				count++
			}
		}
		if count != len(byKind["Deployment"]) {
			l.errf("ServiceMonitor %s selects %d Services, want %d (one per stage)", str(sm, "metadata", "name"), count, len(byKind["Deployment"]))
		}
	}

	dns1123 := regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	for _, t := range byKind["KafkaTopic"] {
		n := str(t, "metadata", "name")
		if !dns1123.MatchString(n) || len(n) > 63 {
			l.errf("KafkaTopic %s: metadata.name is not a DNS-1123 label", n)
		}
		if str(t, "spec", "topicName") == "" {
			l.errf("KafkaTopic %s: spec.topicName missing", n)
		}
		if str(t, "metadata", "labels", "strimzi.io/cluster") == "" {
			l.errf("KafkaTopic %s: no strimzi.io/cluster label", n)
		}
		replicas := num(get(t, "spec", "replicas"), 0)
		minISR := num(get(t, "spec", "config", "min.insync.replicas"), 1)
		if replicas < minISR {
			l.errf("KafkaTopic %s: replicas %d < min.insync.replicas %d (every acks=all write would fail)", n, replicas, minISR)
		}
	}

	for _, r := range byKind["PrometheusRule"] {
		for _, g := range list(r, "spec", "groups") {
			for _, rule := range list(g, "rules") {
				name := str(rule, "alert")
				if name == "" {
					name = str(rule, "record")
				}
				l.checkExpr("rule "+name, str(rule, "expr"))
				if f := str(rule, "for"); f != "" {
					if _, err := model.ParseDuration(f); err != nil {
						l.errf("rule %s: for: %v", name, err)
					}
				}
				if str(rule, "alert") == "" {
					continue
				}
				if str(rule, "labels", "severity") == "" {
					l.errf("alert %s: no severity label", name)
				}
				url := str(rule, "annotations", "runbook_url")
				i := strings.Index(url, "docs/runbook.md#")
				if i < 0 {
					l.errf("alert %s: runbook_url %q does not point into docs/runbook.md", name, url)
				} else if a := url[i+len("docs/runbook.md#"):]; !anchors[a] {
					l.errf("alert %s: docs/runbook.md has no anchor %q", name, a)
				}
			}
		}
	}
}

// checkPod: security settings, resources, /tmp, probes (servers) and ConfigMap references.
func (l *linter) checkPod(what string, pod obj, configMaps map[string]obj, server bool) {
	if pod == nil {
		l.errf("%s: no pod spec", what)
		return
	}
	if get(pod, "securityContext", "runAsNonRoot") != true || num(get(pod, "securityContext", "runAsUser"), 0) != 10001 {
		l.errf("%s: pod must run as non-root uid 10001", what)
	}
	if str(pod, "securityContext", "seccompProfile", "type") != "RuntimeDefault" {
		l.errf("%s: seccompProfile must be RuntimeDefault", what)
	}
	emptyDirs := map[string]bool{}
	for _, v := range list(pod, "volumes") {
		if get(v, "emptyDir") != nil {
			emptyDirs[str(v, "name")] = true
		}
	}
	for _, c := range list(pod, "containers") {
		cn := what + " container " + str(c, "name")
		sc, _ := get(c, "securityContext").(obj)
		if get(sc, "allowPrivilegeEscalation") != false || get(sc, "readOnlyRootFilesystem") != true {
			l.errf("%s: needs allowPrivilegeEscalation false and readOnlyRootFilesystem true", cn)
		}
		drop, _ := get(sc, "capabilities", "drop").([]any)
		if len(drop) != 1 || drop[0] != "ALL" {
			l.errf("%s: capabilities must drop ALL", cn)
		}
		for _, k := range []string{"requests", "limits"} {
			for _, r := range []string{"cpu", "memory"} {
				if get(c, "resources", k, r) == nil {
					l.errf("%s: resources.%s.%s missing", cn, k, r)
				}
			}
		}
		tmp := false
		for _, m := range list(c, "volumeMounts") {
			if str(m, "mountPath") == "/tmp" && emptyDirs[str(m, "name")] {
				tmp = true
			}
		}
		if !tmp {
			l.errf("%s: no emptyDir at /tmp (the root filesystem is read-only)", cn)
		}
		if server {
			for probe, path := range map[string]string{"startupProbe": "/healthz", "livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
				port := fmt.Sprint(get(c, probe, "httpGet", "port"))
				if str(c, probe, "httpGet", "path") != path || (port != "http" && port != "8080") {
					l.errf("%s: %s must be an HTTP GET of %s on port 8080", cn, probe, path)
				}
			}
		}
		for _, e := range list(c, "envFrom") {
			if n := str(e, "configMapRef", "name"); n != "" && configMaps[n] == nil {
				l.errf("%s: envFrom ConfigMap %s is not in this build", cn, n)
			}
		}
		for _, e := range list(c, "env") {
			if n := str(e, "valueFrom", "configMapKeyRef", "name"); n != "" && configMaps[n] == nil {
				l.errf("%s: env %s: ConfigMap %s is not in this build", cn, str(e, "name"), n)
			}
		}
	}
}

func (l *linter) checkExpr(what, expr string) {
	if strings.TrimSpace(expr) == "" {
		l.errf("%s: empty expression", what)
		return
	}
	if _, err := parser.ParseExpr(expr); err != nil {
		l.errf("%s: PromQL: %v", what, err)
	}
}

var grafanaVar = regexp.MustCompile(`\$\{?[A-Za-z_][A-Za-z0-9_]*(:[A-Za-z]+)?\}?`)

func (l *linter) checkDashboard(file string) {
	raw, err := os.ReadFile(file)
	if err != nil {
		l.errf("%v", err)
		return
	}
	var d obj
	if err := json.Unmarshal(raw, &d); err != nil {
		l.errf("not valid JSON: %v", err)
		return
	}
	if str(d, "uid") == "" || str(d, "title") == "" {
		l.errf("dashboard needs uid and title")
	}
	n := 0
	var panels func([]any)
	panels = func(ps []any) {
		for _, p := range ps {
			title := str(p, "title")
			for _, t := range list(p, "targets") {
				expr := str(t, "expr")
				// Grafana's interval variables become a duration, the others a plain value.
				expr = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h").Replace(expr)
				expr = grafanaVar.ReplaceAllString(expr, "x")
				l.checkExpr(fmt.Sprintf("panel %q", title), expr)
				n++
			}
			if sub, ok := get(p, "panels").([]any); ok {
				panels(sub)
			}
		}
	}
	ps, _ := d["panels"].([]any)
	panels(ps)
	if n == 0 {
		l.errf("dashboard has no queries")
	}
}

// runbookAnchors: explicit <a id|name="..."> anchors and GitHub-style heading slugs.
func runbookAnchors(file string) (map[string]bool, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	anchors := map[string]bool{}
	for _, m := range regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`).FindAllStringSubmatch(string(raw), -1) {
		anchors[m[1]] = true
	}
	drop := regexp.MustCompile(`[^\p{L}\p{N} _-]`)
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "#") {
			h := strings.TrimSpace(strings.TrimLeft(line, "#"))
			anchors[strings.ReplaceAll(drop.ReplaceAllString(strings.ToLower(h), ""), " ", "-")] = true
		}
	}
	return anchors, nil
}

func selectedBy(d obj, policies []obj, policyType string) bool {
	labels := get(d, "spec", "template", "metadata", "labels")
	for _, p := range policies {
		sel, _ := get(p, "spec", "podSelector", "matchLabels").(obj)
		if !subset(sel, labels) {
			continue
		}
		for _, t := range strList(p, "spec", "policyTypes") {
			if t == policyType {
				return true
			}
		}
	}
	return false
}

func matchingDeployments(sel obj, deployments []obj) int {
	if len(sel) == 0 {
		return 0
	}
	n := 0
	for _, d := range deployments {
		if subset(sel, get(d, "spec", "template", "metadata", "labels")) {
			n++
		}
	}
	return n
}

func subset(sel obj, labels any) bool {
	m, _ := labels.(obj)
	for k, v := range sel {
		if m[k] != v {
			return false
		}
	}
	return true
}

func list(v any, path ...string) []obj {
	l, _ := get(v, path...).([]any)
	out := make([]obj, 0, len(l))
	for _, e := range l {
		if m, ok := e.(obj); ok {
			out = append(out, m)
		}
	}
	return out
}

func strList(v any, path ...string) []string {
	l, _ := get(v, path...).([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func num(v any, def int) int {
	switch t := v.(type) {
	case float64:
		return int(t)
	case int:
		return t
	case int64:
		return int(t)
	}
	return def
}
