#!/usr/bin/env bash
# Architecture lint: Nx module boundaries as an error (a service never imports another
# service; libs never import services). The rule silently skips itself when Nx has no project
# graph, so build the graph first and prove the rule fires on a deliberate violation.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false PATH="$PWD/node_modules/.bin:$PATH"

nx show projects >/dev/null

probe=services/qa/src/__boundary_probe__.ts
sql_probe=services/qa/src/__sql_probe__.ts
trap 'rm -f "$probe" "$sql_probe"' EXIT
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

# SQL lives in repositories (scripts/check-sql-placement.sh). Prove the check fires on a
# deliberate violation first (with nothing excluded), then run it.
printf "export const probe = (db: { query(sql: string): Promise<unknown> }) => db.query('SELECT 1');\n" > "$sql_probe"
if out=$(SQL_PLACEMENT_EXCLUDE='' bash scripts/check-sql-placement.sh 2>&1); then sql_rc=0; else sql_rc=$?; fi
rm -f "$sql_probe"
if [[ $sql_rc -ne 0 ]] && grep -qF "$sql_probe" <<<"$out"; then
  echo "lint: SQL placement check is active (a .query( call outside a repository is refused)"
else
  echo "lint: the SQL placement check did not refuse a deliberate .query( call in $sql_probe" >&2
  exit 1
fi
bash scripts/check-sql-placement.sh

# Formatting: Prettier (.prettierrc.json) over the TypeScript, JavaScript and JSON sources.
prettier --check --log-level=warn "**/*.{ts,mjs,cjs,js,json}"
echo "lint: formatted as Prettier writes it"

eslint . --max-warnings=0
echo "lint: ok"
