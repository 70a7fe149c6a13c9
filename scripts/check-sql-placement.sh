#!/usr/bin/env bash
# SQL lives in repositories (STYLE.md, issue #27): a raw `.query(` or `queryRows(` call is allowed
# only in a `*.repository.ts` file, a migration, a test or a service's test/ helpers, libs/testing, and the driver wrapper
# itself (libs/persistence/src/data-source.ts and query-rows.ts). Lists every other file that
# has one, with the lines, and fails.
#
# SQL_PLACEMENT_EXCLUDE: space-separated path prefixes left out of the check (e.g. a service
# being moved on another branch). Empty by default: everything is checked.
set -euo pipefail
cd "$(dirname "$0")/.."

pattern='\.query\(|queryRows\('
allowed='(\.repository\.ts|/[^/]*migration[^/]*\.ts|\.spec\.ts|\.integration-spec\.ts|\.e2e-spec\.ts)$|^libs/testing/|^services/[^/]+/test/|^libs/persistence/src/(data-source|query-rows)\.ts$'

offenders=()
while IFS= read -r file; do
  [[ -z "$file" || "$file" =~ $allowed ]] && continue
  for prefix in ${SQL_PLACEMENT_EXCLUDE:-}; do
    [[ "$file" == "${prefix%/}/"* ]] && continue 2
  done
  offenders+=("$file")
done < <(grep -rlE --include='*.ts' --exclude-dir=node_modules --exclude-dir=dist "$pattern" services libs tools bench test/fault | sort)

if ((${#offenders[@]} > 0)); then
  echo "lint: SQL outside a *.repository.ts file (move it into the table's repository):" >&2
  grep -nE "$pattern" "${offenders[@]}" /dev/null | sed 's/^/  /' >&2
  exit 1
fi
echo "lint: SQL is only in repositories${SQL_PLACEMENT_EXCLUDE:+ (not checked: $SQL_PLACEMENT_EXCLUDE)}"
