#!/usr/bin/env bash
# Start throwaway PostgreSQL 15 and Redis servers for the test suite (Debian packages).
# Prints the environment to export; `scripts/services.sh stop DIR` stops them.
set -euo pipefail

pg_bin=/usr/lib/postgresql/15/bin
ensure_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x "$pg_bin/initdb" ] || missing+=(postgresql-15)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() {
  ensure_packages
  local dir; dir="$(mktemp -d /tmp/reidsite-services.XXXXXX)"
  chmod 755 "$dir"
  local pg_port redis_port run=()
  pg_port="$(free_port)"; redis_port="$(free_port)"
  # initdb refuses to run as root: run the server as the postgres system user then.
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
    run=(runuser -u postgres --)
    mkdir -p "$dir/pg" && chown postgres "$dir/pg"
  fi
  "${run[@]}" "$pg_bin/initdb" -D "$dir/pg/data" -U reidsite --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  "${run[@]}" "$pg_bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w \
    -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >&2
  # Redis persists as in production (docker-compose.yml: the append-only file), fsyncing every
  # write so that a test which kills and restarts it (`redis-server $dir/redis.conf`) finds
  # every queued task again. No RDB snapshots.
  mkdir -p "$dir/redis"
  cat >"$dir/redis.conf" <<CONF
port $redis_port
bind 127.0.0.1
dir $dir/redis
appendonly yes
appendfsync always
save ""
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
CONF
  redis-server "$dir/redis.conf" >&2
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  echo "export REIDSITE_SERVICES_DIR=$dir"
  echo "export REIDSITE_REDIS_CONF=$dir/redis.conf"
  echo "export DATABASE_URL=postgres://reidsite@127.0.0.1:$pg_port/reidsite"
  echo "export REDIS_URL=redis://127.0.0.1:$redis_port/0"
  echo "export CELERY_BROKER_URL=redis://127.0.0.1:$redis_port/0"
}

stop() {
  local dir="$1"
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  if [ -d "$dir/pg/data" ]; then
    local run=()
    [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
    "${run[@]}" "$pg_bin/pg_ctl" -D "$dir/pg/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-start}" in
  start) start ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
