#!/usr/bin/env bash
# Local Apache Kafka for Nimbus: one KRaft node (broker+controller) on 127.0.0.1, jars from pom.xml.
# usage: kafka.sh start|stop|status|restart
# env: NIMBUS_KAFKA_PORT (9092), NIMBUS_KAFKA_CONTROLLER_PORT (9093)
set -euo pipefail
KAFKA_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=deploy/local/lib.sh
source "$KAFKA_HOME/../lib.sh"

KAFKA_PORT="${NIMBUS_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${NIMBUS_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_POM="$KAFKA_HOME/pom.xml"
KAFKA_LIB="$KAFKA_HOME/target/lib"
KAFKA_STAMP="$KAFKA_HOME/target/.nimbus-lib.stamp"
KAFKA_DIR="$NIMBUS_STATE_DIR/kafka"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_PROPS="$KAFKA_DIR/server.properties"
KAFKA_LOG4J="$KAFKA_DIR/log4j2.properties"
KAFKA_CLUSTER_ID_FILE="$KAFKA_DIR/cluster.id"
KAFKA_PID="$KAFKA_DIR/kafka.pid"
KAFKA_OUT="$NIMBUS_LOG_DIR/kafka.out"
KAFKA_LOG="$NIMBUS_LOG_DIR/kafka.log"

kafka_running() { pid_alive "$KAFKA_PID" kafka.Kafka; }

# _kafka_metadata_probe PORT: send a real Metadata v1 request (brokers only, no topics) over
# bash's /dev/tcp and check the reply lists a broker advertised at 127.0.0.1:PORT.
# Pure bash so `status` and a no-op `up` stay fast (no JVM, no Python Kafka client needed).
_kafka_metadata_probe() {
    local port=$1 size r hlen host
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    # size=20 | api_key=3 (Metadata) | version=1 | correlation_id="NIMB" | client_id="nimbus" | topics=[]
    printf '\x00\x00\x00\x14\x00\x03\x00\x01NIMB\x00\x06nimbus\x00\x00\x00\x00' >&3
    # dd bs=1 reads exactly the bytes asked for; head/od could swallow more from a socket.
    size="$(dd bs=1 count=4 <&3 2>/dev/null | od -An -v -tx1 | tr -d ' \n')"
    [[ "$size" =~ ^[0-9a-f]{8}$ ]] || return 1
    size=$((16#$size))
    ((size > 8 && size < 1048576)) || return 1
    r="$(dd bs=1 count="$size" <&3 2>/dev/null | od -An -v -tx1 | tr -d ' \n')"
    ((${#r} == size * 2)) || return 1
    [[ "${r:0:8}" == 4e494d42 ]] || return 1 # our correlation id came back
    ((16#${r:8:8} >= 1)) || return 1         # at least one broker
    # First broker: node_id(int32) host(int16 length + bytes) port(int32).
    hlen=$((16#${r:24:4}))
    host="$(printf '%s' "${r:28:hlen*2}" | sed 's/../\\x&/g')"
    [[ "$(printf '%b' "$host")" == 127.0.0.1 ]] || return 1
    ((16#${r:28+hlen*2:8} == port))
}
export -f _kafka_metadata_probe

kafka_metadata_ok() {
    # Separate bash under `timeout`, so a broker that accepts but never answers cannot hang us.
    # shellcheck disable=SC2016 # $1 is expanded by the inner bash
    timeout 5 bash -c '_kafka_metadata_probe "$1"' _ "$KAFKA_PORT" 2>/dev/null
}

kafka_healthy() { kafka_running && port_open "$KAFKA_PORT" && kafka_metadata_ok; }
# Stop waiting once healthy, or once the launched JVM wrote its pid and then died.
kafka_up_or_dead() { kafka_healthy || { [[ -s "$KAFKA_PID" ]] && ! kafka_running; }; }
kafka_gone() { ! kafka_running; }

kafka_status_line() {
    if kafka_healthy; then
        printf '%-9s up    127.0.0.1:%s (KRaft broker+controller, controller 127.0.0.1:%s, pid %s)\n' \
            kafka "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$(<"$KAFKA_PID")"
    else
        printf '%-9s down  127.0.0.1:%s\n' kafka "$KAFKA_PORT"
        return 3
    fi
}

kafka_jars_stale() {
    [[ ! -d "$KAFKA_LIB" || ! -f "$KAFKA_STAMP" || "$KAFKA_POM" -nt "$KAFKA_STAMP" ]]
}

kafka_build_jars() {
    need_cmd mvn maven
    # copy-dependencies never deletes, so a version change would leave two copies of a jar.
    rm -rf "$KAFKA_LIB" "$KAFKA_STAMP"
    run_logged "$NIMBUS_LOG_DIR/kafka-mvn.log" "fetching Kafka jars from Maven Central (first run only)" \
        mvn -B -q -f "$KAFKA_POM" package || die "mvn package failed"
    compgen -G "$KAFKA_LIB/kafka_2.13-*.jar" >/dev/null || die "mvn produced no kafka_2.13 jar in $KAFKA_LIB"
    touch "$KAFKA_STAMP"
}

# A KRaft cluster id is 16 random bytes, base64url without padding (what `kafka-storage random-uuid`
# prints), never starting with "-": the format tool would read such an id as an option (Kafka's
# own Uuid.randomUuid() redraws for the same reason). Made once; reused from meta.properties if
# the state dir lost only cluster.id.
kafka_cluster_id() {
    if [[ ! -s "$KAFKA_CLUSTER_ID_FILE" ]]; then
        local id=""
        if [[ -f "$KAFKA_DATA/meta.properties" ]]; then
            id="$(sed -n 's/^cluster\.id=//p' "$KAFKA_DATA/meta.properties")"
        fi
        while [[ -z "$id" || "$id" == -* ]]; do
            id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
        done
        printf '%s\n' "$id" >"$KAFKA_CLUSTER_ID_FILE"
    fi
    tr -d '\n' <"$KAFKA_CLUSTER_ID_FILE"
}

# Returns 0 when either file changed (a running broker then needs a restart).
kafka_write_conf() {
    local changed=1
    write_if_changed "$KAFKA_PROPS" <<EOF && changed=0
# Managed by deploy/local/kafka/kafka.sh; rewritten on every start.
# Single-node KRaft: this process is both the broker and the (only) controller, static quorum.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$KAFKA_DATA
num.partitions=3
auto.create.topics.enable=true
# One node: every internal topic must make do with a single replica.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# No point waiting for more group members to join on a dev box.
group.initial.rebalance.delay.ms=0
# After a kill -9 the controller waits out the dead broker's session before the restarted
# one may serve; 3 s instead of the default 9 s keeps local recovery quick.
broker.session.timeout.ms=3000
broker.heartbeat.interval.ms=500
EOF
    write_if_changed "$KAFKA_LOG4J" <<EOF && changed=0
# Managed by deploy/local/kafka/kafka.sh. Warnings plus start/stop milestones, in a small rolling file.
status = warn
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = $KAFKA_LOG
appender.file.filePattern = $KAFKA_LOG.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 10MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 1
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = FILE
logger.raftserver.name = kafka.server.KafkaRaftServer
logger.raftserver.level = INFO
logger.broker.name = kafka.server.BrokerServer
logger.broker.level = INFO
logger.controller.name = kafka.server.ControllerServer
logger.controller.level = INFO
logger.appinfo.name = org.apache.kafka.common.utils.AppInfoParser
logger.appinfo.level = INFO
EOF
    return "$changed"
}

kafka_java() {
    java -Dlog4j2.configurationFile="$KAFKA_LOG4J" -Djava.awt.headless=true -cp "$KAFKA_LIB/*" "$@"
}

kafka_format_once() {
    # meta.properties marks formatted storage; re-formatting would wipe the cluster identity.
    if [[ -f "$KAFKA_DATA/meta.properties" ]]; then return 0; fi
    local id
    id="$(kafka_cluster_id)"
    log "formatting Kafka storage in $KAFKA_DATA (cluster id $id)"
    mkdir -p "$KAFKA_DATA"
    kafka_java kafka.tools.StorageTool format -t "$id" -c "$KAFKA_PROPS" >>"$NIMBUS_LOG_DIR/kafka-format.log" 2>&1 ||
        {
            tail -n 20 "$NIMBUS_LOG_DIR/kafka-format.log" >&2
            die "kafka storage format failed"
        }
}

kafka_launch() {
    log "starting Kafka on 127.0.0.1:$KAFKA_PORT (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)"
    rm -f "$KAFKA_PID"
    # 9>&-: don't hand the JVM our lock fd.
    # setsid: own session, so it outlives this shell and its terminal. The wrapper writes its own
    # pid and then execs java, so the pid file names the JVM whether or not setsid had to fork.
    # shellcheck disable=SC2016 # $$/$1/$@ are the inner bash's
    setsid bash -c 'echo "$$" >"$1"; shift; exec "$@"' _ "$KAFKA_PID" \
        java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
        -Dlog4j2.configurationFile="$KAFKA_LOG4J" \
        -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_PROPS" \
        >"$KAFKA_OUT" 2>&1 </dev/null 9>&- &
}

kafka_start() {
    lock kafka
    need_cmd java default-jre-headless
    component_dir kafka >/dev/null
    if kafka_jars_stale; then
        if kafka_running; then
            log "pom.xml changed; stopping Kafka to swap its jars"
            kafka_stop_locked
        fi
        kafka_build_jars
    fi
    local changed=0
    kafka_write_conf && changed=1

    if kafka_running; then
        if ((changed)); then
            log "kafka config changed; restarting"
            kafka_stop_locked
        elif kafka_healthy; then
            kafka_status_line # fast path
            return 0
        fi
    fi
    if ! kafka_running; then
        local p
        for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
            if port_open "$p"; then die "127.0.0.1:$p is taken by another process"; fi
        done
        kafka_format_once
        kafka_launch
    fi
    # A start after kill -9 replays logs first, so allow a while.
    wait_for 180 "kafka" kafka_up_or_dead || true
    if ! kafka_healthy; then
        tail -n 20 "$KAFKA_OUT" "$KAFKA_LOG" >&2 2>/dev/null || true
        die "kafka did not become healthy; see $KAFKA_LOG and $KAFKA_OUT"
    fi
    kafka_status_line
}

kafka_stop_locked() {
    if kafka_running; then
        local pid
        pid="$(<"$KAFKA_PID")"
        log "stopping Kafka (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true # controlled shutdown: flushes logs, writes clean-shutdown markers
        if ! wait_for 30 "kafka to exit" kafka_gone; then
            log "kafka still running after 30s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            wait_for 10 "kafka to exit" kafka_gone || die "kafka (pid $pid) would not die"
        fi
    fi
    rm -f "$KAFKA_PID"
}

kafka_stop() {
    lock kafka
    kafka_stop_locked
    printf '%-9s down\n' kafka
}

kafka_status() { kafka_status_line; }

usage_dispatch kafka "$@"
