"""A release wave by wave: `rollout plan / advance / status` against moto, with a local HTTP server playing the
application's health endpoint (127.0.0.1 only)."""
import hashlib
import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

OLD, NEW = "5.3.0", "5.4.0"
BAKE_SECONDS = 12


class HealthServer:
    """Answers GET /<name>/healthz with 200 and X-App-Version; names in `failing` get 503."""

    def __init__(self):
        self.version = NEW
        self.failing = set()
        self.hits = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.strip("/").split("/")[0]
                server.hits.append(name)
                status = 503 if name in server.failing else 200
                self.send_response(status)
                self.send_header("X-App-Version", server.version)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def health():
    server = HealthServer()
    yield server
    server.close()


def bucket(name, wave):
    """The planner's stable share: SHA-256 of "wave/name", first 4 bytes, modulo 100."""
    digest = hashlib.sha256(f"{wave}/{name}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo.root), *args], check=True, capture_output=True, text=True).stdout


def generate_fleet(repo, port):
    """3 internal instances, 8 production ones in `stable` (split early / rest by hash), 1 on `pause`."""
    for path in repo.instances.glob("*.json"):
        path.unlink()
    fleet = dict(repo.fleet)
    fleet["releases"] = [{"version": v} for v in ("5.2.3", OLD, NEW)]
    fleet["channels"] = {
        "stable": {"waves": [
            {"name": "internal", "types": ["internal"], "bake": f"{BAKE_SECONDS}s", "maxFailures": 0},
            {"name": "early", "percent": 50, "maxFailures": 0},
            {"name": "rest"},
        ]},
        "pause": {"paused": True},
    }
    fleet["health"] = {"url": f"http://127.0.0.1:{port}/{{name}}/healthz", "versionHeader": "X-App-Version",
                       "timeout": "2s", "deadline": "3s"}
    (repo.instances / "_fleet.json").write_text(json.dumps(fleet, indent=2) + "\n")
    names = {"internal": ["int-a", "int-b", "int-c"], "pause": ["frozen"],
             "production": [f"cust-{i:02d}" for i in range(8)]}
    for kind, group in names.items():
        for name in group:
            # Hand-written layout: odd key order, tabs, a compact object; the rollout may change only the version.
            text = (
                "{\n\t\"name\": \"%s\",  \"version\": \"%s\",\n\t\"customer\": \"%s\", \"type\": \"%s\",\n"
                "\t\"size\": \"small\", \"region\": \"us-east-1\", \"domain\": \"%s.demo.cloudctl.test\",\n"
                "\t\"channel\": \"%s\", \"state\": \"active\",\n"
                "\t\"maintenanceWindow\": {\"day\": \"sun\", \"start\": \"02:00\", \"duration\": \"4h\", "
                "\"timeZone\": \"UTC\"}\n}\n"
            ) % (name, OLD, name.upper(), "production" if kind == "pause" else kind, name,
                 "pause" if kind == "pause" else "stable")
            (repo.instances / f"{name}.json").write_text(text)
    early = sorted(n for n in names["production"] if bucket(n, "early") < 50)
    rest = sorted(n for n in names["production"] if n not in early)
    assert early and rest, "the hash split puts instances in both waves"
    return names["internal"], early, rest


def status(cloudctl):
    out = cloudctl("rollout", "status", NEW, "--json", check=0).stdout
    return {w["wave"]: w for w in json.loads(out)["waves"]}


def test_rollout_waves_gates_and_health(cloudctl, repo, health, aws):
    internal, early, rest = generate_fleet(repo, health.port)
    cloudctl.apply("--parallelism", "12")
    git(repo, "init", "-q")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "Instances")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "fleet")

    # The plan: three waves, the paused instance skipped, nothing written.
    plan = json.loads(cloudctl("rollout", "plan", NEW, "--json", check=0).stdout)
    waves = {w["wave"]: [i["name"] for i in w["instances"]] for w in plan["waves"]}
    assert waves == {"internal": internal, "early": early, "rest": rest}, waves
    assert all(i["hops"] == [NEW] for w in plan["waves"] for i in w["instances"])
    assert plan["skipped"] == [{"name": "frozen", "reason": "channel pause is paused"}]
    assert git(repo, "status", "--porcelain", "--", "Instances") == ""

    # Wave 1: edited and committed in one commit naming the wave and its instances.
    subprocess.run(["git", "-C", str(repo.root), "config", "user.name", "t"], check=True)
    subprocess.run(["git", "-C", str(repo.root), "config", "user.email", "t@example.com"], check=True)
    advanced = cloudctl("rollout", "advance", NEW, "--commit", check=0)
    assert "wave internal: set version 5.4.0 in 3 file(s): int-a, int-b, int-c" in advanced.stdout
    message = git(repo, "log", "-1", "--format=%B")
    assert "Roll out 5.4.0 to wave internal" in message and all(f"- {n}" in message for n in internal), message
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == sorted(f"Instances/{n}.json" for n in internal)
    # Idempotent: the second run edits nothing and says what holds the next wave.
    again = cloudctl("rollout", "advance", NEW, check=1)
    assert "wave internal: 0 of 3 healthy, 3 still to apply or fix" in again.stdout, again.stdout
    assert git(repo, "status", "--porcelain", "--", "Instances") == ""

    cloudctl.apply()
    waves = status(cloudctl)
    assert (waves["internal"]["healthy"], waves["internal"]["state"]) == (3, "done"), waves["internal"]
    assert waves["early"]["notStarted"] == len(early)
    assert set(health.hits) == set(internal), "only the upgraded instances were probed"
    history = cloudctl("history", "int-a", "--limit", "5", check=0).stdout
    assert "rollout 5.4.0 advance wave internal" in history, history

    # The bake gate holds the next wave, then opens.
    baking = cloudctl("rollout", "advance", NEW, check=1)
    assert "wave internal: bake" in baking.stdout and f"of {BAKE_SECONDS}s left" in baking.stdout, baking.stdout
    assert git(repo, "status", "--porcelain", "--", "Instances") == ""
    deadline = time.monotonic() + 120
    while True:
        time.sleep(2)
        opened = cloudctl("rollout", "advance", NEW)
        if opened.returncode == 0 or time.monotonic() > deadline:
            break
    assert opened.returncode == 0, opened.stdout + opened.stderr
    assert f"wave early: set version 5.4.0 in {len(early)} file(s)" in opened.stdout

    # One early instance fails its health check: budget 0, so the rollout halts there.
    broken = early[0]
    health.failing.add(broken)
    failed = cloudctl.apply(check=1)
    assert broken in failed.stdout
    waves = status(cloudctl)
    assert waves["early"]["state"] == "halted" and waves["early"]["failedInstances"] == [broken], waves["early"]
    assert waves["early"]["healthy"] == len(early) - 1
    halted = cloudctl("rollout", "advance", NEW, check=1)
    assert f"wave early: 1 of {len(early)} failed, budget 0 — halted" in halted.stdout, halted.stdout
    assert f"--approve early" in halted.stdout
    steps = [s for op in json.loads(cloudctl("history", broken, "--json", check=0).stdout) for s in op["steps"]]
    failed_check = [s for s in steps if s["action"] == "health-check" and s["status"] == "failed"]
    assert failed_check and "answered 503, expected 200" in failed_check[0]["error"], failed_check
    assert "rollout 5.4.0 halt wave early" in cloudctl("history", check=0).stdout

    # Fixed: a re-apply checks the instance again and the rollout goes on to the last wave.
    health.failing.clear()
    cloudctl.apply()
    assert status(cloudctl)["early"]["state"] == "done"
    last = cloudctl("rollout", "advance", NEW, check=0)
    assert f"wave rest: set version 5.4.0 in {len(rest)} file(s)" in last.stdout, last.stdout
    cloudctl.apply()
    waves = status(cloudctl)
    assert all(w["state"] == "done" for w in waves.values()), waves
    done = cloudctl("rollout", "advance", NEW, check=0)
    assert "names 5.4.0 already" in done.stdout

    # The paused instance was never touched: its file, and one operation (the provisioning) in its history.
    assert json.loads((repo.instances / "frozen.json").read_text())["version"] == OLD
    assert len(json.loads(cloudctl("history", "frozen", "--json", check=0).stdout)) == 1
    assert "frozen" not in health.hits

    # Every change in git, since the fleet was committed, is the version value: nothing else moved.
    diff = git(repo, "diff", "-U0", "--word-diff=porcelain", "HEAD~1", "--", "Instances")
    removed = [l for l in diff.splitlines() if l.startswith("-") and not l.startswith("---")]
    added = [l for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert removed == [f'-"{OLD}",'] * 11 and added == [f'+"{NEW}",'] * 11, (removed, added)
