#!/usr/bin/env bash
# Local AWS stack for Aduan: a moto_server on 127.0.0.1 with the resources of
# template.yaml (cases table + SNS topics, created by bootstrap.py).
#
#   stack.sh start    ensure .venv (ensure-venv.sh), start moto_server unless one
#                     already answers on the port, then create/refresh the resources.
#                     stdout is exactly one line: "started" (this call started the
#                     server: the caller should `stack.sh stop` when done) or
#                     "already running" (leave it alone). Anything else goes to stderr.
#   stack.sh stop     stop the server, but only one this script started (pid file);
#                     prints "stopped", "not running" or "not started by stack.sh".
#   stack.sh status   "running (started by stack.sh, pid N)", "running (not started by
#                     stack.sh)" or "stopped" (exit 3).
#   stack.sh env      `export` lines for the AWS SDKs (endpoint, dummy credentials,
#                     region) and TABLE_NAME / *_TOPIC_ARN of the local resources.
#
# Typical use from a test script:
#   [ "$(infra/local/stack.sh start)" = started ] && trap 'infra/local/stack.sh stop >/dev/null' EXIT
#   eval "$(infra/local/stack.sh env)"
#
# Env: ADUAN_MOTO_PORT           port (default 4566)
#      ADUAN_MOTO_START_TIMEOUT  seconds to wait for the server (default 30)
# State (git-ignored) in <repo>/.local/: moto-<port>.pid (only while a server
# started by this script runs), moto-<port>.log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

PORT="${ADUAN_MOTO_PORT:-4566}"
case "$PORT" in
  '' | *[!0-9]*) echo "stack.sh: ADUAN_MOTO_PORT must be a port number, got '$PORT'" >&2; exit 2 ;;
esac
START_TIMEOUT="${ADUAN_MOTO_START_TIMEOUT:-30}"
REGION=ap-southeast-3
ENDPOINT="http://127.0.0.1:$PORT"

venv="$root/.venv"
state="$root/.local"
pidfile="$state/moto-$PORT.pid"
logfile="$state/moto-$PORT.log"

die() { echo "stack.sh: $*" >&2; exit 1; }

# True when a moto server answers on the port (its admin API, not just any HTTP).
answering() {
  local url="$ENDPOINT/moto-api/config"
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -m 2 -o /dev/null "$url" 2>/dev/null
  else
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$url" >/dev/null 2>&1
  fi
}

# Print the pid of the server this script started, if it is still alive;
# drop a stale pid file (dead process, or pid reused by something else).
our_pid() {
  [ -f "$pidfile" ] || return 1
  local pid cmd=""
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  case "$pid" in '' | *[!0-9]*) rm -f "$pidfile"; return 1 ;; esac
  if kill -0 "$pid" 2>/dev/null; then
    if [ -r "/proc/$pid/cmdline" ]; then
      cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    else
      cmd="$(ps -p "$pid" -o command= 2>/dev/null || true)"
    fi
    case "$cmd" in *moto_serial.py*) echo "$pid"; return 0 ;; esac
  fi
  rm -f "$pidfile"
  return 1
}

kill_ours() {
  local pid="$1" i
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
}

bootstrap() {
  "$venv/bin/python" "$here/bootstrap.py" --endpoint "$ENDPOINT" --region "$REGION" "$@"
}

cmd_start() {
  "$here/ensure-venv.sh"
  mkdir -p "$state"

  # One start at a time per port (concurrent test runs).
  exec 8>"$state/moto-$PORT.lock"
  if command -v flock >/dev/null 2>&1; then flock 8; fi

  local result pid
  if answering; then
    result="already running"
  else
    # Ours but not answering (hung, or half dead): replace it.
    if pid="$(our_pid)"; then kill_ours "$pid"; fi

    printf '\n=== %s moto_server -H 127.0.0.1 -p %s\n' "$(date -u +%FT%TZ)" "$PORT" >>"$logfile"
    # moto_serial.py: moto's server handling one request at a time, so
    # transactions are isolated as DynamoDB isolates them.
    nohup "$venv/bin/python" "$here/moto_serial.py" 127.0.0.1 "$PORT" </dev/null >>"$logfile" 2>&1 8>&- &
    pid=$!
    echo "$pid" >"$pidfile"

    local deadline=$((SECONDS + START_TIMEOUT))
    until answering; do
      if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$pidfile"
        echo "stack.sh: moto_server exited before answering on $ENDPOINT (port in use?); log tail:" >&2
        tail -n 20 "$logfile" >&2 || true
        exit 1
      fi
      if [ "$SECONDS" -ge "$deadline" ]; then
        kill_ours "$pid"
        echo "stack.sh: moto_server did not answer on $ENDPOINT within ${START_TIMEOUT}s; log tail:" >&2
        tail -n 20 "$logfile" >&2 || true
        exit 1
      fi
      sleep 0.2
    done
    result="started"
  fi

  if ! bootstrap --format json >/dev/null; then
    if [ "$result" = started ] && pid="$(our_pid)"; then kill_ours "$pid"; fi
    die "bootstrap.py failed"
  fi
  echo "$result"
}

cmd_stop() {
  local pid
  if pid="$(our_pid)"; then
    kill_ours "$pid"
    echo "stopped"
  elif answering; then
    echo "not started by stack.sh"
  else
    echo "not running"
  fi
}

cmd_status() {
  local pid
  if pid="$(our_pid)" && answering; then
    echo "running (started by stack.sh, pid $pid)"
  elif answering; then
    echo "running (not started by stack.sh)"
  elif [ -n "${pid:-}" ]; then
    echo "starting or hung (started by stack.sh, pid $pid, not answering)"
    return 3
  else
    echo "stopped"
    return 3
  fi
}

cmd_env() {
  answering || die "nothing answers on $ENDPOINT; run infra/local/stack.sh start first"
  "$here/ensure-venv.sh"
  local resources
  # Idempotent: also recreates the resources if the emulator was reset.
  resources="$(bootstrap --format env)" || die "bootstrap.py failed"
  cat <<EOF
export AWS_ENDPOINT_URL=$ENDPOINT
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=$REGION
export AWS_DEFAULT_REGION=$REGION
export AWS_EC2_METADATA_DISABLED=true
EOF
  printf '%s\n' "$resources"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: $(basename "$0") start|stop|status|env" >&2
    exit 2
    ;;
esac
