#!/usr/bin/env bash
# Stop the local Kafka + PostgreSQL started by up.sh (data is kept under .local/).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# try both even if one fails, but report failure
rc=0
bash "$HERE/kafka.sh" stop || rc=1
bash "$HERE/postgres.sh" stop || rc=1
bash "$HERE/label-studio.sh" stop || rc=1
exit $rc
