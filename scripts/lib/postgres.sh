# Starts and stops a throwaway PostgreSQL server on 127.0.0.1 (never any other address), in a temporary folder.
# Sourced by scripts. PostgreSQL refuses to run as root: as root, the server runs as the unprivileged user
# cloudctl-pg (created when missing).

PG_TEST_USER=cloudctl-pg

# Debian installs the server binaries under /usr/lib/postgresql/<major>/bin, not on PATH.
pg_bin_dir() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$dir" ] || { echo "error: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; return 1; }
  echo "$dir"
}

# Runs a command as the server's user.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_TEST_USER" -- "$@"; else "$@"; fi
}

# start_postgres — sets PG_PID_DIR, PG_TEST_URL (with a generated password) and exports CLOUDCTL_TEST_PG_URL.
start_postgres() {
  local bin port password
  bin="$(pg_bin_dir)" || return 1
  port="$(free_port)"
  if [ "$(id -u)" -eq 0 ] && ! id "$PG_TEST_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_TEST_USER"
  fi
  PG_DIR="$(mktemp -d -t cloudctl-pg.XXXXXX)"
  [ "$(id -u)" -eq 0 ] && chown "$PG_TEST_USER" "$PG_DIR"
  password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  printf '%s\n' "$password" >"$PG_DIR/pwfile"
  [ "$(id -u)" -eq 0 ] && chown "$PG_TEST_USER" "$PG_DIR/pwfile"
  chmod 600 "$PG_DIR/pwfile"
  # Password authentication on TCP, so a wrong password is refused as it would be on a real server.
  if ! pg_as_owner "$bin/initdb" -D "$PG_DIR/data" -U cloudctl --pwfile="$PG_DIR/pwfile" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1; then
    echo "error: initdb failed; log:" >&2; cat "$PG_DIR/initdb.log" >&2; return 1
  fi
  rm -f "$PG_DIR/pwfile"
  if ! pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null; then
    echo "error: PostgreSQL did not start; log:" >&2; cat "$PG_DIR/server.log" >&2; return 1
  fi
  PG_BIN="$bin"
  PG_TEST_URL="postgres://cloudctl:$password@127.0.0.1:$port/postgres"
  export CLOUDCTL_TEST_PG_URL="$PG_TEST_URL"
  echo "==> PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_DIR)"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
  PG_DIR=""
}
