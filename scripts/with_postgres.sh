#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster:
#   scripts/with_postgres.sh .venv/bin/python -m pytest -q
# Starts a fresh cluster (Debian's postgresql-15 packages) in a temporary directory on a free loopback port,
# creates the database `kaohe`, runs the command with DATABASE_URL=postgres://postgres@127.0.0.1:PORT/kaohe,
# then stops the cluster and removes it, whatever the command's outcome. Exits with the command's status.
# The cluster trades durability for speed (fsync off): it only ever holds test and benchmark data.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "用法: scripts/with_postgres.sh 命令 [参数...]" >&2
  exit 2
fi

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$PG_BIN/initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "安装 PostgreSQL 15（postgresql-15）" >&2
    (apt-get install -y -q postgresql-15 >/dev/null 2>&1 \
      || (apt-get update -q >/dev/null && apt-get install -y -q postgresql-15 >/dev/null))
  fi
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "找不到 PostgreSQL 15（$PG_BIN/initdb）— 请运行: sudo apt-get install -y postgresql-15" >&2
    exit 2
  fi
fi

# initdb refuses to run as root: as root the cluster belongs to the `postgres` user, else to the caller.
if [ "$(id -u)" = 0 ]; then
  as_owner() { runuser -u postgres -- "$@"; }
else
  as_owner() { "$@"; }
fi

WORK_DIR="$(mktemp -d /tmp/kaohe-pg.XXXXXX)"
DATA_DIR="$WORK_DIR/data"
SOCKET_DIR="$WORK_DIR/socket"
mkdir -p "$SOCKET_DIR"
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK_DIR"
chmod 700 "$WORK_DIR"

cleanup() {
  as_owner "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

as_owner "$PG_BIN/initdb" -D "$DATA_DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  >"$WORK_DIR/initdb.log" 2>&1 || { cat "$WORK_DIR/initdb.log" >&2; exit 1; }
as_owner "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$WORK_DIR/server.log" -w -t 60 start -o \
  "-p $PORT -k $SOCKET_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
   -c full_page_writes=off -c max_connections=200" >/dev/null \
  || { cat "$WORK_DIR/server.log" >&2; exit 1; }
as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres kaohe

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/kaohe"
echo "PostgreSQL 15 临时实例: $DATABASE_URL" >&2
status=0
"$@" || status=$?
exit "$status"
