"""A saved plan is applied exactly, and refused (with no cloud call) once it is stale."""
import json

from expectations import assert_provisioned
from fault_proxy import refused_without_a_call


def test_saved_plan_applies_exactly_and_is_refused_when_stale(cloudctl, repo, aws, moto, tmp_path):
    name = next(n for n, s in repo.specs().items() if s["state"] == "active")
    plan_file = tmp_path / "plan.json"
    cloudctl("plan", name, "--out", str(plan_file), check=0)
    saved = json.loads(plan_file.read_text())
    assert [i["name"] for i in saved["instances"]] == [name]
    assert saved["formatVersion"] == 2 and saved["summary"]["create"] == 13

    # The file changes after the plan was saved: the plan is stale and nothing is called.
    repo.edit(name, customer="Renamed Customer")
    stale = refused_without_a_call(cloudctl, moto, "apply", "--auto-approve", str(plan_file))
    assert "stale" in (stale.stdout + stale.stderr).lower(), stale.stdout + stale.stderr

    # A fresh plan of the same instance applies exactly that instance.
    cloudctl("plan", name, "--out", str(plan_file), check=0)
    cloudctl("apply", "--auto-approve", "--ignore-maintenance-window", str(plan_file), check=0)
    assert_provisioned(aws, repo, name)
    others = [n for n in repo.names("active") if n != name]
    assert all(aws.vpcs(n, repo.spec(n)["region"]) == [] for n in others), "only the planned instance was applied"


def test_apply_without_a_terminal_and_without_auto_approve_is_refused(cloudctl, moto):
    proc = cloudctl("apply", check=1)
    assert "--auto-approve" in proc.stdout + proc.stderr


def test_saved_plan_never_applies_a_mix_of_reviewed_and_changed_fleet_values(cloudctl, repo, aws, moto, tmp_path):
    """The fleet file changes after the plan was saved (the tier's database class and the image): the plan is
    refused as stale with no cloud call; once re-planned, what runs is exactly what the new plan file says."""
    name = next(n for n, s in repo.specs().items() if s["state"] == "active")
    size = repo.spec(name)["size"]
    plan_file = tmp_path / "plan.json"
    cloudctl("plan", name, "--out", str(plan_file), check=0)
    reviewed = json.loads(plan_file.read_text())
    reviewed_db = next(s for s in reviewed["instances"][0]["steps"] if s["resource"] == "database")["after"]

    fleet_path = repo.root / "Instances" / "_fleet.json"
    fleet = json.loads(fleet_path.read_text())
    other = "db.t3.large" if reviewed_db["databaseClass"] != "db.t3.large" else "db.t3.xlarge"
    fleet["tiers"][size]["databaseClass"] = other
    fleet["image"] = fleet["image"] + "-next"
    fleet_path.write_text(json.dumps(fleet, indent=2))

    stale = refused_without_a_call(cloudctl, moto, "apply", "--auto-approve", str(plan_file))
    assert "stale" in (stale.stdout + stale.stderr).lower(), stale.stdout + stale.stderr

    cloudctl("plan", name, "--out", str(plan_file), check=0)
    fresh = json.loads(plan_file.read_text())
    steps = {s["resource"]: s for s in fresh["instances"][0]["steps"]}
    cloudctl("apply", "--auto-approve", "--ignore-maintenance-window", str(plan_file), check=0)
    region = repo.spec(name)["region"]
    db = aws.client("rds", region).describe_db_instances(DBInstanceIdentifier=repo.prefix(name))["DBInstances"][0]
    assert db["DBInstanceClass"] == steps["database"]["after"]["databaseClass"] == fleet["tiers"][size]["databaseClass"]
    service = aws.service(repo.prefix(name), region=region)
    taskdef, _ = aws.task_definition(service["taskDefinition"], region)
    image = steps["task-definition"]["after"]["image"] + ":" + steps["task-definition"]["after"]["version"]
    assert taskdef["containerDefinitions"][0]["image"] == image and image.startswith(fleet["image"] + ":")


def _recount(plan):
    """The summary cloudctl would write for the plan's instances, so only the edit under test differs."""
    actions = [s["action"] for i in plan["instances"] for s in i["steps"]]
    plain = ("create", "update", "delete")
    plan["summary"].update({a: actions.count(a) for a in plain})
    plan["summary"].update(instances=len(plan["instances"]), other=sum(1 for a in actions if a not in plain),
                           instancesWithChanges=sum(1 for i in plan["instances"] if i["steps"]))


def _edit_summary(plan):
    plan["summary"]["create"] += 1


def _drop_an_instance(plan):
    plan["instances"] = plan["instances"][1:]
    _recount(plan)


def _unknown_step_key(plan):
    plan["instances"][0]["steps"][0]["skip"] = True


def test_edited_saved_plans_are_refused_with_no_cloud_call(cloudctl, repo, moto, tmp_path):
    names = repo.names("active")[:2]
    plan_file = tmp_path / "plan.json"
    cases = [
        (_edit_summary, "summary does not match its instances"),
        (_drop_an_instance, "does not list the instances a fresh plan lists"),
        (_unknown_step_key, 'unknown key "skip" at instances[0].steps[0].skip'),
    ]
    for edit, message in cases:
        cloudctl("plan", *names, "--out", str(plan_file), check=0)
        plan = json.loads(plan_file.read_text())
        assert plan["selection"] == sorted(names) and len(plan["instances"]) == 2
        edit(plan)
        plan_file.write_text(json.dumps(plan, indent=2, sort_keys=True))
        proc = refused_without_a_call(cloudctl, moto, "apply", "--auto-approve", str(plan_file))
        assert message in proc.stderr, f"{edit.__name__}: {proc.stderr}"
        assert proc.stdout == "", proc.stdout
