// Command k8scheck is the offline helper of scripts/k8s-check.sh:
//
//	k8scheck k8s-schemas --wheel kubernetes_validate-*.whl --version 1.30.0 --out DIR
//	    Kubernetes JSON schemas (strict: unknown fields rejected) from the kubernetes-validate
//	    wheel (PyPI), made loadable by kubeconform from disk: DIR/v1.30.0/<kind>-<group>-<version>.json
//	k8scheck crd-schemas --out DIR --k8s DIR/v1.30.0 CRD.yaml...
//	    JSON schemas from CustomResourceDefinitions, the way kubeconform's openapi2jsonschema
//	    does it (strict), plus metadata validated as ObjectMeta: DIR/<group>/<kind>_<version>.json
//	k8scheck lint --runbook docs/runbook.md --dashboard DASHBOARD.json RENDERED.yaml...
//	    Checks a schema cannot express: PromQL of alerts, recording rules and dashboard panels
//	    parses; every alert links an existing runbook anchor; probes and security settings on
//	    every pod; PDB/HPA consistency; Services and the ServiceMonitor select the right pods;
//	    referenced ConfigMaps exist; KafkaTopic names are DNS-1123 labels.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "k8s-schemas":
		err = k8sSchemas(os.Args[2:])
	case "crd-schemas":
		err = crdSchemas(os.Args[2:])
	case "lint":
		err = lint(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8scheck:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: k8scheck k8s-schemas|crd-schemas|lint [flags] [files]")
	os.Exit(2)
}
