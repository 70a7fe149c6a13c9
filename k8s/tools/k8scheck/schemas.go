package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// k8sSchemas extracts one Kubernetes version's strict schemas from the kubernetes-validate wheel.
// Its files refer to shared definitions as "/api/_definitions.json#/$defs/X" relative to
// "$id": "https://kubernetes.io/api/...", which kubeconform would try to download. Dropping the
// $ids and making the references relative ("_definitions.json#/$defs/X") lets kubeconform
// resolve them next to the file, offline.
func k8sSchemas(args []string) error {
	fs := flag.NewFlagSet("k8s-schemas", flag.ExitOnError)
	wheel := fs.String("wheel", "", "kubernetes_validate wheel")
	version := fs.String("version", "", "Kubernetes version, e.g. 1.30.0")
	out := fs.String("out", "", "output directory")
	_ = fs.Parse(args)
	if *wheel == "" || *version == "" || *out == "" {
		return fmt.Errorf("k8s-schemas needs --wheel, --version and --out")
	}
	v := "v" + strings.TrimPrefix(*version, "v")
	prefix := "kubernetes_validate/kubernetes-json-schema/" + v + "-local-strict/"
	zr, err := zip.OpenReader(*wheel)
	if err != nil {
		return err
	}
	defer zr.Close()
	dir := filepath.Join(*out, v)
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	n := 0
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, prefix) || !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		raw, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		if m, ok := doc.(map[string]any); ok {
			delete(m, "$id")
		}
		walk(doc, func(m map[string]any) {
			if ref, ok := m["$ref"].(string); ok && strings.HasPrefix(ref, "/api/_definitions.json#") {
				m["$ref"] = strings.TrimPrefix(ref, "/api/")
			}
		})
		if err := writeJSON(filepath.Join(tmp, strings.TrimPrefix(f.Name, prefix)), doc); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("no schemas for %s in %s (versions in the wheel: see %s)", v, *wheel, "kubernetes_validate/kubernetes-json-schema/")
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	fmt.Printf("k8s-schemas: %d schemas for Kubernetes %s in %s\n", n, v, dir)
	return nil
}

// crdSchemas converts CRDs to strict JSON schemas in kubeconform's layout.
func crdSchemas(args []string) error {
	fs := flag.NewFlagSet("crd-schemas", flag.ExitOnError)
	out := fs.String("out", "", "output directory")
	k8sDir := fs.String("k8s", "", "directory written by k8s-schemas (for ObjectMeta)")
	_ = fs.Parse(args)
	if *out == "" || *k8sDir == "" || fs.NArg() == 0 {
		return fmt.Errorf("crd-schemas needs --out, --k8s and CRD files")
	}
	objectMeta, err := objectMetaSchema(*k8sDir)
	if err != nil {
		return err
	}
	n := 0
	for _, file := range fs.Args() {
		docs, err := readYAMLDocs(file)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if str(d, "kind") != "CustomResourceDefinition" {
				continue
			}
			group := str(d, "spec", "group")
			kind := strings.ToLower(str(d, "spec", "names", "kind"))
			versions, _ := get(d, "spec", "versions").([]any)
			for _, vv := range versions {
				v, _ := vv.(map[string]any)
				schema, ok := get(v, "schema", "openAPIV3Schema").(map[string]any)
				if !ok || group == "" || kind == "" {
					continue
				}
				s := strictSchema(schema)
				props, _ := s["properties"].(map[string]any)
				if props == nil {
					props = map[string]any{}
					s["properties"] = props
				}
				// CRDs declare metadata as a bare object; validate it as ObjectMeta instead
				// (a misspelt `labels:` would otherwise pass).
				props["metadata"] = map[string]any{"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
				s["definitions"] = objectMeta
				name := fmt.Sprintf("%s_%s.json", kind, str(v, "name"))
				if err := writeJSON(filepath.Join(*out, group, name), s); err != nil {
					return err
				}
				n++
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("no CRD versions with a schema found")
	}
	fmt.Printf("crd-schemas: %d schemas in %s\n", n, *out)
	return nil
}

// strictSchema mirrors kubeconform's openapi2jsonschema: every object with properties rejects
// unknown ones (unless it preserves unknown fields), and OpenAPI's nullable becomes a null type.
func strictSchema(schema map[string]any) map[string]any {
	s := deepCopy(schema).(map[string]any)
	walk(s, func(m map[string]any) {
		if _, ok := m["properties"].(map[string]any); ok {
			if _, has := m["additionalProperties"]; !has && m["x-kubernetes-preserve-unknown-fields"] != true {
				m["additionalProperties"] = false
			}
		}
		if m["nullable"] == true {
			if t, ok := m["type"].(string); ok {
				m["type"] = []any{t, "null"}
			}
			delete(m, "nullable")
		}
	})
	return s
}

// objectMetaSchema returns ObjectMeta and every definition it refers to, from the Kubernetes
// _definitions.json, with references rewritten to #/definitions/X (draft-04, which kubeconform
// uses for schemas without $schema).
func objectMetaSchema(k8sDir string) (map[string]any, error) {
	raw, err := os.ReadFile(filepath.Join(k8sDir, "_definitions.json"))
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	defs, _ := doc["$defs"].(map[string]any)
	out := map[string]any{}
	var add func(string) error
	add = func(name string) error {
		if _, done := out[name]; done {
			return nil
		}
		d, ok := defs[name]
		if !ok {
			return fmt.Errorf("definition %s not found in %s", name, k8sDir)
		}
		c := deepCopy(d)
		out[name] = c
		var refs []string
		walk(c, func(m map[string]any) {
			if ref, ok := m["$ref"].(string); ok {
				i := strings.LastIndex(ref, "/$defs/")
				if i < 0 {
					return
				}
				target := ref[i+len("/$defs/"):]
				m["$ref"] = "#/definitions/" + target
				refs = append(refs, target)
			}
		})
		for _, r := range refs {
			if err := add(r); err != nil {
				return err
			}
		}
		return nil
	}
	if err := add("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"); err != nil {
		return nil, err
	}
	return out, nil
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*$`)

func readYAMLDocs(file string) ([]map[string]any, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var docs []map[string]any
	for i, part := range docSep.Split(string(raw), -1) {
		if strings.TrimSpace(stripComments(part)) == "" {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(part), &m); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i, err)
		}
		if m != nil {
			docs = append(docs, m)
		}
	}
	return docs, nil
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func walk(v any, f func(map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		f(t)
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walk(t[k], f)
		}
	case []any:
		for _, e := range t {
			walk(e, f)
		}
	}
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, e := range t {
			l[i] = deepCopy(e)
		}
		return l
	default:
		return v
	}
}

func get(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func str(v any, path ...string) string {
	s, _ := get(v, path...).(string)
	return s
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
