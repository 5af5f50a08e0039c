"""The PostgreSQL state backend against moto: apply, status and history, racing applies, kill -9, state copy,
a wrong password. Needs CLOUDCTL_TEST_PG_URL (scripts/test starts a throwaway server); under CI=true its absence
fails instead of skipping."""
import json
import os
import re
import signal
import subprocess
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from expectations import assert_provisioned


@pytest.fixture(scope="session")
def pg_url():
    url = os.environ.get("CLOUDCTL_TEST_PG_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CLOUDCTL_TEST_PG_URL is not set: the PostgreSQL end-to-end tests did not run")
        pytest.skip("CLOUDCTL_TEST_PG_URL is not set (scripts/test starts a PostgreSQL server)")
    assert urlsplit(url).hostname == "127.0.0.1", "tests only ever talk to loopback"
    return url


def psql(url, sql):
    """Runs one statement with psql; returns its rows as lists of text."""
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def sqlite_rows(path, sql):
    """Rows of a SQLite query, as sorted lists of text (how psql prints them)."""
    import sqlite3
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return sorted([str(v) for v in row] for row in con.execute(sql).fetchall())
    finally:
        con.close()


def psql_rows(url, sql):
    return sorted(psql(url, sql))


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture
def pg_db(pg_url):
    """A new, empty database of its own, dropped afterwards."""
    name = "e2e_" + uuid.uuid4().hex[:12]
    psql(pg_url, f"CREATE DATABASE {name}")
    yield with_database(pg_url, name)
    psql(pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg(cloudctl, repo, pg_db):
    """cloudctl runs against pg_db (CLOUDCTL_DB)."""
    repo.db = pg_db
    return pg_db


def password_of(url):
    return urlsplit(url).password


def assert_no_password(cloudctl, url):
    password = password_of(url)
    assert password, "the test server's URL carries a password"
    for text in cloudctl.transcript:
        assert password not in text, "the database password was printed"


def succeeded_steps(url):
    try:
        return int(psql(url, "SELECT count(*) FROM steps WHERE status = 'succeeded'")[0][0])
    except subprocess.CalledProcessError:  # the schema is not created yet
        return 0


def assert_one_of_each(aws, repo):
    """One VPC and one database per instance: nothing was created twice."""
    for name in repo.names("active") + repo.names("suspended"):
        region = repo.spec(name)["region"]
        assert len(aws.vpcs(name, region)) == 1, f"{name}: more than one VPC"
        rds = aws.client("rds", region)
        databases = [d for d in rds.describe_db_instances()["DBInstances"]
                     if d["DBInstanceIdentifier"].startswith(repo.prefix(name))]
        assert len(databases) == 1, f"{name}: {len(databases)} databases"


def test_apply_status_history_and_check_on_postgres(cloudctl, repo, aws, pg):
    cloudctl.apply()
    for name in repo.names("active") + repo.names("suspended"):
        assert_provisioned(aws, repo, name)
    status = cloudctl("status", check=0)
    for name in repo.names("active"):
        assert name in status.stdout
    name = repo.names("active")[0]
    one = cloudctl("status", name, check=0)
    assert "network" in one.stdout, one.stdout
    history = json.loads(cloudctl("history", "--json", "--limit", "100", check=0).stdout)
    assert history, "history is empty"
    applied = {h["instance"] for h in (history if isinstance(history, list) else history["operations"])}
    assert set(repo.names("active")) <= applied
    assert cloudctl("state", "check", check=0).stdout.strip().endswith("without an operation.")
    assert "No changes" in cloudctl.apply().stdout
    migrations = psql(pg, "SELECT id FROM schema_migrations ORDER BY position")
    assert migrations == [["001-initial"], ["002-resource-labels"]]
    assert_no_password(cloudctl, pg)


def test_two_unsharded_applies_race_without_duplicates(cloudctl, repo, aws, pg):
    args = ("apply", "--auto-approve", "--ignore-maintenance-window", "--parallelism", "4")
    first, second = cloudctl.spawn(*args), cloudctl.spawn(*args)
    outputs = [p.communicate(timeout=600) for p in (first, second)]
    codes = [first.returncode, second.returncode]
    assert set(codes) <= {0, 1}, f"{codes}: {outputs}"
    # The loser of each instance's lock failed it ("is locked by"); a plain re-run finishes whatever that left.
    cloudctl.apply()
    assert_one_of_each(aws, repo)
    for name in repo.names("active"):
        assert_provisioned(aws, repo, name)
    assert "No changes" in cloudctl.apply().stdout
    assert cloudctl("state", "check").returncode == 0


def test_kill_9_mid_apply_then_rerun_has_no_duplicates(cloudctl, repo, aws, pg):
    proc = cloudctl.spawn("apply", "--auto-approve", "--ignore-maintenance-window", "--parallelism", "2")
    deadline = time.time() + 300
    while succeeded_steps(pg) < 8:
        assert proc.poll() is None, "apply finished before it could be interrupted"
        assert time.time() < deadline, "apply made no progress"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    cloudctl.apply()
    assert_one_of_each(aws, repo)
    for name in repo.names("active") + repo.names("suspended"):
        assert_provisioned(aws, repo, name)
    assert int(psql(pg, "SELECT count(*) FROM steps WHERE status = 'interrupted'")[0][0]) >= 1
    assert "No changes" in cloudctl.apply().stdout


def test_state_copy_keeps_the_history(cloudctl, repo, aws, pg_db):
    sqlite_path = str(repo.db)
    names = repo.names("active")[:2]
    # A sharded apply (one shard) leaves wave barrier marks; `rollout advance` a rollout decision. The files it edits
    # are put back: only the decision it recorded matters here.
    cloudctl.apply(*names, "--shard", "1/1")
    files = {p: p.read_text() for p in repo.instances.glob("*.json")}
    cloudctl("rollout", "advance", "5.3.0", check=0)
    for path, text in files.items():
        path.write_text(text)
    decisions_sql = "SELECT id, version, kind, channel, wave, instances, actor FROM rollout_decisions"
    decisions = sqlite_rows(sqlite_path, decisions_sql)
    marks = sqlite_rows(sqlite_path, "SELECT run, wave, shard, shards, status, holder FROM wave_barriers")
    assert decisions and marks, (decisions, marks)
    before = cloudctl("history", "--json", "--limit", "1000", check=0).stdout
    status_before = cloudctl("status", "--json", check=0).stdout

    copy = cloudctl("state", "copy", "--from", sqlite_path, "--to", pg_db, check=0)
    assert "Copied 2 recorded instances" in copy.stdout, copy.stdout
    assert f"{len(decisions)} rollout decision" in copy.stdout, copy.stdout
    # Every decision and wave mark arrived, ids and all (psql, not cloudctl, reads them back).
    assert psql_rows(pg_db, decisions_sql) == decisions
    assert psql_rows(pg_db, "SELECT run, wave, shard, shards, status, holder FROM wave_barriers") == marks
    repo.db = pg_db
    assert cloudctl("history", "--json", "--limit", "1000", check=0).stdout == before
    assert cloudctl("status", "--json", check=0).stdout == status_before
    assert cloudctl("state", "check").returncode == 0

    again = cloudctl("state", "copy", "--from", sqlite_path, "--to", pg_db, check=1)
    assert "already holds state" in again.stderr, again.stderr
    # The copied state carries on: the next apply continues from it, and history keeps growing after the copy.
    assert "No changes" in cloudctl.apply(*names).stdout
    third = repo.names("active")[2]
    cloudctl.apply(third)
    ids = [int(r[0]) for r in psql(pg_db, "SELECT id FROM operations ORDER BY id")]
    assert len(ids) == len(set(ids)) and len(ids) >= 3
    assert_no_password(cloudctl, pg_db)


def test_a_wrong_password_is_a_clear_error_without_the_password(cloudctl, repo, pg_db):
    parts = urlsplit(pg_db)
    wrong = "Wr0ng-" + uuid.uuid4().hex[:8]
    bad = urlunsplit(parts._replace(netloc=f"{parts.username}:{wrong}@{parts.hostname}:{parts.port}"))
    repo.db = bad
    for args in (["status"], ["history"], ["plan"], ["apply", "--auto-approve"], ["state", "check"]):
        proc = cloudctl(*args, check=1)
        assert "password authentication failed" in proc.stderr, proc.stderr
        assert f"{parts.username}:***@" in proc.stderr, proc.stderr
    copy = cloudctl("state", "copy", "--from", "/nonexistent.db", "--to", bad)
    assert copy.returncode == 1
    for text in cloudctl.transcript:
        assert wrong not in text
        assert password_of(pg_db) not in text


def test_two_shards_at_once_on_postgres_apply_each_instance_once(cloudctl, repo, aws, pg):
    from concurrent.futures import ThreadPoolExecutor
    from test_shards import create_zone
    create_zone(aws, repo)  # moto, unlike Route 53, would let two runners each create the fleet's zone
    args = ("apply", "--auto-approve", "--ignore-maintenance-window", "--parallelism", "2", "--wave-timeout", "10m")
    runners = [cloudctl.spawn(*args, "--shard", "1/2"), cloudctl.spawn(*args, "--shard", "2/2")]
    # Both pipes drained at once: a runner waiting at a wave barrier must not block on a full pipe.
    with ThreadPoolExecutor(2) as pool:
        outputs = list(pool.map(lambda p: p.communicate(timeout=600), runners))
    assert [p.returncode for p in runners] == [0, 0], outputs
    assert_one_of_each(aws, repo)
    for name in repo.names("active") + repo.names("suspended"):
        assert_provisioned(aws, repo, name)
    # Each instance was applied by exactly one runner; the runners met at every wave boundary in the database.
    per_instance = psql(pg, "SELECT instance, count(*) FROM operations GROUP BY instance")
    assert per_instance and all(int(count) == 1 for _, count in per_instance), per_instance
    assert int(psql(pg, "SELECT count(DISTINCT holder) FROM operations")[0][0]) == 2
    barriers = psql(pg, "SELECT DISTINCT shard FROM wave_barriers")
    assert sorted(int(s) for (s,) in barriers) == [1, 2], barriers
    assert "No changes" in cloudctl.apply().stdout
    assert_no_password(cloudctl, pg)


def test_kill_9_one_shard_on_postgres_then_rerun_it_leaves_no_duplicate(cloudctl, repo, aws, pg):
    from concurrent.futures import ThreadPoolExecutor
    from test_shards import create_zone
    create_zone(aws, repo)
    args = ("apply", "--auto-approve", "--ignore-maintenance-window", "--parallelism", "2", "--wave-timeout", "10m")
    first = cloudctl.spawn(*args, "--shard", "1/2")
    second = cloudctl.spawn(*args, "--shard", "2/2")

    def mine():
        try:
            return int(psql(pg, "SELECT count(*) FROM steps WHERE status = 'succeeded' AND operation_id IN "
                                f"(SELECT id FROM operations WHERE holder LIKE '%pid {first.pid}')")[0][0])
        except subprocess.CalledProcessError:  # the schema is not created yet
            return 0

    deadline = time.time() + 300
    while mine() < 3:
        assert first.poll() is None, "shard 1 finished before it could be killed"
        assert time.time() < deadline, "shard 1 made no progress"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()

    rerun = cloudctl.spawn(*args, "--shard", "1/2")
    with ThreadPoolExecutor(2) as pool:
        outputs = list(pool.map(lambda p: p.communicate(timeout=600), [rerun, second]))
    assert [rerun.returncode, second.returncode] == [0, 0], "\n".join(o + e for o, e in outputs)
    assert_one_of_each(aws, repo)
    for name in repo.names("active") + repo.names("suspended"):
        assert_provisioned(aws, repo, name)
    assert int(psql(pg, "SELECT count(*) FROM steps WHERE status = 'running'")[0][0]) == 0
    assert "No changes" in cloudctl.apply().stdout
    assert_no_password(cloudctl, pg)
