#!/usr/bin/env bash
# A real Label Studio server (PyPI package, pinned) on loopback, for the dispatch connector's
# tests and demos. The virtualenv is cached under <repo>/.local (shared by every LABELLOOP_HOME:
# installing takes minutes, reusing it is instant); the server's data (SQLite, media), pid
# and log live under $LABELLOOP_HOME/label-studio.
#
# usage: deploy/local/label-studio.sh install|start|stop|status
# env:   LABELLOOP_HOME (state dir, default <repo>/.local), LABEL_STUDIO_PORT (18080),
#        LABEL_STUDIO_TOKEN (API token of the admin user created on first start),
#        LABEL_STUDIO_URL (external server: start is a no-op)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VERSION=1.23.2
VENV="$ROOT/.local/label-studio-venv-$VERSION"
STATE="${LABELLOOP_HOME:-$ROOT/.local}/label-studio"
PORT="${LABEL_STUDIO_PORT:-18080}"
TOKEN="${LABEL_STUDIO_TOKEN:-labelloop-local-label-studio-token}"
LOCAL_URL="http://127.0.0.1:$PORT"
LOG="$STATE/label-studio.log" PIDFILE="$STATE/label-studio.pid"

log() { echo "[label-studio] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

install() {
  [[ -x $VENV/bin/label-studio && -f $VENV/.installed ]] && return 0
  command -v python3 >/dev/null || die "python3 is required (Label Studio $VERSION supports Python 3.10-3.13)"
  python3 -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)' \
    || die "Label Studio $VERSION needs Python 3.10-3.13, found $(python3 --version 2>&1)"
  log "installing label-studio==$VERSION into $VENV (first time only: a few minutes)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "label-studio==$VERSION" \
    || die "pip install label-studio==$VERSION failed"
  touch "$VENV/.installed"
}

pid() { cat "$PIDFILE" 2>/dev/null || true; }
running() { local p; p="$(pid)"; [[ -n $p ]] && kill -0 "$p" 2>/dev/null; }
healthy() { curl -fsS -m 3 -H "Authorization: Token $TOKEN" "$LOCAL_URL/api/projects?page_size=1" >/dev/null 2>&1; }

start() {
  if [[ -n ${LABEL_STUDIO_URL:-} && $LABEL_STUDIO_URL != "$LOCAL_URL" ]]; then
    log "using external Label Studio at $LABEL_STUDIO_URL"; return 0
  fi
  install
  mkdir -p "$STATE/data"
  if running && healthy; then log "already running on $LOCAL_URL"; return 0; fi
  running && { log "process $(pid) does not answer; restarting"; stop; }
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && die "port $PORT is already taken by another process"
  local t0=$SECONDS
  # No phone-home from a test machine: no version check, analytics or Sentry.
  # The connector authenticates with the admin's plain API token (legacy tokens are off by
  # default for new organizations since 1.18; this turns them on for the one created here).
  # SSRF protection off: the connector's webhook receiver is on loopback too, which Label Studio
  # otherwise refuses as a webhook target (the server itself listens on 127.0.0.1 only).
  # The first start runs Django migrations into a fresh SQLite (slow; later starts are quick).
  LABEL_STUDIO_BASE_DATA_DIR="$STATE/data" LATEST_VERSION_CHECK=false COLLECT_ANALYTICS=false \
  SENTRY_DSN= FRONTEND_SENTRY_DSN= SECRET_KEY="labelloop-local-$PORT" \
  LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED=false LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true SSRF_PROTECTION_ENABLED=false \
    setsid "$VENV/bin/label-studio" start --no-browser --host 127.0.0.1 --internal-host 127.0.0.1 --port "$PORT" \
      --username admin@labelloop.local --password labelloop-local --user-token "$TOKEN" \
      </dev/null >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 600); do
    healthy && { log "ready: $LOCAL_URL ($((SECONDS - t0)) s)"; return 0; }
    running || { tail -n 30 "$LOG" >&2; die "server exited (see $LOG)"; }
    sleep 1
  done
  tail -n 30 "$LOG" >&2; die "not ready after 600 s (see $LOG)"
}

stop() {
  if ! running; then log "not running"; rm -f "$PIDFILE"; return 0; fi
  local p; p="$(pid)"
  log "stopping ($p)"
  kill -- "-$p" 2>/dev/null || kill "$p"
  for _ in $(seq 30); do running || break; sleep 0.5; done
  running && kill -9 -- "-$p" 2>/dev/null || true
  rm -f "$PIDFILE"
}

status() {
  if running && healthy; then echo "label-studio running on $LOCAL_URL"; else echo "label-studio not running"; return 1; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
