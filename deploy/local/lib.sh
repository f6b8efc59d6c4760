# shellcheck shell=bash
# Shared helpers for the deploy/local/*.sh scripts. Source it; don't run it.
# Everything here only ever talks to 127.0.0.1.
set -euo pipefail

# Repo root from this file's location, not from git: works in tarballs and fresh CI clones.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export REPO
NIMBUS_STATE_DIR="${NIMBUS_STATE_DIR:-$REPO/.state}"
export NIMBUS_STATE_DIR
NIMBUS_LOG_DIR="$NIMBUS_STATE_DIR/logs"

log() {
    # stderr, so stdout stays free for the one-line status summaries infra.sh prints.
    printf '[nimbus] %s\n' "$*" >&2
}

die() {
    log "ERROR: $*"
    exit 1
}

ensure_state_dir() {
    mkdir -p "$NIMBUS_LOG_DIR"
    # Keep runtime state out of git without touching the repo's own .gitignore.
    [[ -f "$NIMBUS_STATE_DIR/.gitignore" ]] || printf '*\n' >"$NIMBUS_STATE_DIR/.gitignore"
}

# component_dir NAME: data dir for one component, created on demand.
component_dir() {
    ensure_state_dir
    mkdir -p "$NIMBUS_STATE_DIR/$1"
    printf '%s\n' "$NIMBUS_STATE_DIR/$1"
}

# lock NAME: serialise concurrent start/stop of one component (fd 9 is held until exit).
# Daemons we launch must get `9>&-`: bash has no close-on-exec, and a server that inherits
# fd 9 would hold the lock for its whole life.
lock() {
    ensure_state_dir
    exec 9>"$NIMBUS_STATE_DIR/.$1.lock"
    if ! flock -n 9; then
        log "waiting for another $1 start/stop to finish"
        flock -w 300 9 || die "gave up after 300s waiting for $NIMBUS_STATE_DIR/.$1.lock"
    fi
}

# wait_for TIMEOUT_S DESCRIPTION CMD...: poll CMD about once a second until it succeeds.
# Quiet when CMD succeeds at once; otherwise prints a dot per try so slow starts show progress.
wait_for() {
    local timeout=$1 what=$2
    shift 2
    local deadline=$((SECONDS + timeout)) dotted=0
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            if ((dotted)); then printf '\n' >&2; fi
            log "timed out after ${timeout}s waiting for $what"
            return 1
        fi
        if ((!dotted)); then
            printf '[nimbus] waiting for %s ' "$what" >&2
            dotted=1
        fi
        printf '.' >&2
        sleep 1
    done
    if ((dotted)); then printf ' ok\n' >&2; fi
    return 0
}

# run_logged LOGFILE DESCRIPTION CMD...: run a slow quiet command with a dot per second,
# keeping its output in LOGFILE and showing the tail only when it fails.
run_logged() {
    local logfile=$1 what=$2
    shift 2
    printf '[nimbus] %s ' "$what" >&2
    "$@" >"$logfile" 2>&1 </dev/null &
    local pid=$! rc=0
    while kill -0 "$pid" 2>/dev/null; do
        printf '.' >&2
        sleep 1
    done
    wait "$pid" || rc=$?
    if ((rc != 0)); then
        printf ' FAILED (exit %d)\n' "$rc" >&2
        tail -n 40 "$logfile" >&2 || true
        log "full output: $logfile"
        return "$rc"
    fi
    printf ' done\n' >&2
}

pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

_NIMBUS_APT_UPDATED=0
# apt_install PKG...: install only what is missing; apt-get update at most once per run.
apt_install() {
    local missing=() p
    for p in "$@"; do
        pkg_installed "$p" || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    log "installing ${missing[*]} (first run only; apt output follows)"
    if ((!_NIMBUS_APT_UPDATED)); then
        apt-get update -q >&2
        _NIMBUS_APT_UPDATED=1
    fi
    # apt's own progress lines go to stderr; policy-rc.d keeps it from starting services.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
}

# need_cmd CMD PKG: install PKG when CMD is not on PATH.
need_cmd() {
    command -v "$1" >/dev/null 2>&1 || apt_install "$2"
}

# pid_alive PIDFILE PATTERN: the pid in PIDFILE is running and its command line matches PATTERN
# (guards against a stale pid file whose number was reused by something else).
pid_alive() {
    local pidfile=$1 pattern=$2 pid
    [[ -s "$pidfile" ]] || return 1
    pid="$(<"$pidfile")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    # No grep -q in a pipe here: under pipefail its early exit can SIGPIPE tr and fail the test.
    [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == *"$pattern"* ]]
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
    # shellcheck disable=SC2016 # $1 is expanded by the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# write_if_changed FILE: replace FILE with stdin only when the content differs.
# Returns 0 when the file changed (caller may need a restart), 1 when it was already current.
write_if_changed() {
    local file=$1 tmp
    tmp="$(mktemp "$file.XXXXXX")"
    cat >"$tmp"
    chmod 0644 "$tmp" # mktemp makes 0600; e.g. postgres (not root) must read its conf.d file
    if [[ -f "$file" ]] && cmp -s "$tmp" "$file"; then
        rm -f "$tmp"
        return 1
    fi
    mv -f "$tmp" "$file"
    return 0
}

# usage_dispatch NAME "$@": common start|stop|status|restart front end; NAME_start etc. must exist.
usage_dispatch() {
    local name=$1
    shift
    case "${1:-}" in
        start | stop | status) "${name}_$1" ;;
        restart) "${name}_stop" && "${name}_start" ;;
        *)
            printf 'usage: %s start|stop|status|restart\n' "$0" >&2
            exit 2
            ;;
    esac
}
