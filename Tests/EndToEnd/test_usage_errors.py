"""Usage errors from the real binary: quoted, exit 1, and nothing touched (no database, no cloud call)."""
from urllib.parse import urlsplit

import pytest

from fault_proxy import FaultProxy


@pytest.mark.parametrize("args, message", [
    # A huge --parallelism used to spin a CPU and ignore SIGTERM; the timeout below is only a hang guard.
    (["--parallelism", "1000000000000000000"], "--parallelism must be between 1 and 256, got 1000000000000000000"),
    (["--parallelism", "-3"], "--parallelism must be a positive whole number, got '-3'"),
    (["--paralelism", "4"], "Unknown option '--paralelism'. Did you mean '--parallelism'?"),
])
def test_bad_apply_options_change_nothing(cloudctl, repo, moto, args, message):
    proxy = FaultProxy(urlsplit(moto).port).start()
    try:
        proc = cloudctl("apply", "--auto-approve", *args, check=1, endpoint=proxy.endpoint, timeout=60)
    finally:
        proxy.stop()
    assert proc.stderr.startswith(f"error: {message}\n"), proc.stderr
    assert proc.stdout == ""
    assert proxy.count == 0
    assert not repo.db.exists()
