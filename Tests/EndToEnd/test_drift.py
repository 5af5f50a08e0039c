"""cloudctl drift reads the cloud in batches and changes nothing; plan/apply --refresh repair what drifted and
leave unmanaged resources alone. Drift is made with boto3, repairs are checked with boto3."""
import json
import urllib.request
from urllib.parse import urlsplit

from expectations import assert_provisioned
from fault_proxy import FaultProxy, refused_without_a_call

READ_ONLY = ("Describe", "List", "Get", "GET ", "HEAD ")


def drift_json(cloudctl, *args, check=2, endpoint=None):
    proc = cloudctl("drift", "--json", "--detailed-exitcode", *args, check=check, endpoint=endpoint)
    return json.loads(proc.stdout)


def by_kind(document):
    found = {}
    for f in document["findings"]:
        found.setdefault(f["drift"], []).append(f)
    return found


def scan_through_proxy(cloudctl, moto, *args, check=2, **faults):
    """Runs drift through a counting (and optionally faulting) proxy; asserts every call only read."""
    proxy = FaultProxy(urlsplit(moto).port, **faults).start()
    try:
        document = drift_json(cloudctl, *args, check=check, endpoint=proxy.endpoint)
    finally:
        proxy.stop()
    writes = [(s, a) for s, a, _ in proxy.calls if not a.startswith(READ_ONLY)]
    assert not writes, f"drift made mutating calls: {writes}"
    return document, proxy


def make_drift(aws, repo):
    """Each kind of hand change of the issue, on the sample fleet's us-east-1 instances."""
    fleet = repo.fleet["name"]
    ecs, s3, rds = aws.client("ecs"), aws.client("s3"), aws.client("rds")
    scaled, gone, resized, retagged, unrecorded = "acme", "initech", "dogfood", "umbrella-trial", "acme"
    ecs.update_service(cluster=repo.prefix(scaled), service="app", desiredCount=5)
    for obj in s3.list_objects_v2(Bucket=repo.prefix(gone)).get("Contents", []):
        s3.delete_object(Bucket=repo.prefix(gone), Key=obj["Key"])
    s3.delete_bucket(Bucket=repo.prefix(gone))
    rds.modify_db_instance(DBInstanceIdentifier=repo.prefix(resized), DBInstanceClass="db.m5.xlarge",
                           ApplyImmediately=True)
    family = repo.prefix(retagged)
    current = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
    container = dict(current["containerDefinitions"][0], image="evil.example/app:" + repo.spec(retagged)["version"])
    arn = ecs.register_task_definition(
        family=family, containerDefinitions=[container], requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc", cpu=current["cpu"], memory=current["memory"],
        tags=[{"key": "cloudctl:instance", "value": retagged}, {"key": "cloudctl:fleet", "value": fleet}],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=family, service="app", taskDefinition=arn)
    domain = repo.spec(unrecorded)["domain"]
    zone = aws.zone_id(repo.fleet["dns"]["zone"])
    cname = [s for s in aws.records(repo.fleet["dns"]["zone"], domain) if s["Type"] == "CNAME"][0]
    aws.client("route53").change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": cname}]})
    s3.delete_bucket_encryption(Bucket=repo.prefix(resized))
    vpc = aws.client("ec2").create_vpc(CidrBlock="10.77.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [
        {"Key": "cloudctl:instance", "Value": "ghost"}, {"Key": "cloudctl:fleet", "Value": fleet}]}])["Vpc"]["VpcId"]
    return dict(scaled=scaled, gone=gone, resized=resized, retagged=retagged, unrecorded=unrecorded, vpc=vpc,
                arn=arn)


def test_drift_reports_each_change_and_apply_refresh_repairs_it(cloudctl, repo, aws, moto):
    cloudctl.apply()
    assert drift_json(cloudctl, check=0)["summary"]["total"] == 0, "a fresh apply is in sync"
    d = make_drift(aws, repo)
    new = repo.spec("globex")
    new.update(name="newco", domain="newco.demo.cloudctl.test", region="us-east-1")
    (repo.instances / "newco.json").write_text(json.dumps(new, indent=2) + "\n")

    document, proxy = scan_through_proxy(cloudctl, moto)
    assert document["formatVersion"] == 1
    kinds = by_kind(document)
    changed = {(f["instance"], f["resource"], f["attribute"]): f for f in kinds["changed"]}
    assert changed[(d["scaled"], "service", "replicas")]["observed"] == "5"
    assert changed[(d["scaled"], "service", "replicas")]["expected"] == "2"
    assert changed[(d["resized"], "database", "databaseClass")]["observed"] == "db.m5.xlarge"
    assert changed[(d["retagged"], "task-definition", "image")]["observed"] == "evil.example/app"
    assert changed[(d["resized"], "bucket", "encryption")]["observed"] == "none"
    missing = {(f["instance"], f["resource"]) for f in kinds["missing"]}
    assert missing == {(d["gone"], "bucket"), (d["unrecorded"], "dns-record")}, kinds["missing"]
    unmanaged = kinds["unmanaged"]
    assert [(f["instance"], f["resource"], f["cloudId"]) for f in unmanaged] == [("ghost", "network", d["vpc"])]
    assert [f["instance"] for f in kinds["only-in-git"]] == ["newco"]
    assert document["summary"] == {"missing": 2, "changed": 4, "unmanaged": 1, "only-in-git": 1, "total": 8}
    for finding in document["findings"]:
        assert set(finding) == {"instance", "resource", "drift", "attribute", "expected", "observed", "cloudId"}

    human = cloudctl("drift", check=0).stdout
    assert "Drift: 2 missing, 4 changed, 1 unmanaged, 1 only-in-git" in human, human
    assert f"{d['scaled']}\n" in human and "replicas: expected 2, observed 5" in human

    status = cloudctl("status", d["scaled"], "--refresh", check=0).stdout
    assert "DRIFT: changed replicas" in status and "5 replicas" in status, status

    plan = cloudctl("plan", "--refresh", check=0)
    assert "drifted in the cloud: replicas 5 → 2" in plan.stdout, plan.stdout
    assert "unmanaged network " + d["vpc"] in plan.stderr and "to adopt it" in plan.stderr, plan.stderr

    applied = cloudctl.apply("--refresh")
    assert "Apply complete" in applied.stdout
    ecs, rds, s3 = aws.client("ecs"), aws.client("rds"), aws.client("s3")
    assert aws.service(repo.prefix(d["scaled"]))["desiredCount"] == 2
    assert aws.bucket_exists(repo.prefix(d["gone"]))
    assert aws.database(repo.prefix(d["resized"]))["DBInstanceClass"] == "db.t3.micro"
    running = aws.service(repo.prefix(d["retagged"]))["taskDefinition"]
    image = aws.task_definition(running)[0]["containerDefinitions"][0]["image"]
    assert image == f"{repo.fleet['image']}:{repo.spec(d['retagged'])['version']}", image
    assert [s for s in aws.records(repo.fleet["dns"]["zone"], repo.spec(d["unrecorded"])["domain"])
            if s["Type"] == "CNAME"], "the DNS record is back"
    rules = s3.get_bucket_encryption(Bucket=repo.prefix(d["resized"]))["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    for name in ("newco", d["scaled"], d["gone"], d["resized"], d["retagged"]):
        assert_provisioned(aws, repo, name)
    ghost = aws.vpcs("ghost")
    assert [v["VpcId"] for v in ghost] == [d["vpc"]], "the unmanaged VPC is left alone"

    after = by_kind(drift_json(cloudctl))
    assert set(after) == {"unmanaged"}, after
    assert "No changes" in cloudctl("plan", check=0).stdout


def test_the_cloud_forgot_everything_then_apply_refresh_rebuilds_without_duplicates(cloudctl, repo, aws, moto):
    cloudctl.apply()
    urllib.request.urlopen(urllib.request.Request(moto + "/moto-api/reset", method="POST"), timeout=10)
    document = drift_json(cloudctl)
    kinds = by_kind(document)
    assert set(kinds) == {"missing"}, kinds
    live = repo.names("active") + repo.names("suspended")
    assert {f["instance"] for f in kinds["missing"]} == set(live)
    assert len(kinds["missing"]) == 13 * len(live), "every resource of every live instance"

    cloudctl.apply("--refresh")
    for name in live:
        assert_provisioned(aws, repo, name)
        region = repo.spec(name)["region"]
        assert len(aws.vpcs(name, region)) == 1, f"{name}: one VPC, no duplicate"
    assert drift_json(cloudctl, check=0)["summary"]["total"] == 0
    assert "No changes" in cloudctl.apply().stdout


def test_a_throttled_scan_retries_and_finds_the_same_and_ghosts_are_dropped(cloudctl, repo, aws, moto):
    cloudctl.apply()
    fleet = repo.fleet["name"]
    aws.client("ecs").update_service(cluster=repo.prefix("acme"), service="app", desiredCount=4)
    # A secret scheduled for deletion is still listed by the tagging API (a ghost ARN): it must count as missing.
    aws.client("secretsmanager").delete_secret(SecretId=f"cloudctl/{fleet}/initech/database", RecoveryWindowInDays=7)
    key = aws.kms_alias(f"alias/{repo.prefix('dogfood')}")["TargetKeyId"]
    aws.client("kms").disable_key(KeyId=key)
    calm, counted = scan_through_proxy(cloudctl, moto)
    throttled, proxy = scan_through_proxy(cloudctl, moto, throttle_every=4)
    assert proxy.injected and {k for _, _, k in proxy.injected} == {"throttle"}
    assert throttled["findings"] == calm["findings"]
    assert [(f["instance"], f["drift"], f["attribute"], f["observed"]) for f in calm["findings"]] == [
        ("acme", "changed", "replicas", "4"), ("dogfood", "changed", "keyState", "Disabled"),
        ("initech", "missing", None, None)]
    assert calm["ghosts"] >= 1, "the deleted secret's ARN was dropped"
    cloudctl.apply("--refresh")
    assert aws.key_state(key) == "Enabled"
    assert "DeletedDate" not in aws.secret(f"cloudctl/{fleet}/initech/database"), "restored"

    assert drift_json(cloudctl, check=0)["summary"]["total"] == 0
    # The budget (docs/BENCHMARKS.md): five calls per live instance as issue 7 set it, plus one GetRolePolicy per role
    # (two per instance: IAM has no batch read of inline policies); one per torn-down instance (its task family is
    # looked up, its cluster being gone); seven per region; ListRoles and Route 53 (two) once.
    instances = len(repo.names("active") + repo.names("suspended"))
    budget = 7 * instances + len(repo.names("deleted")) + 7 * 2 + 3
    assert len(counted.calls) <= budget, counted.calls
    actions = [a for _, a, _ in counted.calls]
    assert actions.count("GetRolePolicy") == 2 * instances, actions
    for batch in ("DescribeSecurityGroups", "DescribeLogGroups"):
        assert actions.count(batch) == 2, f"{batch}: once per region"
    assert actions.count("ListRoles") == 1, "IAM is global: read once"
    assert "ListRoleTags" not in actions, "roles of known instances need no tag call"


def test_tenant_kinds_drift_and_apply_refresh_sets_them_back(cloudctl, repo, aws, moto):
    """Issue 13's kinds: a shorter log retention, another inline policy on a task role, an inbound rule from
    anywhere on an application's security group and a database group's rule revoked are each `changed`;
    apply --refresh sets each back."""
    cloudctl.apply()
    assert drift_json(cloudctl, check=0)["summary"]["total"] == 0, "a fresh apply is in sync"
    fleet = repo.fleet["name"]
    logs, iam, ec2 = aws.client("logs"), aws.client("iam"), aws.client("ec2")
    retained, widened, opened = "acme", "initech", "dogfood"
    group = f"/cloudctl/{fleet}/{retained}"
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    role = f"{repo.prefix(widened)}-task"
    original = iam.get_role_policy(RoleName=role, PolicyName="cloudctl")["PolicyDocument"]
    iam.put_role_policy(RoleName=role, PolicyName="cloudctl", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))

    def app_group():
        groups = ec2.describe_security_groups(Filters=[
            {"Name": "group-name", "Values": [repo.prefix(opened)]},
            {"Name": "tag:cloudctl:fleet", "Values": [fleet]}])["SecurityGroups"]
        assert len(groups) == 1, groups
        return groups[0]

    def sources(group):
        return sorted(r["CidrIp"] for p in group["IpPermissions"] for r in p.get("IpRanges", []))

    before = sources(app_group())
    ec2.authorize_security_group_ingress(GroupId=app_group()["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    # Revoked by hand: the database group's only rule (PostgreSQL from the app group) of another instance.
    closed = "umbrella-trial"
    database_group = ec2.describe_security_groups(Filters=[
        {"Name": "group-name", "Values": [repo.prefix(closed) + "-db"]}])["SecurityGroups"][0]
    wanted = database_group["IpPermissions"]
    assert [g["GroupId"] for p in wanted for g in p["UserIdGroupPairs"]], wanted
    ec2.revoke_security_group_ingress(GroupId=database_group["GroupId"], IpPermissions=wanted)

    document, _ = scan_through_proxy(cloudctl, moto)
    changed = {(f["instance"], f["resource"], f["attribute"]): f for f in by_kind(document).get("changed", [])}
    assert set(changed) == {(retained, "log-group", "retentionDays"), (widened, "task-role", "policy"),
                            (opened, "security-rules", "ingress"), (closed, "security-rules", "databaseIngress")}, \
        document["findings"]
    assert changed[(closed, "security-rules", "databaseIngress")]["observed"] == "none"
    assert (changed[(retained, "log-group", "retentionDays")]["expected"],
            changed[(retained, "log-group", "retentionDays")]["observed"]) == ("30", "7")
    assert '"s3:*"' in changed[(widened, "task-role", "policy")]["observed"]
    assert json.loads(changed[(widened, "task-role", "policy")]["expected"]) == original
    assert "0.0.0.0/0" in changed[(opened, "security-rules", "ingress")]["observed"]
    assert document["summary"]["total"] == 4, document["summary"]

    cloudctl.apply("--refresh")
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["retentionInDays"] == 30
    assert iam.get_role_policy(RoleName=role, PolicyName="cloudctl")["PolicyDocument"] == original
    assert sources(app_group()) == before == ["10.100.0.0/16"]
    restored = ec2.describe_security_groups(GroupIds=[database_group["GroupId"]])["SecurityGroups"][0]
    assert [(p["FromPort"], [g["GroupId"] for g in p["UserIdGroupPairs"]]) for p in restored["IpPermissions"]] == \
        [(p["FromPort"], [g["GroupId"] for g in p["UserIdGroupPairs"]]) for p in wanted]
    assert drift_json(cloudctl, check=0)["summary"]["total"] == 0
    assert "No changes" in cloudctl("plan", check=0).stdout


def test_refresh_refuses_a_saved_plan_before_any_call(cloudctl, repo, moto):
    refused = refused_without_a_call(cloudctl, moto, "plan", "--refresh", "--out", str(repo.root / "p.json"))
    assert "--out" in refused.stderr and "--refresh" in refused.stderr
    refused = refused_without_a_call(cloudctl, moto, "apply", str(repo.root / "p.json"), "--refresh")
    assert "--refresh" in refused.stderr
