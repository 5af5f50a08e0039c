"""The state database: read-only commands work on a read-only copy; a database refuses another fleet's files."""
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from pathlib import Path


def as_other_user(cmd):
    """`cmd` run as nobody when we are root (root ignores file modes), as ourselves otherwise."""
    if os.geteuid() == 0:
        return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return cmd


def test_reading_commands_work_on_a_read_only_file_in_a_read_only_directory(cloudctl, cloudctl_bin, repo):
    name = next(n for n, s in repo.specs().items() if s["state"] == "active")
    cloudctl.apply(name)
    # A copy everyone can reach (pytest's temporary directories are private to their owner).
    top = Path(tempfile.mkdtemp(prefix="cloudctl-ro-"))
    try:
        shutil.copytree(repo.instances, top / "Instances")
        # As a finished apply leaves it once closed: everything in the main file, no -wal or -shm beside it (so
        # SQLite cannot create the -shm a WAL reader needs in the read-only directory).
        con = sqlite3.connect(repo.db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        shutil.copy(repo.db, top / "state.db")
        before = (top / "state.db").read_bytes()
        (top / "state.db").chmod(0o444)
        for path in [top, top / "Instances"]:
            path.chmod(0o555)
        for path in (top / "Instances").iterdir():
            path.chmod(0o444)
        env = {**cloudctl.env(), "CLOUDCTL_DB": str(top / "state.db")}
        for args in [["status"], ["status", name], ["history"], ["plan"]]:
            proc = subprocess.run(as_other_user([cloudctl_bin, *args, "--repo", str(top)]), env=env,
                                  capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
            assert proc.returncode in (0, 2), f"{args}: {proc.stdout}\n{proc.stderr}"
            assert "error" not in proc.stderr, f"{args}: {proc.stderr}"
        status = subprocess.run(as_other_user([cloudctl_bin, "status", name, "--repo", str(top)]), env=env,
                                capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert status.returncode == 0 and name in status.stdout, status.stdout + status.stderr
        assert (top / "state.db").read_bytes() == before
        assert sorted(p.name for p in top.iterdir()) == ["Instances", "state.db"], "nothing was created beside it"

        unlock = subprocess.run(as_other_user([cloudctl_bin, "unlock", name, "--repo", str(top)]), env=env,
                                capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert unlock.returncode == 1
        assert f"{top / 'state.db'} is read-only" in unlock.stderr, unlock.stderr
    finally:
        for path in [top, top / "Instances"]:
            path.chmod(stat.S_IRWXU)
        shutil.rmtree(top, ignore_errors=True)


def test_a_database_refuses_another_fleets_files(cloudctl, repo):
    name = next(n for n, s in repo.specs().items() if s["state"] == "active")
    cloudctl.apply(name)
    fleet = json.loads((repo.instances / "_fleet.json").read_text())
    original = fleet["name"]
    fleet["name"] = original + "x"
    (repo.instances / "_fleet.json").write_text(json.dumps(fleet, indent=2) + "\n")
    for args in [["plan"], ["status"], ["apply", "--auto-approve"]]:
        proc = cloudctl(*args, check=1)
        assert f"{repo.db} belongs to fleet '{original}', but the instance files are fleet '{original}x'" \
            in proc.stderr, proc.stderr


def test_missing_database_status_and_unlock_say_so_and_plan_creates_nothing(cloudctl, repo):
    for args in [["status"], ["unlock", "acme"]]:
        proc = cloudctl(*args, check=1)
        assert f"no state database at {repo.db}" in proc.stderr, proc.stderr
    proc = cloudctl("plan")
    assert proc.returncode in (0, 2), proc.stderr
    assert not repo.db.exists()
