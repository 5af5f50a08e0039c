"""Support's and CI's view across the binary: apply --json, run ids and git commits in history, deferrals."""
import datetime
import json
import subprocess
from zoneinfo import ZoneInfo

from expectations import assert_provisioned

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def git(repo, *args):
    return subprocess.run(["git", "-c", "user.name=e2e", "-c", "user.email=e2e@127.0.0.1", *args],
                          cwd=repo.root, check=True, capture_output=True, text=True).stdout.strip()


def window_open(spec, now):
    """Whether `now` is inside the instance's weekly window (the same rule as cloudctl's)."""
    w = spec["maintenanceWindow"]
    local = now.astimezone(ZoneInfo(w["timeZone"]))
    hours, minutes = map(int, w["start"].split(":"))
    text, length = w["duration"], 0
    if "h" in text:
        h, text = text.split("h")
        length += int(h) * 60
    if text.endswith("m"):
        length += int(text[:-1])
    for back in range(0, 8):
        day = local.date() - datetime.timedelta(days=back)
        if DAYS[day.weekday()] != w["day"]:
            continue
        start = datetime.datetime(day.year, day.month, day.day, hours, minutes, tzinfo=local.tzinfo)
        if start <= local < start + datetime.timedelta(minutes=length):
            return True
    return False


def test_apply_json_run_id_and_commit_reach_history(cloudctl, repo, aws):
    git(repo, "init", "-q")
    git(repo, "add", "Instances")
    git(repo, "commit", "-q", "-m", "fleet")
    head = git(repo, "rev-parse", "HEAD")

    proc = cloudctl("apply", "--auto-approve", "--ignore-maintenance-window", "--json", "acme", check=0)
    result = json.loads(proc.stdout)  # stdout is only the document
    assert result["succeeded"] is True
    assert [(i["name"], i["result"]) for i in result["instances"]] == [("acme", "succeeded")]
    run = result["run"]
    assert run["commit"] == head and run["dirty"] is False, run
    assert "Apply complete" in proc.stderr
    assert_provisioned(aws, repo, "acme")

    repo.edit("globex", size="small")  # an uncommitted edit: the next run is dirty
    second = json.loads(cloudctl("apply", "--auto-approve", "--ignore-maintenance-window", "--json", "globex",
                                 check=0).stdout)
    assert second["run"]["id"] != run["id"]
    assert second["run"]["dirty"] is True

    history = json.loads(cloudctl("history", "--run", run["id"], "--json", check=0).stdout)
    assert [op["instance"] for op in history] == ["acme"]
    assert history[0]["run"] == run
    text = cloudctl("history", "--run", second["run"]["id"], check=0).stdout
    assert f"run {second['run']['id']}, commit {head[:12]} (dirty)" in text, text
    limited = cloudctl("history", "--limit", "1", check=0).stdout
    assert "1 more operation not shown" in limited, limited


def test_deferral_is_an_event_in_history_and_status(cloudctl, repo, aws):
    now = datetime.datetime.now(datetime.timezone.utc)
    # An instance whose window is closed now (and stays closed for the next minutes), to resize outside it.
    later = now + datetime.timedelta(minutes=10)
    tiers = sorted(repo.fleet["tiers"], key=lambda t: repo.fleet["tiers"][t]["storageGB"])
    # Storage only grows: resize up, so an instance not on the biggest tier.
    names = [n for n, s in repo.specs().items()
             if s["state"] == "active" and s["size"] != tiers[-1]
             and not window_open(s, now) and not window_open(s, later)]
    assert names, "every sample window is open right now"
    name = names[0]
    cloudctl.apply(name)
    size = repo.spec(name)["size"]
    repo.edit(name, size=tiers[tiers.index(size) + 1])

    proc = cloudctl("apply", "--auto-approve", "--json", name, check=0)
    result = json.loads(proc.stdout)
    assert f"{name} deferred: has disruptive steps" in proc.stderr, proc.stderr
    assert [(i["name"], i["result"]) for i in result["instances"]] == [(name, "deferred")]
    assert "next opens" in result["instances"][0]["error"]

    history = json.loads(cloudctl("history", name, "--limit", "1", "--json", check=0).stdout)
    assert history[0]["result"] == "deferred" and history[0]["steps"] == []
    assert history[0]["run"]["id"] == result["run"]["id"]
    status = cloudctl("status", check=0).stdout
    row = next(line for line in status.splitlines() if line.startswith(name + " "))
    assert "deferred until" in row, status
    # Nothing was resized: the database keeps the old class.
    region = repo.spec(name)["region"]
    assert aws.database(repo.prefix(name), region)["DBInstanceClass"] == repo.fleet["tiers"][size]["databaseClass"]


def test_validation_errors_in_the_format_ci_asked_for(cloudctl, repo):
    repo.edit("acme", sise="large")
    md = cloudctl("plan", "--markdown", check=1)
    assert md.stdout.startswith("### cloudctl plan\n"), md.stdout
    assert "`Instances/acme.json" in md.stdout
    as_json = json.loads(cloudctl("plan", "--json", check=1).stdout)
    assert as_json["valid"] is False and as_json["errors"] >= 1
    applied = json.loads(cloudctl("apply", "--auto-approve", "--json", check=1).stdout)
    assert applied["valid"] is False, "apply --json reports problems as JSON too"
    validated = json.loads(cloudctl("validate", "--json", check=1).stdout)
    assert any(d["location"]["file"] == "Instances/acme.json" for d in validated["diagnostics"])
