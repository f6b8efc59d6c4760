#!/usr/bin/env bash
# Local Redis for Nimbus: our own instance (not Debian's service) on 127.0.0.1, AOF on.
# usage: redis.sh start|stop|status|restart
# env: NIMBUS_REDIS_PORT (6379), NIMBUS_REDIS_APPENDFSYNC (always: fsync before every reply, see
#      docs/sqs.md; everysec trades up to a second of writes on a machine crash for speed)
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_PORT="${NIMBUS_REDIS_PORT:-6379}"
REDIS_APPENDFSYNC="${NIMBUS_REDIS_APPENDFSYNC:-always}"
REDIS_DIR="$NIMBUS_STATE_DIR/redis"
REDIS_CONF="$REDIS_DIR/redis.conf"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$NIMBUS_LOG_DIR/redis.log"

rcli() {
    # timeout: a wedged server must not hang start/status forever.
    timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

redis_running() { pid_alive "$REDIS_PID" redis-server; }

# Healthy = answers PING and really has AOF on (i.e. it is our instance with our config).
redis_healthy() {
    [[ "$(rcli ping 2>/dev/null)" == PONG ]] &&
        [[ "$(rcli config get appendonly 2>/dev/null | sed -n 2p)" == yes ]]
}

# Stop waiting once healthy, or once the daemon wrote its pid file and then died.
redis_up_or_dead() { redis_healthy || { [[ -s "$REDIS_PID" ]] && ! redis_running; }; }
redis_gone() { ! redis_running; }

redis_status_line() {
    if redis_running && redis_healthy; then
        printf '%-9s up    redis://127.0.0.1:%s (appendfsync %s, pid %s)\n' redis "$REDIS_PORT" \
            "$(rcli config get appendfsync 2>/dev/null | sed -n 2p)" "$(<"$REDIS_PID")"
    else
        printf '%-9s down  127.0.0.1:%s\n' redis "$REDIS_PORT"
        return 3
    fi
}

# Returns 0 when the config changed (a running instance then needs a restart).
redis_write_conf() {
    case "$REDIS_APPENDFSYNC" in
        always | everysec | no) ;;
        *) die "NIMBUS_REDIS_APPENDFSYNC must be always, everysec or no (got '$REDIS_APPENDFSYNC')" ;;
    esac
    write_if_changed "$REDIS_CONF" <<EOF
# Managed by deploy/local/redis.sh; rewritten on every start.
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize yes
supervised no
pidfile $REDIS_PID
logfile $REDIS_LOG
loglevel notice
dir $REDIS_DIR
# AOF so acknowledged writes survive a crash; the RDB preamble keeps restarts fast.
appendonly yes
appendfsync $REDIS_APPENDFSYNC
aof-use-rdb-preamble yes
EOF
}

redis_start() {
    lock redis
    apt_install redis-server
    component_dir redis >/dev/null
    local changed=0
    redis_write_conf && changed=1

    if redis_running; then
        if ((changed)); then
            log "redis config changed; restarting"
            redis_stop_locked
        elif redis_healthy; then
            redis_status_line # fast path
            return 0
        fi
    fi
    if ! redis_running; then
        if port_open "$REDIS_PORT"; then
            die "127.0.0.1:$REDIS_PORT is taken by another process (Debian's redis-server service?)"
        fi
        log "starting redis on 127.0.0.1:$REDIS_PORT"
        rm -f "$REDIS_PID" # stale after a crash; the daemon writes it a moment after forking
        redis-server "$REDIS_CONF" 9>&- || die "redis-server failed to start; see $REDIS_LOG"
    fi
    # Loading a big AOF can take a while; PING answers LOADING until it is done.
    wait_for 120 "redis" redis_up_or_dead || true
    if ! redis_healthy; then
        tail -n 20 "$REDIS_LOG" >&2 || true
        die "redis did not become healthy; see $REDIS_LOG"
    fi
    redis_status_line
}

redis_stop_locked() {
    if redis_running; then
        log "stopping redis"
        # SHUTDOWN flushes the AOF (and saves) before exiting, unlike a bare kill.
        rcli shutdown >/dev/null 2>&1 || true
        if ! wait_for 30 "redis to exit" redis_gone; then
            log "redis ignored SHUTDOWN; sending SIGTERM"
            kill -TERM "$(<"$REDIS_PID")" 2>/dev/null || true
            wait_for 30 "redis to exit" redis_gone || die "redis (pid $(<"$REDIS_PID")) would not stop"
        fi
    fi
    rm -f "$REDIS_PID"
}

redis_stop() {
    lock redis
    redis_stop_locked
    printf '%-9s down\n' redis
}

redis_status() {
    if ! command -v redis-cli >/dev/null 2>&1; then
        printf '%-9s down  (not installed)\n' redis
        return 3
    fi
    redis_status_line
}

usage_dispatch redis "$@"
