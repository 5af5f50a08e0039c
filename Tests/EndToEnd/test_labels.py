"""An instance's labels become tags on every resource it owns, next to cloudctl's own tags; the plan carries them;
a label cloudctl or AWS would not take is refused by validate with its field path, before any cloud call."""
import json

from cloud_inventory import tag_map
from expectations import assert_tags

NAME = "initech"  # active, unprotected, us-east-1
LABELS = {"team": "payments", "cost-center": "cc-42"}
UNREACHABLE = "http://127.0.0.1:9"  # discard port: any cloud call would fail


def only(repo, *names):
    for path in repo.instances.glob("*.json"):
        if path.name != "_fleet.json" and path.stem not in names:
            path.unlink()


def assert_labelled(tags, what, repo):
    assert_tags(tags, NAME, repo.fleet["name"], what)
    for key, value in LABELS.items():
        assert tags.get(key) == value, f"{what}: label {key} is {tags.get(key)!r}, expected {value!r}; tags {tags}"


def resource_tags(aws, repo):
    """Every tagged resource of the instance, as boto3 sees it: what → {key: value}."""
    p, region = repo.prefix(NAME), "us-east-1"
    found = {}
    [vpc] = aws.vpcs(NAME, region)
    found["VPC"] = tag_map(vpc.get("Tags"))
    ec2 = aws.client("ec2", region)
    for subnet in aws.subnets(vpc["VpcId"], region):
        found[f"subnet {subnet['SubnetId']}"] = tag_map(subnet.get("Tags"))
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["SecurityGroups"]
    owned = [g for g in groups if g["GroupName"] != "default"]
    assert len(owned) == 2, "the application's and the database's security groups"
    for group in owned:
        found[f"security group {group['GroupName']}"] = tag_map(group.get("Tags"))
    found["bucket"] = aws.bucket_tags(p)
    rds = aws.client("rds", region)
    found["database"] = tag_map(aws.database(p, region).get("TagList"))
    subnet_group = rds.describe_db_subnet_groups(DBSubnetGroupName=p)["DBSubnetGroups"][0]["DBSubnetGroupArn"]
    found["DB subnet group"] = tag_map(rds.list_tags_for_resource(ResourceName=subnet_group)["TagList"])
    found["cluster"] = tag_map(aws.cluster(p, region).get("tags"))
    service = aws.service(p, region=region)
    found["ECS service"] = tag_map(service.get("tags"))
    _, found["task definition"] = aws.task_definition(service["taskDefinition"], region)
    key_id = aws.kms_alias(f"alias/{p}", region)["TargetKeyId"]
    kms_tags = aws.client("kms", region).list_resource_tags(KeyId=key_id)["Tags"]
    found["KMS key"] = {t["TagKey"]: t["TagValue"] for t in kms_tags}
    secret = aws.secret(f"cloudctl/{repo.fleet['name']}/{NAME}/database", region)
    found["secret"] = tag_map(secret.get("Tags"))
    logs = aws.client("logs", region)
    found["log group"] = logs.list_tags_log_group(logGroupName=f"/cloudctl/{repo.fleet['name']}/{NAME}")["tags"]
    iam = aws.client("iam")
    for suffix in ("execution", "task"):
        role = iam.get_role(RoleName=f"{p}-{suffix}")["Role"]
        found[f"{suffix} role"] = tag_map(role.get("Tags"))
    return found


def test_labels_tag_every_resource_of_the_instance(cloudctl, repo, aws):
    only(repo, NAME)
    repo.edit(NAME, labels=LABELS)
    saved = repo.root / "plan.json"
    cloudctl("plan", "--out", str(saved), check=0)
    [instance] = json.loads(saved.read_text())["instances"]
    assert instance["target"]["labels"] == LABELS, instance["target"]
    cloudctl.apply(str(saved))

    for what, tags in resource_tags(aws, repo).items():
        assert_labelled(tags, what, repo)

    # Labels are part of the instance file's fingerprint: the applied plan is converged, nothing left to do.
    assert "No changes" in cloudctl("plan", check=0).stdout


FOREIGN = {"owner-by-hand": "ops"}


def add_foreign_tag(aws, repo):
    """Someone tags several resources by hand, outside cloudctl: VPC, RDS, S3, ECS service, IAM role, secret."""
    p, region = repo.prefix(NAME), "us-east-1"
    [(key, value)] = FOREIGN.items()
    [vpc] = aws.vpcs(NAME, region)
    aws.client("ec2", region).create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": key, "Value": value}])
    rds = aws.client("rds", region)
    rds.add_tags_to_resource(ResourceName=aws.database(p, region)["DBInstanceArn"],
                             Tags=[{"Key": key, "Value": value}])
    bucket = dict(aws.bucket_tags(p), **FOREIGN)
    aws.client("s3").put_bucket_tagging(
        Bucket=p, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in bucket.items()]})
    aws.client("ecs", region).tag_resource(resourceArn=aws.service(p, region=region)["serviceArn"],
                                           tags=[{"key": key, "value": value}])
    aws.client("iam").tag_role(RoleName=f"{p}-task", Tags=[{"Key": key, "Value": value}])
    aws.client("secretsmanager", region).tag_resource(
        SecretId=f"cloudctl/{repo.fleet['name']}/{NAME}/database", Tags=[{"Key": key, "Value": value}])
    return {"VPC", "database", "bucket", "ECS service", "task role", "secret"}


def test_a_label_change_retags_every_existing_resource_and_keeps_foreign_tags(cloudctl, repo, aws):
    only(repo, NAME)
    repo.edit(NAME, labels=LABELS)
    cloudctl.apply()
    hand_tagged = add_foreign_tag(aws, repo)

    # Change a value, add a label, remove one.
    changed = {"team": "billing", "env": "prod"}
    repo.edit(NAME, labels=changed)
    plan = json.loads(cloudctl("plan", "--json", check=0).stdout)
    [instance] = plan["instances"]
    assert {"kind": "labels"} in instance["changes"], instance["changes"]
    steps = instance["steps"]
    assert steps and all(s["cause"] == {"kind": "labels-changed"} and s["action"] == "update"
                         and not s["disruptive"] for s in steps), steps
    assert {s["resource"] for s in steps} == {
        "network", "security-rules", "key", "bucket", "secret", "log-group", "database", "cluster",
        "execution-role", "task-role", "task-definition", "service"}, steps
    assert steps[0]["detail"] == {"kind": "labels", "before": LABELS, "after": changed}, steps[0]
    text = cloudctl("plan", check=0).stdout
    assert "labels: -cost-center, +env=prod, team=payments → team=billing" in text, text

    # Not disruptive: applied whatever the maintenance window says (nothing deferred).
    applied = cloudctl("apply", "--auto-approve", check=0).stdout
    assert "1 succeeded, 0 failed, 0 deferred" in applied, applied
    fleet = repo.fleet["name"]
    for what, tags in resource_tags(aws, repo).items():
        assert_tags(tags, NAME, fleet, what)
        foreign = FOREIGN if what in hand_tagged else {}
        labels = {k: v for k, v in tags.items() if not k.startswith("cloudctl:")}
        assert labels == dict(changed, **foreign), f"{what}: tags {tags}"

    # Recorded: nothing left to do, and the next apply changes nothing.
    assert "No changes" in cloudctl("plan", check=0).stdout
    cloudctl("plan", "--detailed-exitcode", check=0)
    assert "No changes" in cloudctl.apply().stdout


def test_a_reserved_or_invalid_label_is_refused_before_any_cloud_call(cloudctl, repo, aws):
    only(repo, NAME)
    repo.edit(NAME, labels={"cloudctl:instance": "other", "team": "pay<ments>", "aws:owner": "x"})
    proc = cloudctl("validate", "--json", check=1, endpoint=UNREACHABLE)
    found = {(d["location"]["file"], d["location"].get("fieldPath")): d["summary"]
             for d in json.loads(proc.stdout)["diagnostics"]}
    assert "reserved prefix" in found[("Instances/initech.json", "labels.cloudctl:instance")], found
    assert "not allow" in found[("Instances/initech.json", "labels.team")], found
    assert "reserved prefix" in found[("Instances/initech.json", "labels.aws:owner")], found
    text = cloudctl("validate", check=1, endpoint=UNREACHABLE)
    assert "Instances/initech.json" in text.stdout + text.stderr
    cloudctl("apply", "--auto-approve", check=1)
    assert aws.vpcs(NAME) == [], "a refused file creates nothing"
