#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft, broker and controller in one JVM) on 127.0.0.1 for procwatch's
# Kafka mode, its tests and trying it locally. The broker is org.apache.kafka:kafka_2.13 from Maven Central,
# resolved with Maven into scripts/kafka/lib (scripts/kafka/pom.xml); nothing else is downloaded.
#
#   scripts/kafka-broker.sh fetch          resolve the broker jars (once; needs Maven Central)
#   scripts/kafka-broker.sh start          fetch if needed, format storage if new, start, wait until it listens
#   scripts/kafka-broker.sh status         exit 0 and print the address when it runs
#   scripts/kafka-broker.sh stop           stop it (SIGTERM, then SIGKILL after 30 s)
#   scripts/kafka-broker.sh reset          stop and delete its data
#
# Environment: KAFKA_PORT (default 19092; the controller uses KAFKA_PORT+1), KAFKA_HOME (data, logs and pid;
# default ${TMPDIR:-/tmp}/procwatch-kafka-$KAFKA_PORT), KAFKA_HEAP (default -Xmx512m), KAFKA_JVM_OPTS (more JVM
# options for the broker, default none).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="$here/kafka/lib"
port="${KAFKA_PORT:-19092}"
cport=$((port + 1))
home="${KAFKA_HOME:-${TMPDIR:-/tmp}/procwatch-kafka-$port}"
pidfile="$home/broker.pid"

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

fetch() {
  if ! ls "$lib"/kafka_2.13-*.jar >/dev/null 2>&1; then
    echo "resolving org.apache.kafka:kafka_2.13 from Maven Central into $lib"
    mvn -B -q -ntp -f "$here/kafka/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$lib" -DincludeScope=runtime
  fi
}

configure() {
  mkdir -p "$home/data" "$home/logs"
  cat > "$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$home/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
# members may ask for short session timeouts (the tests' fail-over uses 2 s; the broker's default floor is 6 s)
group.min.session.timeout.ms=1000
# a dead stream member's unfinished transaction is aborted within a second of its timeout
transaction.abort.timed.out.transaction.cleanup.interval.ms=1000
auto.create.topics.enable=false
log.flush.interval.messages=9223372036854775807
PROPS
  cat > "$home/log4j2.properties" <<PROPS
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=FILE
appender.file.type=File
appender.file.name=FILE
appender.file.fileName=$home/logs/server.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
PROPS
}

start() {
  if running; then
    echo "kafka broker already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"
    return 0
  fi
  fetch
  configure
  local cp="$lib/*"
  if [ ! -f "$home/data/meta.properties" ]; then
    java -cp "$cp" -Dlog4j2.configurationFile="$home/log4j2.properties" kafka.tools.StorageTool format \
        --config "$home/server.properties" --cluster-id "$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null)" \
        --standalone > "$home/logs/format.log" 2>&1 || { cat "$home/logs/format.log" >&2; exit 1; }
  fi
  nohup java ${KAFKA_HEAP:--Xmx512m} ${KAFKA_JVM_OPTS:-} -XX:+UseSerialGC -Djava.net.preferIPv4Stack=true \
      -Dlog4j2.configurationFile="$home/log4j2.properties" \
      -cp "$cp" kafka.Kafka "$home/server.properties" > "$home/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if listening; then
      echo "kafka broker running on 127.0.0.1:$port (pid $(cat "$pidfile"), data in $home)"
      return 0
    fi
    if ! running; then
      echo "kafka broker exited; see $home/logs" >&2
      tail -20 "$home/logs/stdout.log" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  echo "kafka broker did not listen on 127.0.0.1:$port within 60 s; see $home/logs" >&2
  exit 1
}

stop() {
  if running; then
    local pid
    pid="$(cat "$pidfile")"
    kill "$pid"
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "kafka broker stopped"
  else
    echo "kafka broker not running"
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status)
    if running && listening; then echo "kafka broker running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; else echo "kafka broker not running"; exit 1; fi ;;
  reset) stop; rm -rf "$home" ;;
  *) echo "usage: $0 fetch|start|stop|status|reset" >&2; exit 2 ;;
esac
