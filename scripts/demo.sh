#!/usr/bin/env bash
# The main job: install, build, start local Kafka + PostgreSQL, run the six services and drive
# demo traffic through the whole loop. Extra flags go to the demo (e.g. --events 5000).
# Set KAFKA_BROKERS / DATABASE_URL to use an existing cluster and database instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run build --silent
exec node examples/loop-demo/dist/main.js "$@"
