#!/usr/bin/env bash
# Regenerates the protobuf classes of the Python SDK from proto/ (protoc from PyPI's
# grpcio-tools, pinned in requirements-dev.txt) into src/labelloop/gen. scripts/proto-check.sh
# runs it and fails when the result differs from the committed files. Only the messages the SDK
# sends are generated: the gateway's HTTP API takes JSON, so no service stubs are needed.
#   bash sdks/python/generate.sh [python]     (default: the SDK's venv, see venv.sh)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="${1:-$(bash "$HERE/venv.sh")}"
OUT="$HERE/src/labelloop/gen"
rm -rf "$OUT"
mkdir -p "$OUT"
"$PY" -m grpc_tools.protoc -I "$ROOT/proto" --python_out="$OUT" --pyi_out="$OUT" labelloop/inference/v1/prediction.proto
for d in "$OUT" "$OUT/labelloop" "$OUT/labelloop/inference" "$OUT/labelloop/inference/v1"; do
  echo '"""Generated from proto/ by sdks/python/generate.sh: do not edit."""' > "$d/__init__.py"
done
