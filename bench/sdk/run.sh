#!/usr/bin/env bash
# One run of the SDK and ingestion benchmarks (bench/sdk/README.md): the TypeScript record()
# cost and end-to-end rate, the Python record() cost, and the gateway's events per CPU-second
# next to a bare kafkajs producer; ends with the four figures side by side (summary.js, from
# the BENCH_RESULT lines). Needs the local broker and database (deploy/local/up.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. deploy/local/env.sh
npx tsc -b tsconfig.build.json bench/sdk
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
echo "== TypeScript SDK: record() cost and end-to-end rate (record-overhead.ts)"
node bench/sdk/dist/record-overhead.js | tee -a "$out"
echo "== Python SDK: record() cost (python_record.py)"
"$(bash sdks/python/venv.sh)" bench/sdk/python_record.py "${BENCH_PY_EVENTS:-200000}" | tee -a "$out"
echo "== ingest-gateway vs bare kafkajs producer (gateway-throughput.ts)"
node bench/sdk/dist/gateway-throughput.js | tee -a "$out"
echo "== summary"
node bench/sdk/dist/summary.js <"$out"
