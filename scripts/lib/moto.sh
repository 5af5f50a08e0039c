# Starts and stops a moto server on 127.0.0.1 (never any other address). Sourced by scripts.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_moto [PORT] — sets MOTO_PID and MOTO_ENDPOINT; waits until it answers.
start_moto() {
  local port="${1:-$(free_port)}"
  local log="${MOTO_LOG:-}"
  # A log of our own making is removed again by stop_moto.
  if [ -z "$log" ]; then log=$(mktemp -t moto.XXXXXX.log); MOTO_TEMP_LOG="$log"; fi
  python3 -m moto.server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  MOTO_PID=$!
  MOTO_ENDPOINT="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)" \
        "$MOTO_ENDPOINT/moto-api/" 2>/dev/null; then
      echo "==> moto $(python3 -c 'import moto; print(moto.__version__)') on $MOTO_ENDPOINT (pid $MOTO_PID)"
      return 0
    fi
    kill -0 "$MOTO_PID" 2>/dev/null || { echo "error: moto did not start; log:" >&2; cat "$log" >&2; return 1; }
    sleep 0.2
  done
  echo "error: moto did not answer on $MOTO_ENDPOINT within 20 s" >&2
  return 1
}

stop_moto() {
  if [ -n "${MOTO_PID:-}" ] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill "$MOTO_PID" 2>/dev/null; wait "$MOTO_PID" 2>/dev/null || true
  fi
  MOTO_PID=""
  if [ -n "${MOTO_TEMP_LOG:-}" ]; then rm -f "$MOTO_TEMP_LOG"; MOTO_TEMP_LOG=""; fi
}

# Credentials for moto: it checks no signatures, but cloudctl always signs.
moto_env() {
  export AWS_ENDPOINT_URL="$MOTO_ENDPOINT" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
  unset AWS_SESSION_TOKEN AWS_PROFILE
}
