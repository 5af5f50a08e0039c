"""A tenant that runs: the task definition is wired to its own database, bucket, key, secret, roles and log group;
each role names only its instance's ARNs; the network lets the app reach its database and nothing else in; a teardown
removes roles and rules and keeps the log group. Everything is read back with boto3."""
import json
import re
import sqlite3

import pytest
from botocore.exceptions import ClientError

from cloud_inventory import tag_map
from expectations import assert_tags

NAME = "initech"  # active, unprotected, us-east-1, features {"sso": false}
CIDR_INGRESS = "10.20.0.0/16"


def only(repo, *names):
    """Keeps only these instance files: each test provisions what it looks at, no more."""
    for path in repo.instances.glob("*.json"):
        if path.name != "_fleet.json" and path.stem not in names:
            path.unlink()


def set_fleet(repo, **changes):
    fleet = json.loads((repo.instances / "_fleet.json").read_text())
    fleet.update(changes)
    (repo.instances / "_fleet.json").write_text(json.dumps(fleet, indent=2) + "\n")
    repo.fleet = fleet


def role(aws, name):
    iam = aws.client("iam")
    try:
        found = iam.get_role(RoleName=name)["Role"]
    except ClientError as error:
        assert error.response["Error"]["Code"] == "NoSuchEntity", error
        return None
    policies = {p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                for p in iam.list_role_policies(RoleName=name)["PolicyNames"]}
    return found, policies


def document(value):
    """IAM answers documents as objects (boto3 decodes them) or URL-encoded JSON text."""
    if isinstance(value, str):
        from urllib.parse import unquote
        return json.loads(unquote(value))
    return value


def resources_of(doc):
    found = []
    for statement in doc["Statement"]:
        resource = statement["Resource"]
        found += resource if isinstance(resource, list) else [resource]
    return found


def group(aws, vpc_id, name):
    groups = aws.client("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [name]}])["SecurityGroups"]
    return groups[0] if groups else None


def ingress(sg):
    """(protocol, from, to, source) for every inbound rule."""
    rules = set()
    for p in sg["IpPermissions"]:
        key = (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"))
        rules |= {key + (g["GroupId"],) for g in p.get("UserIdGroupPairs", [])}
        rules |= {key + (r["CidrIp"],) for r in p.get("IpRanges", [])}
        rules |= {key + (r["CidrIpv6"],) for r in p.get("Ipv6Ranges", [])}
    return rules


@pytest.fixture
def load_balancer_group(aws):
    """The fleet's ingress: a load balancer's security group in a VPC of its own (EC2 refuses rules naming a group
    that does not exist)."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_security_group(GroupName="fleet-ingress", Description="load balancer", VpcId=vpc)["GroupId"]


@pytest.fixture
def tenant(cloudctl, repo, load_balancer_group):
    only(repo, NAME)
    set_fleet(repo, ingress=[load_balancer_group, CIDR_INGRESS], logRetention="14d")
    fleet = repo.fleet
    fleet["tiers"][repo.spec(NAME)["size"]]["backupRetentionDays"] = 5
    set_fleet(repo, tiers=fleet["tiers"])
    repo.edit(NAME, features={"sso": False, "auditLog": True})
    return repo


def test_the_task_definition_is_wired_to_the_instance_and_holds_no_password(cloudctl, tenant, aws):
    repo, spec, p = tenant, tenant.spec(NAME), tenant.prefix(NAME)
    plan = cloudctl("plan", check=0).stdout
    for kind in ("security-rules", "log-group", "execution-role", "task-role"):
        assert re.search(rf"create +{kind} ", plan), plan
    cloudctl.apply()

    service = aws.service(p)
    taskdef, _ = aws.task_definition(service["taskDefinition"])
    container = taskdef["containerDefinitions"][0]
    env = {e["name"]: e["value"] for e in container["environment"]}
    db = aws.database(p)
    secret_name = f"cloudctl/{repo.fleet['name']}/{NAME}/database"
    secret = aws.secret(secret_name)
    key_arn = aws.client("kms").describe_key(KeyId=f"alias/{p}")["KeyMetadata"]["Arn"]
    assert env == {
        "CLOUDCTL_INSTANCE": NAME, "CLOUDCTL_EXTERNAL_URL": f"https://{spec['domain']}", "AWS_REGION": "us-east-1",
        "CLOUDCTL_VERSION": spec["version"], "CLOUDCTL_FEATURE_SSO": "false", "CLOUDCTL_FEATURE_AUDIT_LOG": "true",
        "PGHOST": db["Endpoint"]["Address"], "PGPORT": str(db["Endpoint"]["Port"]), "PGDATABASE": "postgres",
        "PGUSER": "cloudctl", "CLOUDCTL_BUCKET": p, "CLOUDCTL_KMS_KEY_ID": key_arn,
    }
    assert container["secrets"] == [{"name": "PGPASSWORD", "valueFrom": f"{secret['ARN']}:password::"}]
    assert container["logConfiguration"]["logDriver"] == "awslogs"
    assert container["logConfiguration"]["options"]["awslogs-group"] == f"/cloudctl/{repo.fleet['name']}/{NAME}"
    execution, task = role(aws, f"{p}-execution"), role(aws, f"{p}-task")
    assert taskdef["executionRoleArn"] == execution[0]["Arn"] and taskdef["taskRoleArn"] == task[0]["Arn"]

    password = json.loads(aws.secret_value(secret_name))["password"]
    assert password not in json.dumps(taskdef, default=str)
    assert password not in plan and all(password not in text for text in cloudctl.transcript)
    assert password.encode() not in repo.db.read_bytes()


def test_each_role_trusts_ecs_and_names_only_its_instance_arns(cloudctl, tenant, aws):
    repo, p = tenant, tenant.prefix(NAME)
    cloudctl.apply()
    fleet = repo.fleet["name"]
    key_arn = aws.client("kms").describe_key(KeyId=f"alias/{p}")["KeyMetadata"]["Arn"]
    account = key_arn.split(":")[4]
    secret_arn = aws.secret(f"cloudctl/{fleet}/{NAME}/database")["ARN"]
    own = {
        secret_arn, key_arn, f"arn:aws:logs:us-east-1:{account}:log-group:/cloudctl/{fleet}/{NAME}:*",
        f"arn:aws:s3:::{p}", f"arn:aws:s3:::{p}/*",
    }
    for suffix, expected in (("execution", {secret_arn, key_arn, f"arn:aws:logs:us-east-1:{account}:log-group:"
                                            f"/cloudctl/{fleet}/{NAME}:*"}),
                             ("task", {key_arn, f"arn:aws:s3:::{p}", f"arn:aws:s3:::{p}/*"})):
        found, policies = role(aws, f"{p}-{suffix}")
        assert found["Path"] == f"/cloudctl/{fleet}/"
        assert_tags(tag_map(found.get("Tags")), NAME, fleet, f"{suffix} role")
        trust = document(found["AssumeRolePolicyDocument"])
        assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ecs-tasks.amazonaws.com"}]
        assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}
        assert list(policies) == ["cloudctl"]
        resources = set(resources_of(document(policies["cloudctl"])))
        # The sample image is not in ECR, so not even ecr:GetAuthorizationToken's "*" is needed.
        assert resources == expected and resources <= own, resources


def test_the_database_accepts_only_the_app_and_the_app_only_the_fleet_ingress(cloudctl, tenant, aws,
                                                                              load_balancer_group):
    p = tenant.prefix(NAME)
    cloudctl.apply()
    [vpc] = aws.vpcs(NAME)
    app, database = group(aws, vpc["VpcId"], p), group(aws, vpc["VpcId"], f"{p}-db")
    assert_tags(tag_map(database.get("Tags")), NAME, tenant.fleet["name"], "database security group")
    assert ingress(database) == {("tcp", 5432, 5432, app["GroupId"])}
    assert ingress(app) == {("tcp", 8080, 8080, load_balancer_group), ("tcp", 8080, 8080, CIDR_INGRESS)}
    db = aws.database(p)
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [database["GroupId"]]

    # A rule added by hand that opens the app to the internet is revoked when the ingress changes.
    aws.client("ec2").authorize_security_group_ingress(
        GroupId=app["GroupId"], IpPermissions=[{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                                                "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    set_fleet(tenant, ingress=[CIDR_INGRESS])
    plan = cloudctl("plan", check=0).stdout
    assert re.search(r"update +security-rules ", plan), plan
    cloudctl.apply()
    assert ingress(group(aws, vpc["VpcId"], p)) == {("tcp", 8080, 8080, CIDR_INGRESS)}


def test_logs_backups_and_deletion_protection_follow_the_files(cloudctl, tenant, aws):
    repo, p = tenant, tenant.prefix(NAME)
    repo.edit(NAME, protected=True)
    cloudctl.apply()
    logs = aws.client("logs")
    name = f"/cloudctl/{repo.fleet['name']}/{NAME}"
    [found] = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
    assert found["retentionInDays"] == 14
    assert_tags(logs.list_tags_log_group(logGroupName=name)["tags"], NAME, repo.fleet["name"], "log group")
    db = aws.database(p)
    assert db["BackupRetentionPeriod"] == 5 and db["DeletionProtection"] is True

    # Lifting protection is a reviewed, non-disruptive database update.
    repo.edit(NAME, protected=False)
    plan = cloudctl("plan", "--json", check=0).stdout
    [instance] = json.loads(plan)["instances"]
    [step] = [s for s in instance["steps"] if s["resource"] == "database"]
    assert step["action"] == "update" and step["disruptive"] is False, step
    assert step["before"]["deletionProtection"] is True and step["after"]["deletionProtection"] is False
    cloudctl.apply()
    assert aws.database(p)["DeletionProtection"] is False


def test_teardown_removes_roles_and_rules_and_keeps_the_log_group(cloudctl, tenant, aws):
    repo, p = tenant, tenant.prefix(NAME)
    cloudctl.apply()
    [vpc] = aws.vpcs(NAME)
    database_group = group(aws, vpc["VpcId"], f"{p}-db")["GroupId"]
    repo.edit(NAME, state="deleted")
    out = cloudctl.apply().stdout
    assert role(aws, f"{p}-execution") is None and role(aws, f"{p}-task") is None
    groups = aws.client("ec2").describe_security_groups(
        Filters=[{"Name": "group-id", "Values": [database_group]}])["SecurityGroups"]
    assert groups == []
    logs = aws.client("logs")
    name = f"/cloudctl/{repo.fleet['name']}/{NAME}"
    [kept] = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
    assert kept["retentionInDays"] >= 90, kept  # the fleet's retention (default 90d)
    assert "cloudctl:retain-until" in logs.list_tags_log_group(logGroupName=name)["tags"]
    assert "delete       log-group" in out, out
    # The step says why the group stays: history shows its note.
    history = cloudctl("history", NAME, check=0).stdout
    assert f"log group {name} kept" in history, history


def test_a_role_of_the_derived_name_tagged_for_another_instance_is_refused(cloudctl, tenant, aws):
    repo, p = tenant, tenant.prefix(NAME)
    iam = aws.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName=f"{p}-execution", Path=f"/cloudctl/{repo.fleet['name']}/", AssumeRolePolicyDocument=trust,
                    Tags=[{"Key": "cloudctl:instance", "Value": "someone-else"},
                          {"Key": "cloudctl:fleet", "Value": repo.fleet["name"]}])
    proc = cloudctl.apply(check=1)
    assert f"{p}-execution" in proc.stdout + proc.stderr and "someone-else" in proc.stdout + proc.stderr
    found, policies = role(aws, f"{p}-execution")
    assert policies == {}, "nothing was attached to the foreign role"
    assert document(found["AssumeRolePolicyDocument"]) == json.loads(trust)
    assert tag_map(found["Tags"])["cloudctl:instance"] == "someone-else"
    # No task definition runs with it.
    assert aws.task_definition_arns(p) == []


def test_an_existing_instance_gets_the_new_resources_as_a_planned_change(cloudctl, tenant, aws):
    """An instance applied by a cloudctl without them: its record lacks the new kinds and an older task definition."""
    repo, p = tenant, tenant.prefix(NAME)
    cloudctl.apply()
    with sqlite3.connect(repo.db) as db:
        db.execute("DELETE FROM resources WHERE instance = ? AND kind IN "
                   "('security-rules', 'log-group', 'execution-role', 'task-role')", (NAME,))
        db.execute("UPDATE resources SET inputs_hash = 'older', attributes = NULL WHERE instance = ? "
                   "AND kind = 'task-definition'", (NAME,))
    plan = json.loads(cloudctl("plan", "--json", check=0).stdout)
    [instance] = plan["instances"]
    steps = [(s["action"], s["resource"], s["disruptive"]) for s in instance["steps"]]
    assert steps == [
        ("create", "security-rules", False), ("create", "log-group", False), ("create", "execution-role", False),
        ("create", "task-role", False), ("update", "task-definition", True),
    ], steps
    cloudctl.apply()
    assert cloudctl("plan", "--detailed-exitcode", check=0).returncode == 0
