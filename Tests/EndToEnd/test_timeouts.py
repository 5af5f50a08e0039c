"""A cloud endpoint that accepts connections and never answers: every call and every step gives up, in words."""
import re
import socket
import threading

import pytest


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts every connection, reads nothing and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.held = []
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def silent():
    server = SilentServer()
    yield server
    server.close()


def first_active(repo):
    return next(n for n, s in repo.specs().items() if s["state"] == "active")


@pytest.mark.parametrize("env, expected", [
    # Every call gives up after the request timeout, read-only calls are retried, then the step fails.
    ({"CLOUDCTL_REQUEST_TIMEOUT": "1s"}, r"ec2:DescribeVpcs timed out after 1 s \(http://127\.0\.0\.1:{port}\)"),
    # The step's deadline comes first and cuts the call short; not retried.
    ({"CLOUDCTL_REQUEST_TIMEOUT": "30s", "CLOUDCTL_STEP_TIMEOUT": "2s"},
     r"ran out of its 2 s deadline before ec2:DescribeVpcs could finish"),
])
def test_silent_endpoint_fails_the_step_with_a_timeout_in_words(cloudctl, repo, silent, monkeypatch, env, expected):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    name = first_active(repo)
    proc = cloudctl("apply", "--auto-approve", "--ignore-maintenance-window", name,
                    check=1, endpoint=silent.endpoint, timeout=300)
    out = proc.stdout + proc.stderr
    assert silent.accepted >= 1, "cloudctl never reached the silent endpoint"
    assert re.search(expected.format(port=silent.port), out), out
    assert "-1001" not in out and "NSURLErrorDomain" not in out, out
    assert f"{name}: failed" in out, out


def test_bad_timeout_setting_is_refused_before_any_cloud_call(cloudctl, repo, silent, monkeypatch):
    monkeypatch.setenv("CLOUDCTL_STEP_TIMEOUT", "soon")
    proc = cloudctl("apply", "--auto-approve", "--ignore-maintenance-window", first_active(repo),
                    check=1, endpoint=silent.endpoint, timeout=120)
    assert "CLOUDCTL_STEP_TIMEOUT 'soon' is not a duration" in proc.stderr, proc.stderr
    assert silent.accepted == 0
