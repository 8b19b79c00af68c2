#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis for the test suite, on 127.0.0.1 only. Sourced by .ci/run, which
# calls start_services before the tests and stop_services on exit. Each stops exactly what
# start_services started: the cluster in its temp dir and the Redis process in its pidfile.
#
# Exports PAYRAIL_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:PORT/postgres) and
# PAYRAIL_TEST_REDIS_URL (redis://127.0.0.1:PORT). Tests create their own databases.

PAYRAIL_SERVICES_DIR=""
PAYRAIL_PG_STARTED=""
PAYRAIL_REDIS_PIDFILE=""
PAYRAIL_SERVICES_USER=""

# A TCP port on 127.0.0.1 that nothing listens on, starting from $1.
_payrail_free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}

# Runs a command as the unprivileged service user when we are root (PostgreSQL refuses root).
_payrail_as_user() {
  if [ -n "$PAYRAIL_SERVICES_USER" ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u "$PAYRAIL_SERVICES_USER" -- "$@"
    else
      su -s /bin/sh "$PAYRAIL_SERVICES_USER" -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

_payrail_find_pg_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

_payrail_start_postgres() {
  local bin
  if ! bin=$(_payrail_find_pg_bin); then
    echo "== installing PostgreSQL from Debian's packages"
    apt-get update && apt-get install -y postgresql
    bin=$(_payrail_find_pg_bin) || { echo "PostgreSQL binaries not found" >&2; return 1; }
  fi

  local data="$PAYRAIL_SERVICES_DIR/pgdata"
  local port
  port=$(_payrail_free_port 54329)
  _payrail_as_user "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
    --no-locale >"$PAYRAIL_SERVICES_DIR/initdb.log" 2>&1 || {
    cat "$PAYRAIL_SERVICES_DIR/initdb.log" >&2
    return 1
  }
  # Tests open many pools at once (one database per test server); fsync off suits a throwaway.
  _payrail_as_user "$bin/pg_ctl" -D "$data" -l "$PAYRAIL_SERVICES_DIR/postgres.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PAYRAIL_SERVICES_DIR" \
    -o "-c max_connections=300 -c fsync=off -c full_page_writes=off" start || {
    cat "$PAYRAIL_SERVICES_DIR/postgres.log" >&2
    return 1
  }
  PAYRAIL_PG_STARTED="$bin/pg_ctl"
  export PAYRAIL_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "== PostgreSQL on 127.0.0.1:$port"
}

_payrail_start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "== installing Redis from Debian's packages"
    apt-get update && apt-get install -y redis-server
  fi
  local port
  port=$(_payrail_free_port 63799)
  PAYRAIL_REDIS_PIDFILE="$PAYRAIL_SERVICES_DIR/redis.pid"
  # No persistence: nothing is written to disk, the instance dies with the run.
  _payrail_as_user redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --protected-mode yes --daemonize yes --pidfile "$PAYRAIL_REDIS_PIDFILE" \
    --dir "$PAYRAIL_SERVICES_DIR" --logfile "$PAYRAIL_SERVICES_DIR/redis.log" || return 1
  local i
  for i in $(seq 1 50); do
    [ -s "$PAYRAIL_REDIS_PIDFILE" ] && break
    sleep 0.1
  done
  export PAYRAIL_TEST_REDIS_URL="redis://127.0.0.1:$port"
  echo "== Redis on 127.0.0.1:$port"
}

start_services() {
  # As root the services run as another user, who must reach the directory: /tmp, not $TMPDIR.
  local base="${TMPDIR:-/tmp}"
  [ "$(id -u)" = "0" ] && base=/tmp
  PAYRAIL_SERVICES_DIR=$(mktemp -d "$base/payrail-services.XXXXXX")
  if [ "$(id -u)" = "0" ]; then
    PAYRAIL_SERVICES_USER=payrail-ci
    id -u "$PAYRAIL_SERVICES_USER" >/dev/null 2>&1 ||
      useradd --system --no-create-home --shell /usr/sbin/nologin "$PAYRAIL_SERVICES_USER"
    chown "$PAYRAIL_SERVICES_USER" "$PAYRAIL_SERVICES_DIR"
  fi
  chmod 700 "$PAYRAIL_SERVICES_DIR"
  _payrail_start_postgres || echo "PostgreSQL did not start; PostgreSQL tests are skipped" >&2
  _payrail_start_redis || echo "Redis did not start; Redis tests are skipped" >&2
}

stop_services() {
  if [ -n "$PAYRAIL_PG_STARTED" ]; then
    _payrail_as_user "$PAYRAIL_PG_STARTED" -D "$PAYRAIL_SERVICES_DIR/pgdata" -m fast -w stop \
      >/dev/null || true
    PAYRAIL_PG_STARTED=""
  fi
  if [ -n "$PAYRAIL_REDIS_PIDFILE" ] && [ -s "$PAYRAIL_REDIS_PIDFILE" ]; then
    local pid
    pid=$(cat "$PAYRAIL_REDIS_PIDFILE")
    kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    PAYRAIL_REDIS_PIDFILE=""
  fi
  if [ -n "$PAYRAIL_SERVICES_DIR" ]; then
    rm -rf "$PAYRAIL_SERVICES_DIR"
    PAYRAIL_SERVICES_DIR=""
  fi
}
