#!/usr/bin/env bash
# Start local Kafka + PostgreSQL (each is a no-op if already running or external) and
# print the connection strings. Stop with deploy/local/down.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/postgres.sh" start   # seconds; Kafka may first need a one-time jar fetch
bash "$HERE/kafka.sh" start
. "$HERE/env.sh"
echo "KAFKA_BROKERS=$KAFKA_BROKERS"
url="$DATABASE_URL"   # don't echo an external database's password into CI logs
[[ $url == postgres://labelloop:labelloop@127.0.0.1:* ]] || url="$(sed -E 's#://([^:/@]*):[^@]*@#://\1:***@#' <<<"$url")"
echo "DATABASE_URL=$url"
