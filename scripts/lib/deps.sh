# Installs what cloudctl needs on a fresh Debian machine (idempotent, quiet when already there).
# Sourced by scripts/demo, scripts/test and .ci/run.

ensure_system_packages() {
  local missing=()
  for pkg in libsqlite3-dev libssl-dev libcurl4-openssl-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_python_packages() {
  if ! python3 -c 'import moto, boto3, pytest, flask_cors; assert moto.__version__.startswith("5.2.")' >/dev/null 2>&1; then
    echo "==> installing moto[server] 5.2.x, boto3, pytest"
    python3 -m pip install -q 'moto[server]>=5.2,<5.3' boto3 pytest
  fi
}

ensure_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    echo "error: the Swift 6 toolchain is not on PATH (install it from swift.org, then re-run)" >&2
    exit 1
  fi
}

ensure_all() { ensure_swift; ensure_system_packages; ensure_python_packages; }
