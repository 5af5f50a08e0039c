"""Fixtures for the end-to-end suite: a moto server on 127.0.0.1, a copy of the sample fleet,
the cloudctl binary, and boto3 clients (the independent view of what exists)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="session")
def moto_endpoint():
    """CLOUDCTL_TEST_ENDPOINT when scripts/test started moto; otherwise start one here."""
    endpoint = os.environ.get("CLOUDCTL_TEST_ENDPOINT")
    proc = None
    if not endpoint:
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
    assert endpoint.startswith("http://127.0.0.1:"), "tests only ever talk to loopback"
    yield endpoint
    if proc:
        proc.terminate()
        proc.wait()


@pytest.fixture
def moto(moto_endpoint):
    """A moto with nothing in it."""
    urllib.request.urlopen(urllib.request.Request(moto_endpoint + "/moto-api/reset", method="POST"), timeout=10)
    return moto_endpoint


@pytest.fixture(scope="session")
def cloudctl_bin():
    path = os.environ.get("CLOUDCTL_BIN")
    if not path:
        subprocess.run(["swift", "build", "--product", "cloudctl"], cwd=ROOT, check=True, capture_output=True)
        out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True,
                             text=True)
        path = os.path.join(out.stdout.strip(), "cloudctl")
    assert os.path.exists(path), path
    return path


class FleetRepo:
    """A temporary copy of the sample fleet plus a state database, with helpers to edit instance files."""

    def __init__(self, root: Path):
        self.root = root
        self.instances = root / "Instances"
        shutil.copytree(ROOT / "Instances", self.instances)
        self.db = root / "state.db"
        self.fleet = json.loads((self.instances / "_fleet.json").read_text())

    def specs(self):
        return {p.stem: json.loads(p.read_text())
                for p in sorted(self.instances.glob("*.json")) if p.name != "_fleet.json"}

    def spec(self, name):
        return json.loads((self.instances / f"{name}.json").read_text())

    def edit(self, name, **changes):
        spec = self.spec(name)
        spec.update(changes)
        (self.instances / f"{name}.json").write_text(json.dumps(spec, indent=2) + "\n")
        return spec

    def names(self, state=None):
        return [n for n, s in self.specs().items() if state is None or s["state"] == state]

    def prefix(self, name):
        return f"cloudctl-{self.fleet['name']}-{name}"


@pytest.fixture
def repo(tmp_path):
    return FleetRepo(tmp_path)


class Cloudctl:
    """Runs the binary against a repo and an endpoint; keeps every byte it printed (for the secrets test)."""

    def __init__(self, binary, repo, endpoint):
        self.binary, self.repo, self.endpoint = binary, repo, endpoint
        self.transcript = []

    def env(self, endpoint=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ENDPOINT_URL=endpoint or self.endpoint, AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
                   CLOUDCTL_DB=str(self.repo.db), NO_COLOR="1")
        return env

    def __call__(self, *args, check=None, endpoint=None, timeout=600):
        proc = subprocess.run([self.binary, *args, "--repo", str(self.repo.root)], env=self.env(endpoint),
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        self.transcript += [proc.stdout, proc.stderr]
        if check is not None:
            assert proc.returncode == check, (f"cloudctl {' '.join(args)} exited {proc.returncode}\n"
                                              f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
        return proc

    def spawn(self, *args, endpoint=None):
        return subprocess.Popen([self.binary, *args, "--repo", str(self.repo.root)], env=self.env(endpoint),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)

    def apply(self, *args, check=0, endpoint=None):
        return self(*("apply", "--auto-approve", "--ignore-maintenance-window", *args), check=check, endpoint=endpoint)


@pytest.fixture
def cloudctl(cloudctl_bin, repo, moto):
    return Cloudctl(cloudctl_bin, repo, moto)


@pytest.fixture
def aws(moto):
    from cloud_inventory import Inventory
    return Inventory(moto)
