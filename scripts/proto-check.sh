#!/usr/bin/env bash
# Contract checks: buf lint, generated code equals the committed code, and no breaking change
# against the previous commit of main.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

buf lint
echo "proto: buf lint ok"

buf generate
if ! git diff --exit-code --stat -- libs/contracts/src/gen || [ -n "$(git ls-files --others --exclude-standard libs/contracts/src/gen)" ]; then
  echo "proto: generated code is stale — run 'npm run proto:generate' and commit libs/contracts/src/gen" >&2
  exit 1
fi
echo "proto: generated code is fresh"

# The Python SDK's classes (protoc from PyPI's grpcio-tools, in the SDK's venv under .local).
bash sdks/python/generate.sh
if ! git diff --exit-code --stat -- sdks/python/src/labelloop/gen || [ -n "$(git ls-files --others --exclude-standard sdks/python/src/labelloop/gen)" ]; then
  echo "proto: the Python SDK's generated code is stale — run 'bash sdks/python/generate.sh' and commit sdks/python/src/labelloop/gen" >&2
  exit 1
fi
echo "proto: the Python SDK's generated code is fresh"

if git rev-parse --verify -q HEAD~1 >/dev/null; then
  buf breaking --against ".git#ref=HEAD~1"
  echo "proto: no breaking change against HEAD~1"
else
  echo "proto: no previous commit to compare against (first commit or shallow clone); buf breaking skipped"
fi
