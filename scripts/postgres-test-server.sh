#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the test suite, installing it with
# apt when missing (make test runs as root on a fresh machine). Prints the DATABASE_URL.
set -euo pipefail

PORT="${PARCOURS_PG_PORT:-54329}"
DATA_DIR="${PARCOURS_PG_DIR:-/tmp/parcours-pg-$PORT}"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

BIN="$(find_bin)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "Installation de PostgreSQL (apt-get)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BIN="$(find_bin)"
fi

as_postgres() {
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

if [ ! -f "$DATA_DIR/PG_VERSION" ]; then
  mkdir -p "$DATA_DIR"
  [ "$(id -u)" = "0" ] && chown postgres: "$DATA_DIR"
  as_postgres "'$BIN/initdb' -D '$DATA_DIR' --auth=trust --username=postgres --encoding=UTF8 --locale=C.UTF-8" >/dev/null
fi

if ! as_postgres "'$BIN/pg_ctl' -D '$DATA_DIR' status" >/dev/null 2>&1; then
  as_postgres "'$BIN/pg_ctl' -D '$DATA_DIR' -l '$DATA_DIR/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $PORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null
fi

echo "postgres://postgres@127.0.0.1:$PORT/parcours"
