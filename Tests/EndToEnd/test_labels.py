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


def test_labels_tag_every_resource_of_the_instance(cloudctl, repo, aws):
    only(repo, NAME)
    repo.edit(NAME, labels=LABELS)
    saved = repo.root / "plan.json"
    cloudctl("plan", "--out", str(saved), check=0)
    [instance] = json.loads(saved.read_text())["instances"]
    assert instance["target"]["labels"] == LABELS, instance["target"]
    cloudctl.apply(str(saved))

    p, region = repo.prefix(NAME), "us-east-1"
    [vpc] = aws.vpcs(NAME, region)
    assert_labelled(tag_map(vpc.get("Tags")), "VPC", repo)
    ec2 = aws.client("ec2", region)
    for subnet in aws.subnets(vpc["VpcId"], region):
        assert_labelled(tag_map(subnet.get("Tags")), "subnet", repo)
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["SecurityGroups"]
    owned = [g for g in groups if g["GroupName"] != "default"]
    assert owned, "the instance has security groups"
    for group in owned:
        assert_labelled(tag_map(group.get("Tags")), f"security group {group['GroupName']}", repo)

    assert_labelled(aws.bucket_tags(p), "bucket", repo)
    assert_labelled(tag_map(aws.database(p, region).get("TagList")), "database", repo)
    assert_labelled(tag_map(aws.cluster(p, region).get("tags")), "cluster", repo)
    service = aws.service(p, region=region)
    _, definition_tags = aws.task_definition(service["taskDefinition"], region)
    assert_labelled(definition_tags, "task definition", repo)
    key_id = aws.kms_alias(f"alias/{p}", region)["TargetKeyId"]
    kms_tags = aws.client("kms", region).list_resource_tags(KeyId=key_id)["Tags"]
    assert_labelled({t["TagKey"]: t["TagValue"] for t in kms_tags}, "KMS key", repo)
    secret = aws.secret(f"cloudctl/{repo.fleet['name']}/{NAME}/database", region)
    assert_labelled(tag_map(secret.get("Tags")), "secret", repo)
    logs = aws.client("logs", region)
    assert_labelled(logs.list_tags_log_group(logGroupName=f"/cloudctl/{repo.fleet['name']}/{NAME}")["tags"],
                    "log group", repo)
    iam = aws.client("iam")
    for suffix in ("execution", "task"):
        role = iam.get_role(RoleName=f"{p}-{suffix}")["Role"]
        assert_labelled(tag_map(role.get("Tags")), f"{suffix} role", repo)

    # Labels are part of the instance file's fingerprint: the applied plan is converged, nothing left to do.
    assert "No changes" in cloudctl("plan", check=0).stdout


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
