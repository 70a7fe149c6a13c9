#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, no ZooKeeper) for local tests and demos.
# There is no Docker on our machines, so the broker jars come from Maven Central
# (pinned in deploy/local/kafka/pom.xml) and kafka.Kafka runs as a plain JVM.
#
# usage: deploy/local/kafka.sh start|stop|status|restart
# env:   LABELLOOP_HOME (state dir, default <repo>/.local), KAFKA_PORT (19092),
#        KAFKA_CONTROLLER_PORT (19093), KAFKA_BROKERS (external broker: start is a no-op),
#        KAFKA_START_TIMEOUT (seconds, 90)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${LABELLOOP_HOME:-$ROOT/.local}"
PORT="${KAFKA_PORT:-19092}"
CPORT="${KAFKA_CONTROLLER_PORT:-19093}"
POM="$HERE/kafka/pom.xml"
DIR="$STATE/kafka"
LIBS="$DIR/libs" DATA="$DIR/data" LOGS="$DIR/logs" CONF="$DIR/config"
PIDFILE="$DIR/kafka.pid"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"   # a broker with much local data recovers longer

log() { echo "[kafka] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Alive = exists and is not a zombie: here PID 1 reaps orphans only every few seconds,
# so `kill -0` keeps succeeding for a while after a process has died.
alive() { [[ -n $1 && -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }
# Running = pid file names a live process that really is our broker (guards against pid reuse).
pid() { [[ -f $PIDFILE ]] && cat "$PIDFILE" || true; }
running() { local p; p="$(pid)"; alive "$p" && grep -qaF kafka.Kafka "/proc/$p/cmdline" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fetch the jars once; the marker holds the pom's hash so bumping the version refetches.
fetch_jars() {
  local want; want="$(sha256sum "$POM" | cut -d' ' -f1)"
  [[ -f $LIBS/.pom.sha256 && "$(cat "$LIBS/.pom.sha256")" == "$want" ]] && return 0
  log "fetching Kafka jars with Maven (first run, or the pom changed)..."
  rm -rf "$LIBS"; mkdir -p "$DIR"
  # output goes to a file: even with -q -B, Maven 3.8 prints stray ANSI codes
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$LIBS" >"$DIR/mvn.log" 2>&1; then
    tail -n 30 "$DIR/mvn.log" >&2; die "mvn could not fetch the Kafka jars (full output: $DIR/mvn.log)"
  fi
  echo "$want" >"$LIBS/.pom.sha256"
}

# Config is rewritten on every start so port overrides take effect; data is never touched.
write_config() {
  mkdir -p "$CONF" "$DATA" "$LOGS"
  cat >"$CONF/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
# one node: every internal topic must live with a single replica
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
default.replication.factor=1
min.insync.replicas=1
# tests join consumer groups constantly; don't wait 3s for more members
group.initial.rebalance.delay.ms=0
# services must create their topics explicitly (as in production)
auto.create.topics.enable=false
num.partitions=3
EOF
  # Broker logs go to a file; stdout only gets JVM-level output (see kafka.out).
  cat >"$CONF/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$LOGS/server.log
log4j.appender.file.MaxFileSize=50MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
EOF
}

java_kafka() { java -Dlog4j.configuration="file:$CONF/log4j.properties" -cp "$LIBS/*" "$@"; }

# KRaft needs its metadata log formatted once with a cluster id; meta.properties marks it done.
format_storage() {
  [[ -f $DATA/meta.properties ]] && return 0
  local id; id="$(java_kafka kafka.tools.StorageTool random-uuid)"
  log "formatting storage (cluster id $id)"
  java_kafka kafka.tools.StorageTool format -t "$id" -c "$CONF/server.properties" >>"$LOGS/format.log" \
    || die "storage format failed, see $LOGS/format.log"
}

start() {
  if [[ -n ${KAFKA_BROKERS:-} && $KAFKA_BROKERS != "127.0.0.1:$PORT" ]]; then
    log "using external Kafka at $KAFKA_BROKERS"; return 0
  fi
  if running; then log "already running (pid $(pid)) on 127.0.0.1:$PORT"; return 0; fi
  rm -f "$PIDFILE"
  port_open "$PORT" && die "port $PORT is already taken by another process"
  command -v java >/dev/null || die "java not found (Java 17 required)"
  fetch_jars
  write_config
  format_storage

  # Remember where the log ends so we only look for the "started" line of THIS start.
  local from=0; [[ -f $LOGS/server.log ]] && from=$(stat -c %s "$LOGS/server.log")
  # setsid: own session, so the broker outlives whatever shell/test runner called us
  # (a runner killing its process group must not take Kafka with it); postgres does this itself.
  setsid nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOGS" -Dlog4j.configuration="file:$CONF/log4j.properties" \
    -cp "$LIBS/*" kafka.Kafka "$CONF/server.properties" >>"$LOGS/kafka.out" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  log "starting broker (pid $!) on 127.0.0.1:$PORT ..."

  # Ready = the client port accepts connections AND the broker logged that it finished startup
  # (the port opens a moment before the broker is able to serve metadata).
  local t0=$SECONDS
  while (( SECONDS - t0 < START_TIMEOUT )); do
    running || { log "broker exited during startup"; tail -n 40 "$LOGS/server.log" "$LOGS/kafka.out" >&2 || true; exit 1; }
    (( $(stat -c %s "$LOGS/server.log" 2>/dev/null || echo 0) < from )) && from=0   # log rolled over
    if port_open "$PORT" && tail -c +"$((from + 1))" "$LOGS/server.log" 2>/dev/null | grep -q 'Kafka Server started'; then
      log "ready in $((SECONDS - t0))s: 127.0.0.1:$PORT"; return 0
    fi
    sleep 0.5
  done
  log "broker not ready after ${START_TIMEOUT}s; last log lines:"
  tail -n 40 "$LOGS/server.log" >&2 || true
  stop; exit 1
}

stop() {
  if ! running; then rm -f "$PIDFILE"; log "not running"; return 0; fi
  local p; p="$(pid)"
  log "stopping broker (pid $p)"
  kill -TERM "$p"   # controlled shutdown: flushes logs, so restart keeps data cleanly
  for _ in $(seq 60); do alive "$p" || break; sleep 0.5; done
  if alive "$p"; then
    log "still alive after 30s, sending SIGKILL"
    kill -KILL "$p" || true
    while alive "$p"; do sleep 0.2; done
  fi
  rm -f "$PIDFILE"
}

status() {
  if running; then echo "kafka running (pid $(pid)) on 127.0.0.1:$PORT"; else echo "kafka not running"; return 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
