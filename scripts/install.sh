#!/usr/bin/env bash
# Installs dependencies when node_modules is missing or older than the lockfile (a fast no-op
# otherwise). `npm install` rather than `npm ci`: it installs the locked versions all the same,
# but tolerates optional per-platform packages (buf, swc builds for other OSes) that a registry
# mirror may not serve at the locked version, which `npm ci` refuses as an out-of-sync lock.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
  touch node_modules/.package-lock.json
fi
# The console's browser tests drive Debian's chromium (test/e2e/console.e2e-spec.ts).
if ! command -v chromium >/dev/null 2>&1; then
  apt-get install -y chromium
fi
