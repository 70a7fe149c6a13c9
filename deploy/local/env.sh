# shellcheck shell=bash
# Source me: `. deploy/local/env.sh`. Points clients at the local infra started by up.sh,
# unless KAFKA_BROKERS / DATABASE_URL are already set (e.g. CI or a shared environment).
# Ports follow the same overrides as kafka.sh / postgres.sh.
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-19092}}"
export DATABASE_URL="${DATABASE_URL:-postgres://labelloop:labelloop@127.0.0.1:${PGPORT_LOCAL:-15432}/labelloop}"
