"""cloudctl report: the fleet page, opened in headless Chromium with networking off after an apply against moto."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Screenshots and the network log land here for people to look at; the folder is gitignored.
ARTIFACTS = ROOT / "test-artifacts"
HOSTILE = "<script>alert(1)</script>"
# Networking off: every host resolves to nothing and every proxied request goes to a closed loopback port.
NETWORK_OFF = ["--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium is missing: scripts/test installs Debian's chromium package (apt-get install chromium)"
    return path


def browse(url, *extra, tmp_path):
    """Loads url headless with networking off and returns the DOM after the page's scripts ran."""
    proc = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", *NETWORK_OFF,
         "--virtual-time-budget=5000", *extra, "--dump-dom", url],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def rows(dom):
    """(name, hidden) for every row of the instance table."""
    return [(m.group(2), "hidden" in m.group(1) + m.group(3))
            for m in re.finditer(r'<tr([^>]*) data-name="([^"]*)"([^>]*)>', dom)]


@pytest.fixture
def page(cloudctl, repo, tmp_path):
    repo.edit("globex", customer=HOSTILE)
    cloudctl.apply()
    out = tmp_path / "site" / "fleet.html"
    proc = cloudctl("report", "--out", str(out), check=0)
    assert "Open it in a browser: file://" in proc.stdout
    return out


def test_page_lists_every_instance_and_filters_from_the_address(page, cloudctl, repo, tmp_path):
    html = page.read_text()
    assert HOSTILE not in html, "the hostile customer name reached the file as markup"
    assert "default-src 'none'" in html

    dom = browse(page.as_uri(), tmp_path=tmp_path)
    assert 'data-ready="true"' in dom, "the page's script did not finish"
    assert '<svg id="versions-chart"' in dom
    listed = rows(dom)
    assert sorted(name for name, _ in listed) == sorted(repo.names())
    assert not any(hidden for _, hidden in listed)
    # The hostile customer is a table cell's text, and no script beyond the page's own two exists.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert dom.count("<script") == 2

    # The sample fleet is mid-rollout: 5.3.0 runs on dogfood and umbrella-trial, stable has not started it. The
    # Rollouts section says so per wave, and agrees with `rollout status` (never per instance).
    section = re.search(r'<section id="rollouts">(.*?)</section>', dom, re.S)
    assert section, "no Rollouts section"
    rollouts = section.group(1)
    assert '<h3 id="rollout-5.3.0">Release 5.3.0</h3>' in rollouts, rollouts
    assert "Release 5.1.0" not in rollouts, "every live instance runs 5.1.0 or newer: not rolling"
    assert "Not reached: initech (channel pause is paused)" in rollouts, rollouts
    status = json.loads(cloudctl("rollout", "status", "5.3.0", "--json", check=0).stdout)
    assert status["waves"]
    for wave in status["waves"]:
        row = f'<td>{wave["wave"]}</td><td>{wave["channel"]}</td><td>{wave["state"]}</td>'
        assert row in rollouts, (row, rollouts)
        for closure in wave["closures"]:
            assert closure in rollouts, (closure, rollouts)

    dom = browse(page.as_uri() + "?q=hooli", tmp_path=tmp_path)
    visible = [name for name, hidden in rows(dom) if not hidden]
    assert visible == ["hooli"]
    assert len(rows(dom)) == len(repo.names())


def test_instance_anchor_shows_resources_steps_and_timeline(page, cloudctl, tmp_path):
    status = json.loads(cloudctl("status", "acme", "--json", check=0).stdout)
    dom = browse(page.as_uri() + "#instance-acme", tmp_path=tmp_path)
    match = re.search(r'<section class="instance" id="instance-acme">(.*?)</section>', dom, re.S)
    assert match, "no section for #instance-acme"
    section = match.group(1)
    for kind, resource in status["recorded"]["resources"].items():
        assert resource["cloudId"] in section, f"{kind}'s cloud id is missing"
    assert "storageGB=" in section, "the database's attributes are missing"
    assert "Last 20 steps" in section or "steps (newest first)" in section
    assert re.search(r'<ol class="timeline"><li class="succeeded">', section)


def page_requests(netlog):
    """URLs the page itself asked for, from Chromium's network log. Chromium's own background requests (updates,
    time, accounts: all refused here by the dead proxy) carry the initiator "not an origin"; a page's have its
    origin ("null" for a file)."""
    log = json.loads(netlog.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    assert log["events"], "the network log recorded nothing; is --log-net-log still supported?"
    return sorted({event["params"]["url"] for event in log["events"]
                   if event["type"] == start_job and "url" in event.get("params", {})
                   and event["params"].get("initiator") != "not an origin"})


def test_page_renders_offline_and_requests_nothing(page, tmp_path):
    """Networking off, with Chromium's network log: the page asks for nothing beyond its own file."""
    # The check can fail: a page that loads an image from loopback shows up in the log.
    control = tmp_path / "control.html"
    control.write_text('<!doctype html><img src="http://127.0.0.1:9/pixel.png">')
    browse(control.as_uri(), f"--log-net-log={tmp_path / 'control.json'}", tmp_path=tmp_path)
    assert page_requests(tmp_path / "control.json") == ["http://127.0.0.1:9/pixel.png"]

    netlog = tmp_path / "netlog.json"
    dom = browse(page.as_uri(), f"--log-net-log={netlog}", tmp_path=tmp_path)
    assert 'data-ready="true"' in dom and '<svg id="versions-chart"' in dom
    assert [url for url in page_requests(netlog) if not url.startswith(("file:", "data:"))] == []

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "fleet-report.png"
    screenshot.unlink(missing_ok=True)
    proc = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         f"--user-data-dir={tmp_path / 'chromium-shot'}", *NETWORK_OFF, "--hide-scrollbars",
         "--window-size=1280,1600", "--virtual-time-budget=5000", f"--screenshot={screenshot}", page.as_uri()],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert screenshot.stat().st_size > 10_000, "the screenshot is (nearly) empty"


def test_page_holds_no_generated_password(page, repo, aws):
    html = page.read_bytes()
    names = repo.names("active") + repo.names("suspended")
    passwords = [aws.secret_value(f"cloudctl/{repo.fleet['name']}/{n}/database", repo.spec(n)["region"]) for n in names]
    assert passwords
    for password in passwords:
        assert password.encode() not in html


def test_refresh_reads_the_cloud_and_shows_drift(cloudctl, repo, aws, tmp_path):
    cloudctl.apply()
    out = tmp_path / "fleet.html"
    cloudctl("report", "--refresh", "--out", str(out), check=0)
    assert "No drift: every checked resource matches its record." in out.read_text()
    # Scale acme's service by hand: the next page names it.
    name = repo.names("active")[0]
    region = repo.spec(name)["region"]
    ecs = aws.client("ecs", region)
    cluster = [c for c in ecs.list_clusters()["clusterArns"] if c.endswith(f"/cloudctl-{repo.fleet['name']}-{name}")]
    assert cluster, ecs.list_clusters()
    service = ecs.list_services(cluster=cluster[0])["serviceArns"][0]
    ecs.update_service(cluster=cluster[0], service=service, desiredCount=7)
    cloudctl("report", "--refresh", "--out", str(out), check=0)
    page = out.read_text()
    assert "No drift" not in page
    assert "observed 7" in page


def test_report_without_a_database_is_an_error(cloudctl, tmp_path):
    proc = cloudctl("report", "--out", str(tmp_path / "fleet.html"), check=1)
    assert "no state database" in proc.stderr
    assert not (tmp_path / "fleet.html").exists()
