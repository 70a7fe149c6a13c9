#!/usr/bin/env bash
# The whole test suite from a fresh clone: install, build, lint, contract checks, then unit,
# integration (real Kafka + PostgreSQL) and end-to-end (seven services as processes) tests,
# including the Python SDK's pytest suite (run by test/e2e/python-sdk.e2e-spec.ts).
# Kafka and PostgreSQL are started by deploy/local/up.sh unless KAFKA_BROKERS/DATABASE_URL
# point elsewhere. Prerequisites: Node 20+, Java 17+, Maven (for the Kafka jars), Go 1.24+ and
# Python 3.10-3.13 with pip (offline manifest validation; Label Studio for the connector's e2e test); Debian's prometheus package is installed if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH" KAFKAJS_NO_PARTITIONER_WARNING=1

bash scripts/install.sh
npm run build
bash scripts/lint.sh
bash scripts/proto-check.sh
bash scripts/k8s-check.sh
bash deploy/local/up.sh
bash deploy/local/label-studio.sh start   # real Label Studio from PyPI (venv cached under .local)
bash scripts/install-prometheus.sh
bash sdks/python/venv.sh >/dev/null   # the Python SDK's venv (PyPI); test/e2e/python-sdk.e2e-spec.ts runs its pytest suite
bash services/dataset-registry/python/venv.sh >/dev/null   # pycocotools and datasets (PyPI): exports/readers.integration-spec.ts re-loads exports with them

mkdir -p reports
status=0
jest --ci --runInBand --json --outputFile=reports/jest.json "$@" || status=$?
node -e '
  const r = require("./reports/jest.json");
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
'
exit $status
