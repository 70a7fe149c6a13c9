#!/usr/bin/env bash
# Offline validation of the Kubernetes manifests in k8s/ (no cluster, no Docker, no GitHub):
#   1. k8s/base/kafka-topics.yaml equals what k8s/tools/gen-topics.mjs generates from
#      libs/contracts/src/topics.ts (the one source of truth for topics);
#   2. kustomize renders k8s/base and every overlay in k8s/overlays/;
#   3. kubeconform validates every rendered resource, strictly (unknown fields and wrong types
#      fail, unknown kinds fail), against the Kubernetes JSON schemas of each version in
#      K8S_VERSIONS and against the CRD schemas of Strimzi KafkaTopic and Prometheus Operator
#      ServiceMonitor/PrometheusRule;
#   4. k8scheck lint: what schemas cannot express (PromQL of rules and of the Grafana dashboard
#      parses, every alert's runbook_url anchor exists in docs/runbook.md, probes, security
#      settings, PDB/HPA consistency, selectors, ConfigMap references);
#   5. a self-test: deliberately broken manifests (a string replica count, an unknown field in a
#      Deployment and in a KafkaTopic, invalid PromQL) must be rejected, or this script fails.
#
# Everything is fetched from package registries with their ordinary clients, at pinned versions,
# and cached under .local/k8s-check (delete it to start over):
#   kustomize, kubeconform      Go module proxy      go install <module>@<version>
#   k8scheck (k8s/tools)        Go module proxy      go build (go.sum pins every dependency)
#   Kubernetes schemas          PyPI                 pip download kubernetes-validate (hash-pinned wheel)
#   ServiceMonitor/PrometheusRule CRDs  Go module proxy  go mod download prometheus-operator (sum-pinned)
#   KafkaTopic CRD              Maven Central        Strimzi api + crd-generator (k8s/tools/strimzi-crd)
# Needs: go >= 1.24, node >= 20 (npm), python3 with pip, java >= 17, mvn.
# First run on a fresh machine (empty Go, Maven and pip caches): about 2.5 minutes, measured
# 2 min 31 s on 2 cores, mostly downloading and compiling the three Go tools; it fills about
# 600 MB of Go module/build cache, 50 MB of ~/.m2 and 90 MB in .local/k8s-check. Later runs:
# about 17 seconds.
#
#   bash scripts/k8s-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
started=$SECONDS

KUSTOMIZE_VERSION=v5.8.1
KUBECONFORM_VERSION=v0.7.0
# Oldest and newest Kubernetes the manifests must be valid for (1.30: preStop sleep action).
K8S_VERSIONS=${K8S_VERSIONS:-"1.30.0 1.37.0"}
PROMETHEUS_OPERATOR_VERSION=v0.85.0
PROMETHEUS_OPERATOR_SUM=h1:M5xLCLEoaW2IJfnuCwFzzpL+jSVQu3KGT84Pye+fW8s=
STRIMZI_POM=k8s/tools/strimzi-crd/pom.xml
STRIMZI_VERSION=$(sed -n 's:.*<strimzi.version>\(.*\)</strimzi.version>.*:\1:p' "$STRIMZI_POM")

CACHE=$ROOT/.local/k8s-check
BIN=$CACHE/bin
SCHEMAS=$CACHE/schemas
RENDERED=$CACHE/rendered
mkdir -p "$BIN" "$SCHEMAS" "$RENDERED" "$CACHE/downloads"

# Use the installed Go as is (no toolchain download); module downloads are verified against go.sum
# and the checksum database as usual.
export GOTOOLCHAIN=local

step() { printf '\n== %s\n' "$*"; }
die() { echo "k8s-check: $*" >&2; exit 1; }

for tool in go node npm python3 java mvn; do
  command -v "$tool" >/dev/null || die "$tool is required (see the header of $0)"
done

# ---------------------------------------------------------------- tools
step "tools (cached in ${CACHE#"$ROOT"/})"
install_go_tool() { # name module version
  local name=$1 module=$2 version=$3
  if [ "$(cat "$BIN/$name.version" 2>/dev/null)" != "$version" ] || [ ! -x "$BIN/$name" ]; then
    echo "go install $module@$version"
    GOBIN=$BIN go install "$module@$version"
    echo "$version" >"$BIN/$name.version"
  fi
}
install_go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"
install_go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
# Our own helper; go build is a no-op when nothing changed.
(cd k8s/tools/k8scheck && go build -o "$BIN/k8scheck" .)
echo "kustomize $("$BIN/kustomize" version), kubeconform $KUBECONFORM_VERSION, k8scheck (k8s/tools/k8scheck)"

# ---------------------------------------------------------------- schemas
step "schemas (cached in ${SCHEMAS#"$ROOT"/})"
WHEEL_REQ=k8s/tools/kubernetes-schemas.txt
wheel_key=$(sha256sum "$WHEEL_REQ" | cut -c1-16)
for v in $K8S_VERSIONS; do
  if [ ! -f "$SCHEMAS/kubernetes/v$v/.from-$wheel_key" ]; then
    if [ ! -f "$CACHE/downloads/.wheel-$wheel_key" ]; then
      echo "pip download ($WHEEL_REQ)"
      rm -f "$CACHE"/downloads/kubernetes_validate-*.whl
      python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
        -r "$WHEEL_REQ" -d "$CACHE/downloads"
      touch "$CACHE/downloads/.wheel-$wheel_key"
    fi
    "$BIN/k8scheck" k8s-schemas --wheel "$(ls "$CACHE"/downloads/kubernetes_validate-*.whl)" \
      --version "$v" --out "$SCHEMAS/kubernetes"
    touch "$SCHEMAS/kubernetes/v$v/.from-$wheel_key"
  fi
done

crd_key="po-$PROMETHEUS_OPERATOR_VERSION-strimzi-$STRIMZI_VERSION-$(sha256sum k8s/tools/k8scheck/schemas.go | cut -c1-12)"
if [ ! -f "$SCHEMAS/crds/.$crd_key" ]; then
  echo "go mod download github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION"
  po_json=$(go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")
  po_dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$po_json")
  po_sum=$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",$/\1/p' <<<"$po_json")
  [ "$po_sum" = "$PROMETHEUS_OPERATOR_SUM" ] || die "prometheus-operator module sum $po_sum, expected $PROMETHEUS_OPERATOR_SUM"
  po_crds=$po_dir/example/prometheus-operator-crd

  echo "Strimzi $STRIMZI_VERSION KafkaTopic CRD (Maven Central: io.strimzi:api + io.strimzi:crd-generator)"
  mvn -q -B -f "$STRIMZI_POM" dependency:build-classpath -Dmdep.outputFile="$CACHE/strimzi-classpath.txt" >/dev/null
  mkdir -p "$CACHE/crd-src"
  # The arguments of Strimzi's own build for 043-Crd-kafkatopic.yaml (api/pom.xml).
  java -cp "$(cat "$CACHE/strimzi-classpath.txt")" io.strimzi.crdgenerator.CrdGenerator \
    --label app:strimzi --label strimzi.io/crd-install:true --target-kube 1.16+ \
    --crd-api-version v1 --api-versions v1alpha1,v1beta1,v1beta2 --storage-version v1beta2 --yaml \
    "io.strimzi.api.kafka.model.topic.KafkaTopic=$CACHE/crd-src/043-Crd-kafkatopic.yaml" 2>&1 | { grep -v '^SLF4J' || true; }
  [ -s "$CACHE/crd-src/043-Crd-kafkatopic.yaml" ] || die "Strimzi CRD generation failed"

  rm -rf "$SCHEMAS/crds"
  first_k8s=${K8S_VERSIONS%% *}
  "$BIN/k8scheck" crd-schemas --out "$SCHEMAS/crds" --k8s "$SCHEMAS/kubernetes/v$first_k8s" \
    "$po_crds/monitoring.coreos.com_servicemonitors.yaml" \
    "$po_crds/monitoring.coreos.com_prometheusrules.yaml" \
    "$CACHE/crd-src/043-Crd-kafkatopic.yaml"
  touch "$SCHEMAS/crds/.$crd_key"
fi

# ---------------------------------------------------------------- topics
step "KafkaTopics are generated from libs/contracts/src/topics.ts"
# The generator reads the compiled contracts; compile them when missing or older than topics.ts
# (only libs/contracts: what `npm run build` would do for this file, without the rest).
if [ ! -f libs/contracts/dist/topics.js ] || [ libs/contracts/src/topics.ts -nt libs/contracts/dist/topics.js ]; then
  bash scripts/install.sh
  node_modules/.bin/tsc -b libs/contracts/tsconfig.json
fi
node k8s/tools/gen-topics.mjs --out "$CACHE/kafka-topics.yaml" >/dev/null
if ! diff -u k8s/base/kafka-topics.yaml "$CACHE/kafka-topics.yaml"; then
  die "k8s/base/kafka-topics.yaml is out of date: run \`npm run build && node k8s/tools/gen-topics.mjs\` and commit it"
fi
echo "k8s/base/kafka-topics.yaml is up to date ($(grep -c '^kind: KafkaTopic' k8s/base/kafka-topics.yaml) topics)"

# ---------------------------------------------------------------- render + validate
kubeconform() { # k8s-version files...
  local v=$1
  shift
  "$BIN/kubeconform" -strict -summary -output text -kubernetes-version "$v" \
    -schema-location "$SCHEMAS/kubernetes/{{ .NormalizedKubernetesVersion }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$SCHEMAS/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "$@"
}

step "render (kustomize build)"
rm -f "$RENDERED"/*.yaml
targets=(k8s/base k8s/overlays/*/)
for dir in "${targets[@]}"; do
  dir=${dir%/}
  name=$(basename "$dir")
  "$BIN/kustomize" build "$dir" >"$RENDERED/$name.yaml"
  echo "$dir: $(grep -c '^kind:' "$RENDERED/$name.yaml") resources"
done

for v in $K8S_VERSIONS; do
  step "validate against Kubernetes $v + CRD schemas (kubeconform -strict)"
  kubeconform "$v" "$RENDERED"/*.yaml
done

step "lint (k8scheck)"
"$BIN/k8scheck" lint --runbook docs/runbook.md --dashboard deploy/grafana/labelloop-dashboard.json "$RENDERED"/*.yaml

# ---------------------------------------------------------------- self-test
step "self-test: broken manifests must be rejected"
NEG=$CACHE/negative
rm -rf "$NEG"
# Each case: a JSON patch applied on top of the dev overlay, the validator that must reject the
# result, and the message that proves it was rejected for that reason (not for another one).
negative() { # name validator patch-target patch expected-message
  local name=$1 validator=$2 target=$3 patch=$4 expected=$5 dir=$NEG/$1
  mkdir -p "$dir"
  cat >"$dir/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../../../k8s/overlays/dev
patches:
  - target: {$target}
    patch: |-
$(sed 's/^/      /' <<<"$patch")
EOF
  "$BIN/kustomize" build "$dir" >"$dir/rendered.yaml"
  local log=$dir/validator.log status=0
  if [ "$validator" = kubeconform ]; then
    kubeconform "${K8S_VERSIONS%% *}" "$dir/rendered.yaml" >"$log" 2>&1 || status=$?
  else
    "$BIN/k8scheck" lint --runbook docs/runbook.md "$dir/rendered.yaml" >"$log" 2>&1 || status=$?
  fi
  [ "$status" -ne 0 ] || die "self-test $name: $validator accepted a broken manifest ($dir)"
  grep -qF -- "$expected" "$log" || { cat "$log" >&2; die "self-test $name: $validator failed, but not with \"$expected\""; }
  echo "rejected as expected: $name"
  grep -m1 -F -- "$expected" "$log" | sed -E 's#^.* - ([A-Za-z]+ [^ ]+) is invalid: .* - (at .*)$#\1: \2#; s#^ *[^ ]*rendered.yaml: ##; s#^#    #'
}
negative replicas-is-a-string kubeconform 'kind: Deployment, name: qa' '- op: add
  path: /spec/replicas
  value: "two"' "at '/spec/replicas': got string, want null or integer"
negative unknown-field-in-deployment kubeconform 'kind: Deployment, name: sampling' '- op: add
  path: /spec/template/spec/containers/0/livenessprobe
  value: {httpGet: {path: /healthz, port: http}}' "additional properties 'livenessprobe' not allowed"
negative unknown-field-in-kafkatopic kubeconform 'kind: KafkaTopic, name: labelloop-label-accepted-v1' '- op: add
  path: /spec/partitons
  value: 12' "additional properties 'partitons' not allowed"
negative invalid-promql k8scheck 'kind: PrometheusRule, name: labelloop' '- op: replace
  path: /spec/groups/1/rules/0/expr
  value: "sum(rate(labelloop_consumer_lag[5m]) > 0"' "parse error: unclosed left parenthesis"

total=$(cat "$RENDERED"/*.yaml | grep -c '^kind:')
echo
echo "k8s-check: OK: ${#targets[@]} builds, $total resources, Kubernetes $K8S_VERSIONS + CRDs, lint, 4 broken manifests rejected ($((SECONDS - started)) s)"
