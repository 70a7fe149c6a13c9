#!/usr/bin/env bash
# The main job: install, build, start local Kafka + PostgreSQL, run the seven services, and close
# the loop on real data — a spam filter trained on the early SpamAssassin groups (example
# examples/spam-inference) drifts to the later groups, LabelLoop detects it, samples, routes the
# items to simulated annotators, checks the labels, versions them and has the training job
# (examples/retrain-worker) retrain until a promoted model recovers. Starts the web console
# (services/console) and prints its URL and the token to sign in with, prints a live status line
# and writes reports/main-job/<run>/summary.md with SVG charts.
#
# Flags go to the job (examples/loop-demo/src/main.ts): --events N, --timeout S,
# --strategy entropy|hybrid|random|..., --seed N, --compare-random (run the strategy, then random
# sampling on the same seed, and print the label ratio), --keep-topics.
# Set KAFKA_BROKERS / DATABASE_URL to use an existing cluster and database instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run build --silent
exec node examples/loop-demo/dist/main.js "$@"
