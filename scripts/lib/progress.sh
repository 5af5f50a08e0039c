# Progress for long steps on one screen, with the full output in $PROGRESS_LOG. Sourced by scripts/demo.

# run_step TITLE COMMAND [ARG…] — runs the command (or shell function) with output to the log, printing elapsed time
# and swift build's [N/M] counter while they run; on failure prints the log's tail and exits.
run_step() {
  local title="$1"; shift
  echo "==> $title"
  echo "==> $title" >>"$PROGRESS_LOG"
  "$@" >>"$PROGRESS_LOG" 2>&1 &
  local pid=$! start=$SECONDS last_line=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    local counter
    counter=$(grep -oE '^\[[0-9]+/[0-9]+\]' "$PROGRESS_LOG" | tail -n 1 || true)
    if [ -t 1 ]; then
      printf '\r    %ds %s ' "$((SECONDS - start))" "$counter"
    elif [ $((SECONDS - last_line)) -ge 50 ]; then
      # Not a terminal (CI): a line every 50 s, so no minute passes silently.
      echo "    still running after $((SECONDS - start))s $counter"
      last_line=$SECONDS
    fi
  done
  [ -t 1 ] && printf '\r\033[K'
  if ! wait "$pid"; then
    echo "    failed after $((SECONDS - start))s; the last lines of $PROGRESS_LOG:" >&2
    tail -n 20 "$PROGRESS_LOG" >&2
    exit 1
  fi
  echo "    done in $((SECONDS - start))s"
}

# show TITLE FILTER… -- COMMAND… — runs the command with all output to the log and prints what FILTER keeps of its
# stdout; a failing command prints its stderr too and stops the script.
show() {
  local title="$1"; shift
  local filter=()
  while [ "$1" != "--" ]; do filter+=("$1"); shift; done
  shift
  echo
  echo "\$ $title"
  echo "\$ $title" >>"$PROGRESS_LOG"
  local out err status=0
  out=$(mktemp -p "${PROGRESS_TMP:-${TMPDIR:-/tmp}}"); err=$(mktemp -p "${PROGRESS_TMP:-${TMPDIR:-/tmp}}")
  "$@" >"$out" 2>"$err" || status=$?
  cat "$out" "$err" >>"$PROGRESS_LOG"
  "${filter[@]}" <"$out" | sed 's/^/  /' || true
  if [ "$status" -ne 0 ]; then
    sed 's/^/  /' "$err" >&2
    rm -f "$out" "$err"
    echo "  exit $status; full output in $PROGRESS_LOG" >&2
    exit "$status"
  fi
  rm -f "$out" "$err"
}
