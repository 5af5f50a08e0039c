"""Upgrade, suspend, resume and teardown of one instance, checked with boto3."""
from expectations import assert_absent, assert_provisioned


def pick(repo, predicate):
    for name, spec in repo.specs().items():
        if predicate(spec):
            return name
    raise AssertionError("the sample fleet has no instance for this test")


def newest(repo):
    return max((r["version"] for r in repo.fleet["releases"]), key=lambda v: tuple(map(int, v.split("."))))


def test_version_bump_snapshots_migrates_and_deploys(cloudctl, repo, aws):
    target = newest(repo)
    name = pick(repo, lambda s: s["state"] == "active" and s["version"] != target and not s.get("protected"))
    cloudctl.apply(name)
    p = repo.prefix(name)
    old_arn = aws.service(p, region=repo.spec(name)["region"])["taskDefinition"]

    repo.edit(name, version=target)
    plan = cloudctl("plan", name, check=0)
    assert "snapshot" in plan.stdout and "migrate" in plan.stdout, plan.stdout
    cloudctl.apply(name)

    region = repo.spec(name)["region"]
    snapshots = aws.snapshots(p, region)
    assert snapshots, "an upgrade takes a database snapshot first"
    service = aws.service(p, region=region)
    assert service["taskDefinition"] != old_arn, "the service moved to a new task definition"
    taskdef, _ = aws.task_definition(service["taskDefinition"], region)
    assert taskdef["containerDefinitions"][0]["image"].endswith(":" + target)
    assert_provisioned(aws, repo, name)
    assert "No changes" in cloudctl.apply(name).stdout


def test_suspend_resume_delete(cloudctl, repo, aws):
    name = pick(repo, lambda s: s["state"] == "active" and not s.get("protected"))
    region = repo.spec(name)["region"]
    p = repo.prefix(name)
    cloudctl.apply(name)

    repo.edit(name, state="suspended")
    cloudctl.apply(name)
    assert aws.service(p, region=region)["desiredCount"] == 0
    assert aws.database(p, region)["DBInstanceStatus"] == "stopped"

    repo.edit(name, state="active")
    cloudctl.apply(name)
    assert_provisioned(aws, repo, name)

    repo.edit(name, state="deleted")
    plan = cloudctl("plan", name, check=0)
    assert "final" in plan.stdout.lower(), plan.stdout
    cloudctl.apply(name)
    finals = [s for s in aws.snapshots(p, region) if "final" in s["DBSnapshotIdentifier"]]
    assert finals, "teardown takes a final snapshot"
    assert_absent(aws, repo, name)
    assert "No changes" in cloudctl.apply(name).stdout


def test_protected_instance_teardown_is_refused(cloudctl, repo, aws):
    name = pick(repo, lambda s: s["state"] == "active")
    cloudctl.apply(name)
    repo.edit(name, state="deleted", protected=True)
    proc = cloudctl("apply", "--auto-approve", name, check=1)
    assert "protected" in (proc.stdout + proc.stderr)
    assert aws.database(repo.prefix(name), repo.spec(name)["region"]) is not None
