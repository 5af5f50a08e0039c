"""A saved plan is applied exactly, and refused (with no cloud call) once it is stale."""
import json
from urllib.parse import urlsplit

from expectations import assert_provisioned
from fault_proxy import FaultProxy


def test_saved_plan_applies_exactly_and_is_refused_when_stale(cloudctl, repo, aws, moto, tmp_path):
    name = next(n for n, s in repo.specs().items() if s["state"] == "active")
    plan_file = tmp_path / "plan.json"
    cloudctl("plan", name, "--out", str(plan_file), check=0)
    saved = json.loads(plan_file.read_text())
    assert [i["name"] for i in saved["instances"]] == [name]
    assert saved["formatVersion"] == 1 and saved["summary"]["create"] == 9

    # The file changes after the plan was saved: the plan is stale and nothing is called.
    repo.edit(name, customer="Renamed Customer")
    proxy = FaultProxy(urlsplit(moto).port).start()
    try:
        stale = cloudctl("apply", "--auto-approve", str(plan_file), check=1, endpoint=proxy.endpoint)
    finally:
        proxy.stop()
    assert "stale" in (stale.stdout + stale.stderr).lower(), stale.stdout + stale.stderr
    assert proxy.count == 0, f"a stale plan made {proxy.count} cloud calls"

    # A fresh plan of the same instance applies exactly that instance.
    cloudctl("plan", name, "--out", str(plan_file), check=0)
    cloudctl("apply", "--auto-approve", "--ignore-maintenance-window", str(plan_file), check=0)
    assert_provisioned(aws, repo, name)
    others = [n for n in repo.names("active") if n != name]
    assert all(aws.vpcs(n, repo.spec(n)["region"]) == [] for n in others), "only the planned instance was applied"


def test_apply_without_a_terminal_and_without_auto_approve_is_refused(cloudctl, moto):
    proc = cloudctl("apply", check=1)
    assert "--auto-approve" in proc.stdout + proc.stderr
