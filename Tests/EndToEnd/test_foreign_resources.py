"""A resource with a derived name that is not this instance's is never modified: one tagged for another instance,
and one without tags (not adopted silently), for every resource kind the provider creates or adopts."""
import pytest

from cloud_inventory import FLEET_TAG, INSTANCE_TAG, tag_map
from journal import rows

NAME = "initech"  # active, us-east-1, not protected


def other_tags(repo):
    return {INSTANCE_TAG: "someone-else", FLEET_TAG: repo.fleet["name"]}


def boto_tags(tags, key="Key", value="Value"):
    return [{key: k, value: v} for k, v in sorted(tags.items())]


def make_vpc(ec2, tags=None, cidrs=()):
    spec = [{"ResourceType": "vpc", "Tags": boto_tags(tags)}] if tags else []
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec)["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=c, AvailabilityZone=zones[i])["Subnet"]["SubnetId"]
               for i, c in enumerate(cidrs)]
    return vpc, subnets


def ours(repo):
    return {INSTANCE_TAG: NAME, FLEET_TAG: repo.fleet["name"]}


# --- one entry per resource kind: set up the same-named resource (tags may be {}), return a function that reads
# --- everything about it that an apply could change.

def bucket(aws, repo, tags):
    s3, p = aws.client("s3"), repo.prefix(NAME)
    s3.create_bucket(Bucket=p)
    if tags:
        s3.put_bucket_tagging(Bucket=p, Tagging={"TagSet": boto_tags(tags)})

    def state():
        try:
            enc = s3.get_bucket_encryption(Bucket=p)["ServerSideEncryptionConfiguration"]
        except s3.exceptions.ClientError:
            enc = None
        try:
            current = tag_map(s3.get_bucket_tagging(Bucket=p)["TagSet"])
        except s3.exceptions.ClientError:
            current = {}
        return current, enc, [o["Key"] for o in s3.list_objects_v2(Bucket=p).get("Contents", [])]
    return state


def kms_alias(aws, repo, tags):
    kms, alias = aws.client("kms"), f"alias/{repo.prefix(NAME)}"
    key = kms.create_key(Tags=boto_tags(tags, "TagKey", "TagValue"))["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key)

    def state():
        target = aws.kms_alias(alias)["TargetKeyId"]
        return target, kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"], kms.list_resource_tags(KeyId=key)["Tags"]
    return state


def secret(aws, repo, tags):
    sm, name = aws.client("secretsmanager"), f"cloudctl/{repo.fleet['name']}/{NAME}/database"
    sm.create_secret(Name=name, SecretString="hand-made", Tags=boto_tags(tags))
    return lambda: (sm.get_secret_value(SecretId=name)["SecretString"],
                    tag_map(sm.describe_secret(SecretId=name).get("Tags")))


def db_subnet_group(aws, repo, tags):
    rds, p = aws.client("rds"), repo.prefix(NAME)
    _, subnets = make_vpc(aws.client("ec2"), cidrs=["10.0.0.0/24", "10.0.1.0/24"])
    rds.create_db_subnet_group(DBSubnetGroupName=p, DBSubnetGroupDescription="hand-made", SubnetIds=subnets,
                               Tags=boto_tags(tags))

    def state():
        group = rds.describe_db_subnet_groups(DBSubnetGroupName=p)["DBSubnetGroups"][0]
        return (group["DBSubnetGroupDescription"], sorted(s["SubnetIdentifier"] for s in group["Subnets"]),
                tag_map(rds.list_tags_for_resource(ResourceName=group["DBSubnetGroupArn"])["TagList"]))
    return state


def database(aws, repo, tags):
    rds, p = aws.client("rds"), repo.prefix(NAME)
    rds.create_db_instance(DBInstanceIdentifier=p, DBInstanceClass="db.t3.large", Engine="postgres",
                           AllocatedStorage=77, MasterUsername="hand", MasterUserPassword="hand-made-1",
                           Tags=boto_tags(tags))

    def state():
        db = aws.database(p)
        return db["DBInstanceClass"], db["AllocatedStorage"], db["DBInstanceStatus"], tag_map(db.get("TagList"))
    return state


def subnet(aws, repo, tags):
    # Our network as cloudctl would have made it, with a subnet at one of our CIDRs that is not ours.
    ec2 = aws.client("ec2")
    vpc, _ = make_vpc(ec2, tags=ours(repo))
    sid = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/20",
                            TagSpecifications=[{"ResourceType": "subnet", "Tags": boto_tags(tags)}] if tags else [])
    sid = sid["Subnet"]["SubnetId"]

    def state():
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        return sorted((s["SubnetId"], s["CidrBlock"], str(sorted(tag_map(s.get("Tags")).items()))) for s in subnets)
    return state


def security_group(aws, repo, tags):
    ec2 = aws.client("ec2")
    vpc, _ = make_vpc(ec2, tags=ours(repo))
    specs = [{"ResourceType": "security-group", "Tags": boto_tags(tags)}] if tags else []
    ec2.create_security_group(GroupName=repo.prefix(NAME), Description="hand-made", VpcId=vpc,
                              TagSpecifications=specs)

    def state():
        groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        return (sorted((g["GroupName"], g["Description"], str(sorted(tag_map(g.get("Tags")).items()))) for g in groups),
                len(subnets))
    return state


def dns_record(aws, repo, tags):
    r53, zone, domain = aws.client("route53"), repo.fleet["dns"]["zone"], repo.spec(NAME)["domain"]
    zid = r53.create_hosted_zone(Name=zone, CallerReference="hand-made")["HostedZone"]["Id"]
    changes = [{"Action": "CREATE", "ResourceRecordSet": {"Name": domain, "Type": "CNAME", "TTL": 60,
                                                          "ResourceRecords": [{"Value": "elsewhere.example.com"}]}}]
    if tags:
        value = f'"{INSTANCE_TAG}={tags[INSTANCE_TAG]},{FLEET_TAG}={tags[FLEET_TAG]}"'
        changes.append({"Action": "CREATE",
                        "ResourceRecordSet": {"Name": f"_cloudctl.{domain}", "Type": "TXT", "TTL": 60,
                                              "ResourceRecords": [{"Value": value}]}})
    r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": changes})
    return lambda: sorted(str(r) for r in aws.records(zone, domain))


def cluster(aws, repo, tags):
    ecs, p = aws.client("ecs"), repo.prefix(NAME)
    ecs.create_cluster(clusterName=p, tags=boto_tags(tags, "key", "value"))

    def state():
        c = aws.cluster(p)
        return c["status"], tag_map(c.get("tags")), ecs.list_services(cluster=p)["serviceArns"]
    return state


def provisioned_then_deleted(cloudctl, repo):
    """Provision the instance and mark it for teardown."""
    cloudctl.apply(NAME)
    repo.edit(NAME, state="deleted")


def archive_prefix(aws, repo):
    created = next(b["CreationDate"] for b in aws.client("s3").list_buckets()["Buckets"]
                   if b["Name"] == repo.prefix(NAME))
    return f"{NAME}/{created.strftime('%Y%m%dt%H%M%S')}/"


def archive_bucket(aws, repo, tags, cloudctl):
    provisioned_then_deleted(cloudctl, repo)
    s3 = aws.client("s3")
    s3.put_object(Bucket=repo.prefix(NAME), Key="data.txt", Body=b"customer data")
    archive = f"cloudctl-{repo.fleet['name']}-archive-us-east-1"
    s3.create_bucket(Bucket=archive)
    if tags:
        # Another fleet's archive: the archive belongs to a fleet, not to an instance.
        s3.put_bucket_tagging(Bucket=archive, Tagging={"TagSet": boto_tags({FLEET_TAG: "another-fleet"})})

    def state():
        try:
            current = tag_map(s3.get_bucket_tagging(Bucket=archive)["TagSet"])
        except s3.exceptions.ClientError:
            current = {}
        try:
            enc = s3.get_bucket_encryption(Bucket=archive)["ServerSideEncryptionConfiguration"]
        except s3.exceptions.ClientError:
            enc = None
        return current, enc, [o["Key"] for o in s3.list_objects_v2(Bucket=archive).get("Contents", [])]
    return state


def archive_object(aws, repo, tags, cloudctl):
    provisioned_then_deleted(cloudctl, repo)
    s3 = aws.client("s3")
    s3.put_object(Bucket=repo.prefix(NAME), Key="data.txt", Body=b"customer data")
    archive = f"cloudctl-{repo.fleet['name']}-archive-us-east-1"
    s3.create_bucket(Bucket=archive)
    s3.put_bucket_tagging(Bucket=archive, Tagging={"TagSet": boto_tags({FLEET_TAG: repo.fleet["name"]})})
    key = archive_prefix(aws, repo) + "data.txt"
    s3.put_object(Bucket=archive, Key=key, Body=b"someone else's",
                  Tagging="&".join(f"{k}={v}" for k, v in tags.items()))

    def state():
        body = s3.get_object(Bucket=archive, Key=key)["Body"].read()
        return body, tag_map(s3.get_object_tagging(Bucket=archive, Key=key)["TagSet"])
    return state


# kind → the step that must refuse it
KINDS = {bucket: "create bucket", kms_alias: "create key", secret: "create secret", db_subnet_group: "create database",
         database: "create database", subnet: "create network", security_group: "create network",
         dns_record: "create dns-record", cluster: "create cluster", archive_bucket: "snapshot bucket",
         archive_object: "snapshot bucket"}
NEEDS_CLOUDCTL = {archive_bucket, archive_object}


@pytest.mark.parametrize("owner", ["other-instance", "untagged"])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_same_named_resource_that_is_not_ours_fails_the_apply_and_stays_unchanged(cloudctl, repo, aws, kind, owner):
    tags = other_tags(repo) if owner == "other-instance" else {}
    state = kind(aws, repo, tags, cloudctl) if kind in NEEDS_CLOUDCTL else kind(aws, repo, tags)
    before = state()

    proc = cloudctl.apply(NAME, check=1)
    out = proc.stdout + proc.stderr
    assert "foreign-resource" in out, out
    if owner == "untagged":
        assert "by hand" in out, "an untagged resource's refusal says how to adopt it:\n" + out
    assert state() == before, f"{kind.__name__} was modified"
    failed = rows(repo.db, "SELECT action || ' ' || resource FROM steps WHERE instance = ? AND status = 'failed' "
                           "AND error LIKE '%foreign-resource%'", NAME)
    assert failed == [(KINDS[kind],)], f"the refusal is journaled on {KINDS[kind]}: {failed}"
