#!/usr/bin/env bash
# Nimbus local infrastructure in one go: PostgreSQL, Redis, Kafka, all on 127.0.0.1 only.
# usage: infra.sh up|down|status
#   up     install (first run) + start + wait until healthy; a fast no-op when already up
#   down   stop in reverse order (data is kept under $NIMBUS_STATE_DIR and the Debian cluster)
#   status one line per component; exits non-zero if any is down
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=deploy/local/lib.sh
source "$HERE/lib.sh"

# Start order matters only loosely, but services expect the stores before the bus.
COMPONENTS=("$HERE/postgres.sh" "$HERE/redis.sh" "$HERE/kafka/kafka.sh")

case "${1:-}" in
    up)
        for c in "${COMPONENTS[@]}"; do
            bash "$c" start || die "$(basename "$c" .sh) failed to start"
        done
        ;;
    down)
        rc=0
        for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
            bash "${COMPONENTS[i]}" stop || rc=1 # keep stopping the others
        done
        exit "$rc"
        ;;
    status)
        rc=0
        for c in "${COMPONENTS[@]}"; do
            bash "$c" status || rc=3
        done
        exit "$rc"
        ;;
    *)
        printf 'usage: %s up|down|status\n' "$0" >&2
        exit 2
        ;;
esac
