"""Several runners on one fleet: two shards at once apply every instance exactly once, a killed shard re-runs
without duplicates, --skip-locked names the holder, and --changed-since selects from real git history."""
import json
from concurrent.futures import ThreadPoolExecutor
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from expectations import assert_provisioned
from journal import count, rows, succeeded_steps

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts" / "lib"))
from fleetgen import generate  # noqa: E402


def shard_fleet(repo, n=8):
    """Replaces the sample instances with n generated ones: mixed types and channels, so several waves."""
    for path in repo.instances.glob("*.json"):
        path.unlink()
    generate(repo.root, n, vary=True, prefix="shard")
    # Every other instance a production one on the stable channel: its waves come after the internal wave.
    for i, name in enumerate(sorted(repo.names())):
        if i % 2:
            repo.edit(name, channel="stable", type="production")
            path = repo.instances / f"{name}.json"
            edited = json.loads(path.read_text())
            edited.pop("trial", None)
            path.write_text(json.dumps(edited, indent=2) + "\n")
    return sorted(repo.names())


def create_zone(aws, repo):
    """The fleet's hosted zone, made before runners start at once. Route 53 refuses a second zone with cloudctl's
    caller reference (and cloudctl then uses the first); moto makes a second zone instead, so two runners creating
    it at the same moment would each write records into their own."""
    zone, fleet = repo.fleet["dns"]["zone"], repo.fleet["name"]
    created = aws.client("route53").create_hosted_zone(Name=zone, CallerReference=f"cloudctl-{fleet}-{zone}")
    zone_id = created["HostedZone"]["Id"].split("/")[-1]
    aws.client("route53").change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=zone_id, AddTags=[{"Key": "cloudctl:fleet", "Value": fleet}])


def databases(aws, identifier, region="us-east-1"):
    """Every RDS instance with exactly this identifier (a duplicate would be a second, differently named one)."""
    found = aws.client("rds", region).describe_db_instances()["DBInstances"]
    return [d for d in found if d["DBInstanceIdentifier"].startswith(identifier)]


def assert_each_once(aws, repo, names):
    for name in names:
        assert len(aws.vpcs(name)) == 1, f"{name}: expected one VPC"
        assert len(databases(aws, repo.prefix(name))) == 1, f"{name}: expected one database"
        assert_provisioned(aws, repo, name)


def waves(cloudctl):
    plan = json.loads(cloudctl("plan", "--json", check=0).stdout)
    return {i["name"]: i["wave"] for i in plan["instances"]}


def finish(proc, timeout=600):
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out + err


def finish_all(*procs):
    """Waits for every process while draining all their pipes at once: a runner waiting at a wave barrier for
    another must not be blocked writing to a pipe nobody reads yet (a full pipe would deadlock the two)."""
    with ThreadPoolExecutor(len(procs)) as pool:
        results = list(pool.map(finish, procs))
    return results


def test_two_shards_at_once_apply_every_instance_exactly_once_wave_by_wave(cloudctl, repo, aws):
    names = shard_fleet(repo)
    create_zone(aws, repo)
    wave_of = waves(cloudctl)
    assert len(set(wave_of.values())) >= 2, f"the test needs several waves: {wave_of}"
    # A bounded wait at the barrier: should one runner die, the other gives up instead of hanging the suite.
    common = ("apply", "--auto-approve", "--ignore-maintenance-window", "--parallelism", "2", "--wave-timeout", "5m")
    first = cloudctl.spawn(*common, "--shard", "1/2")
    second = cloudctl.spawn(*common, "--shard", "2/2")
    (rc1, out1), (rc2, out2) = finish_all(first, second)
    assert rc1 == 0, out1
    assert rc2 == 0, out2
    assert "Shard 1/2:" in out1 and "Shard 2/2:" in out2

    assert_each_once(aws, repo, names)
    # Each instance was applied by exactly one runner, once.
    applied = rows(repo.db, "SELECT instance, count(*), group_concat(holder) FROM operations GROUP BY instance")
    assert sorted(a[0] for a in applied) == names
    assert all(a[1] == 1 for a in applied), applied
    assert len({a[2] for a in applied}) == 2, "both runners applied instances"
    # No instance of a later wave started before every instance of the earlier waves finished, in either shard.
    times = {r[0]: (r[1], r[2]) for r in rows(repo.db, "SELECT instance, started_at, finished_at FROM operations")}
    for name, wave in wave_of.items():
        earlier = [times[n][1] for n, w in wave_of.items() if w < wave]
        assert all(times[name][0] >= end for end in earlier), \
            f"{name} (wave {wave}) started before an earlier wave ended"
    assert "No changes" in cloudctl.apply().stdout


def test_kill_one_shard_and_rerun_it_leaves_no_duplicate(cloudctl, repo, aws):
    names = shard_fleet(repo)
    create_zone(aws, repo)
    # A bounded wait at the barrier: should one runner die, the other gives up instead of hanging the suite.
    common = ("apply", "--auto-approve", "--ignore-maintenance-window", "--parallelism", "2", "--wave-timeout", "5m")
    first = cloudctl.spawn(*common, "--shard", "1/2")
    second = cloudctl.spawn(*common, "--shard", "2/2")
    deadline = time.time() + 300
    mine = lambda: count(repo.db, "SELECT count(*) FROM steps WHERE status = 'succeeded' AND operation_id IN "
                                  "(SELECT id FROM operations WHERE holder LIKE ?)", f"%pid {first.pid}")
    while mine() < 3:
        assert first.poll() is None, "shard 1 finished before it could be killed: " + first.stdout.read()
        assert time.time() < deadline, "shard 1 made no progress"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()

    rerun = cloudctl.spawn(*common, "--shard", "1/2")
    (rc_rerun, out_rerun), (rc2, out2) = finish_all(rerun, second)
    assert rc_rerun == 0, out_rerun
    assert rc2 == 0, out2
    assert_each_once(aws, repo, names)
    assert count(repo.db, "SELECT count(*) FROM steps WHERE status = 'running'") == 0
    assert "No changes" in cloudctl.apply().stdout


def hold_lock(db, instance, holder):
    """A lock taken by a runner on another machine, with a long lease (SQLite's clock, as cloudctl writes it)."""
    con = sqlite3.connect(db, timeout=10)
    with con:
        con.execute("INSERT INTO locks (instance, holder, acquired_at, lease_until) VALUES (?, ?, "
                    "(julianday('now') - 2451910.5) * 86400.0, (julianday('now') - 2451910.5) * 86400.0 + 3600)",
                    (instance, holder))
    con.close()


def test_skip_locked_names_the_holder_and_lock_timeout_gives_up(cloudctl, repo, aws):
    cloudctl.apply("dogfood")  # creates the database
    holder = "ci@runner-7 pid 4242"
    hold_lock(repo.db, "acme", holder)

    out = cloudctl.apply("acme", "--skip-locked").stdout
    assert f"acme: skipped: locked by {holder}" in out, out
    assert "1 skipped" in out
    assert aws.vpcs("acme") == [], "a skipped instance is left to its holder"

    proc = cloudctl.apply("acme", "--lock-timeout", "2s", check=1)
    assert holder in proc.stdout and "waited 2 s" in proc.stdout, proc.stdout
    assert aws.vpcs("acme") == []

    cloudctl("unlock", "acme", check=0)
    cloudctl.apply("acme", "--lock-timeout", "2s")
    assert len(aws.vpcs("acme")) == 1


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo.root), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin", "HOME": str(repo.root)})


def commit(repo, message):
    git(repo, "add", "-A", "Instances")
    git(repo, "commit", "-q", "-m", message)
    out = subprocess.run(["git", "-C", str(repo.root), "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def planned(cloudctl, revision):
    proc = cloudctl("plan", "--json", "--changed-since", revision, check=0)
    return sorted(i["name"] for i in json.loads(proc.stdout)["instances"]) if proc.stdout.strip() else []


def test_changed_since_selects_from_git_history(cloudctl, repo, aws):
    git(repo, "init", "-q")
    first = commit(repo, "fleet")
    fleet = json.loads((repo.instances / "_fleet.json").read_text())
    medium = sorted(n for n, s in repo.specs().items() if s["size"] == "medium" and s["state"] != "deleted")
    assert medium, "the sample fleet has medium instances"
    fleet["tiers"]["medium"]["replicas"] += 1
    (repo.instances / "_fleet.json").write_text(json.dumps(fleet, indent=2))
    tier = commit(repo, "medium tier: one more replica")
    fleet["releases"].append({"version": "9.0.0"})
    (repo.instances / "_fleet.json").write_text(json.dumps(fleet, indent=2))
    release = commit(repo, "a new release in the catalog")
    repo.edit("dogfood", labels={"owner": "edited-in-commit-4"})
    labels = commit(repo, "dogfood label")
    repo.edit("umbrella-trial", labels={"owner": "edited-in-the-working-tree"})

    assert planned(cloudctl, first) == sorted(medium + ["dogfood", "umbrella-trial"])
    assert planned(cloudctl, tier) == ["dogfood", "umbrella-trial"], "a new release selects nobody"
    assert planned(cloudctl, release) == ["dogfood", "umbrella-trial"]
    assert planned(cloudctl, labels) == ["umbrella-trial"]
    assert planned(cloudctl, "HEAD~3") == sorted(medium + ["dogfood", "umbrella-trial"])
    assert "changed since" in cloudctl("validate", "--changed-since", labels, check=0).stdout

    git(repo, "stash", "-q")
    nothing = cloudctl("plan", "--changed-since", "HEAD", "--detailed-exitcode", check=0)
    assert "No instance changed since" in nothing.stdout
    git(repo, "stash", "pop", "-q")

    bad = cloudctl("plan", "--changed-since", "no-such-ref", check=1)
    assert "no-such-ref" in bad.stderr and "git revision" in bad.stderr

    out = cloudctl.apply("--changed-since", labels).stdout
    assert "1 instance changed since" in out, out
    assert len(aws.vpcs("umbrella-trial")) == 1
    assert aws.vpcs("dogfood") == [] and all(aws.vpcs(n) == [] for n in medium)


def test_throttling_slows_the_shared_rate_and_says_so(cloudctl, repo, aws, moto):
    from urllib.parse import urlsplit
    from fault_proxy import FaultProxy
    proxy = FaultProxy(urlsplit(moto).port, throttle_every=7).start()
    try:
        out = cloudctl.apply("dogfood", "--max-rate", "50", endpoint=proxy.endpoint).stdout
    finally:
        proxy.stop()
    assert proxy.injected, "the proxy throttled some calls"
    assert "API rate in us-east-1 throttled: now 25.0 calls/s (max 50" in out, out
    assert_provisioned(aws, repo, "dogfood")


def test_two_shards_apply_one_saved_plan(cloudctl, repo, aws):
    """Both runners apply the reviewed plan file; each one's progress does not make the plan stale for the other.
    One wave, so the first runner need not wait for the second and the two can run one after the other."""
    for path in repo.instances.glob("*.json"):
        path.unlink()
    generate(repo.root, 6, vary=False, prefix="shard")
    names = sorted(repo.names())
    create_zone(aws, repo)
    plan = repo.root / "fleet-plan.json"
    cloudctl("plan", "--out", str(plan), check=0)
    first = cloudctl("apply", str(plan), "--auto-approve", "--ignore-maintenance-window", "--shard", "1/2",
                     "--wave-timeout", "30s", check=0)
    assert "Shard 1/2:" in first.stdout
    # The second starts after the first finished: its instances' recorded state is unchanged, the first's moved on.
    second = cloudctl("apply", str(plan), "--auto-approve", "--ignore-maintenance-window", "--shard", "2/2", check=0)
    assert "Shard 2/2:" in second.stdout
    assert_each_once(aws, repo, names)
    # A file edited since the plan was saved still makes it stale, in any shard.
    repo.edit(names[0], labels={"owner": "edited"})
    stale = cloudctl("apply", str(plan), "--auto-approve", "--shard", "1/2", check=1)
    assert "Saved plan is stale" in stale.stderr + stale.stdout
