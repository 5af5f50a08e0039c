# Installs what cloudctl needs on a fresh Debian machine (idempotent, quiet when already there).
# A virtualenv from an earlier run (see ensure_python_packages) is picked up first.
[ -x "$PWD/.build/python/bin/python3" ] && export PATH="$PWD/.build/python/bin:$PATH"
# Sourced by scripts/demo, scripts/test and .ci/run.

system_packages_ready() {
  local pkg
  for pkg in libsqlite3-dev libssl-dev libcurl4-openssl-dev; do dpkg -s "$pkg" >/dev/null 2>&1 || return 1; done
}

ensure_system_packages() {
  local missing=()
  # postgresql: the throwaway server scripts/test runs the PostgreSQL backend's tests against.
  for pkg in libsqlite3-dev libssl-dev libcurl4-openssl-dev libpq-dev postgresql; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

PY_REQUIREMENTS=('moto[server]>=5.2,<5.3' boto3 pytest)
python_ready() {
  python3 -c 'import moto, boto3, pytest, flask_cors; assert moto.__version__.startswith("5.2.")' >/dev/null 2>&1
}

# moto 5.2.x, boto3 and pytest for the python3 on PATH; where that Python is Debian's own (pip refuses to
# install into it: PEP 668), into a virtualenv under .build/ that is then put first on PATH.
ensure_python_packages() {
  python_ready && return 0
  echo "==> installing moto[server] 5.2.x, boto3, pytest"
  if python3 -m pip install -q "${PY_REQUIREMENTS[@]}" 2>/dev/null && python_ready; then return 0; fi
  local venv="$PWD/.build/python"
  if [ ! -x "$venv/bin/python3" ]; then
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
      local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv python3-pip >/dev/null
      python3 -m venv "$venv"
    fi
  fi
  "$venv/bin/python3" -m pip install -q "${PY_REQUIREMENTS[@]}"
  export PATH="$venv/bin:$PATH"
  python_ready || { echo "error: could not install moto, boto3 and pytest for python3" >&2; exit 1; }
}

ensure_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    echo "error: the Swift 6 toolchain is not on PATH (install it from swift.org, then re-run)" >&2
    exit 1
  fi
}

# Debian's chromium, for the fleet page's browser tests (Tests/EndToEnd/test_report.py); only scripts/test needs it.
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  echo "==> installing chromium (browser tests of the fleet page)"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

ensure_all() { ensure_swift; ensure_system_packages; ensure_python_packages; }
