#!/usr/bin/env bash
# Fault-injection suite: the whole LabelLoop pipeline under faults, then an exact
# end-to-end reconciliation.
#
#   bash scripts/fault-suite.sh           # SHORT profile (the one CI runs as a jest e2e test):
#                                         #   8,000 prediction events, each of the seven services
#                                         #   SIGKILLed 3x, 1 Kafka restart, 1 PostgreSQL restart
#   bash scripts/fault-suite.sh --full    # FULL profile: 100,000 prediction events, each service
#                                         #   SIGKILLed 4x, 1 Kafka restart, 1 PostgreSQL restart
#   bash scripts/fault-suite.sh --full --seed 1234 --events 150000 --kills 5
#
# What it does: builds (npm run build), starts the local Kafka broker and PostgreSQL server
# (deploy/local/up.sh), then runs test/e2e/fault-injection.e2e-spec.ts with FAULT_PROFILE set
# (one implementation: test/fault/). The run uses a fresh database, run-unique consumer groups
# (pinned to the current end of the shared topics) and a run-unique model / project id. It
# streams predictions while simulated annotators work over gRPC (AnnotatorService, retrying
# every RPC error with the same idempotency key) and a stand-in training job answers the signed
# retrain webhook; meanwhile it SIGKILLs every service at seeded random moments, stops the broker
# (deploy/local/kafka.sh stop, a few seconds down, start) and the database server (likewise
# postgres.sh). Then it waits for the pipeline to settle and reconciles end to end from the
# databases and topics: every prediction in sampling's and drift-detection's inbox once, one
# decision per selected item, exactly DISPATCH_OVERLAP tasks per item (+1 per QA rework), every
# submission in QA once and ending in one acceptance or rework, every accepted label in the
# registry once and in the dataset versions once, one retrain run / training job per approved
# version, outboxes drained, nothing of the run dead-lettered, distinct ce_ids on the topics =
# effects (repeated copies are at-least-once redeliveries). It prints one line per check, the
# faults injected and a summary line starting "fault-injection:", and writes
# reports/fault-injection/<profile>-<run>.json. A service process that exits on its own is
# restarted and counted as an extra fault (self_exit / start_failure, with its last log lines).
#
# Bounded and self-stopping (a budget per profile; every wait has a deadline); loopback only.
# NOTE: it stops and starts the LOCAL Kafka broker and PostgreSQL server, which disturbs anything
# else using them meanwhile; with an external KAFKA_BROKERS / DATABASE_URL those restarts are
# skipped (only SIGKILLs). The full profile leaves ~100,000 predictions (and ~11,000 submissions)
# on the shared topics, which other tests' fresh consumer groups read from the beginning.
#
# Exit status: 0 when the reconciliation found no loss, no duplicate and no mismatch.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH" KAFKAJS_NO_PARTITIONER_WARNING=1

profile=short
while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) profile=full ;;
    --short) profile=short ;;
    --seed) export FAULT_SEED="$2"; shift ;;
    --events) export FAULT_EVENTS="$2"; shift ;;
    --kills) export FAULT_KILLS="$2"; shift ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
export FAULT_PROFILE="$profile"

[[ -d node_modules ]] || bash scripts/install.sh
npm run build --silent
bash deploy/local/up.sh
exec jest --selectProjects e2e --runInBand --testPathPattern 'fault-injection' --verbose=false
