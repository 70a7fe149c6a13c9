#!/usr/bin/env bash
# Architecture lint: Nx module boundaries as an error (a service never imports another
# service; libs never import services). The rule silently skips itself when Nx has no project
# graph, so build the graph first and prove the rule fires on a deliberate violation.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false PATH="$PWD/node_modules/.bin:$PATH"

nx show projects >/dev/null

probe=services/qa/src/__boundary_probe__.ts
trap 'rm -f "$probe"' EXIT
printf "import { SamplingModule } from '@labelloop/sampling';\nexport const probe = SamplingModule;\n" > "$probe"
out=$(eslint "$probe" 2>&1 || true)
if grep -q 'enforce-module-boundaries' <<<"$out"; then
  echo "lint: boundary rule is active (a service importing another service is refused)"
else
  echo "lint: the module-boundary rule did not fire on a deliberate violation" >&2
  exit 1
fi
rm -f "$probe"

# The README's and the runbook's topic tables are generated from the code (npm run topology).
tsc -b tools/topology
node tools/topology/dist/main.js --check
echo "lint: topic tables match the code"

eslint . --max-warnings=200
echo "lint: ok"
