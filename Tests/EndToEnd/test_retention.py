"""What a teardown keeps stays restorable: the final snapshot is under the fleet's archive key (which outlives the
instance key), the archive bucket is encrypted and private, and the snapshot restores after the teardown."""
import datetime

from cloud_inventory import FLEET_TAG, INSTANCE_TAG, tag_map

NAME = "initech"  # active, us-east-1, not protected


def test_final_snapshot_restores_after_teardown_and_archive_is_encrypted(cloudctl, repo, aws):
    fleet, p = repo.fleet["name"], repo.prefix(NAME)
    # Eight labels: with cloudctl's own tags more than the 10 S3 allows on an archived object.
    labels = {f"team-{i}": f"value-{i}" for i in range(8)}
    repo.edit(NAME, labels=labels)
    cloudctl.apply(NAME)
    s3, rds, kms = aws.client("s3"), aws.client("rds"), aws.client("kms")
    s3.put_object(Bucket=p, Key="reports/2026.csv", Body=b"customer data")
    instance_key = aws.kms_alias(f"alias/{p}")["TargetKeyId"]

    repo.edit(NAME, state="deleted")
    cloudctl.apply(NAME)
    assert aws.database(p) is None

    # The instance key goes away; the archive key is the fleet's and stays enabled.
    assert aws.key_state(instance_key) == "PendingDeletion"
    archive_alias = aws.kms_alias(f"alias/cloudctl-{fleet}-archive")
    assert archive_alias, "a fleet archive key per region"
    archive_key = kms.describe_key(KeyId=archive_alias["TargetKeyId"])["KeyMetadata"]
    assert archive_key["KeyState"] == "Enabled"
    key_tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=archive_key["KeyId"])["Tags"]}
    assert key_tags == {FLEET_TAG: fleet}

    # The final snapshot is kept under the archive key, tagged with its retention; the instance-key one is gone.
    finals = [s for s in aws.snapshots(p) if "final" in s["DBSnapshotIdentifier"]]
    assert len(finals) == 1, [s["DBSnapshotIdentifier"] for s in finals]
    final = finals[0]
    assert final["Encrypted"] and final["KmsKeyId"] == archive_key["Arn"], final
    tags = tag_map(rds.list_tags_for_resource(ResourceName=final["DBSnapshotArn"])["TagList"])
    assert tags[INSTANCE_TAG] == NAME and tags[FLEET_TAG] == fleet
    until = datetime.date.fromisoformat(tags["cloudctl:retain-until"])
    assert until - datetime.date.today() >= datetime.timedelta(days=89), "default retention is 90 days"

    # It restores after the teardown, into a network made for the restore (the instance's is gone).
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=z)["Subnet"]["SubnetId"]
               for i, z in enumerate(zones)]
    rds.create_db_subnet_group(DBSubnetGroupName="restore", DBSubnetGroupDescription="restore", SubnetIds=subnets)
    restored = rds.restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier=f"{p}-restored", DBSubnetGroupName="restore",
        DBSnapshotIdentifier=final["DBSnapshotIdentifier"])["DBInstance"]
    assert restored["Engine"] == "postgres"
    assert aws.database(f"{p}-restored") is not None

    # The archive bucket is encrypted with the archive key, blocks public access, and holds the objects, encrypted.
    archive = f"cloudctl-{fleet}-archive-us-east-1"
    rule = s3.get_bucket_encryption(Bucket=archive)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                          "KMSMasterKeyID": archive_key["Arn"]}
    assert all(s3.get_public_access_block(Bucket=archive)["PublicAccessBlockConfiguration"].values())
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=archive)["Contents"]]
    archived = next(k for k in keys if k.startswith(f"{NAME}/") and k.endswith("/reports/2026.csv"))
    head = s3.head_object(Bucket=archive, Key=archived)
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == archive_key["Arn"], head
    assert s3.get_object(Bucket=archive, Key=archived)["Body"].read() == b"customer data"
    object_tags = tag_map(s3.get_object_tagging(Bucket=archive, Key=archived)["TagSet"])
    assert object_tags[INSTANCE_TAG] == NAME and "cloudctl:retain-until" in object_tags
    assert not set(labels) & set(object_tags), "archived objects carry cloudctl's tags only (S3 allows 10)"
    assert set(labels) <= set(tags), "the final snapshot keeps the labels"


def test_fleet_retention_sets_retain_until(cloudctl, repo, aws):
    fleet_file = repo.instances / "_fleet.json"
    fleet_file.write_text(fleet_file.read_text().replace('"name": "demo",',
                                                         '"name": "demo",\n  "retention": "400d",', 1))
    p = repo.prefix(NAME)
    cloudctl.apply(NAME)
    repo.edit(NAME, state="deleted")
    cloudctl.apply(NAME)
    final = next(s for s in aws.snapshots(p) if "final" in s["DBSnapshotIdentifier"])
    tags = tag_map(aws.client("rds").list_tags_for_resource(ResourceName=final["DBSnapshotArn"])["TagList"])
    until = datetime.date.fromisoformat(tags["cloudctl:retain-until"])
    assert until - datetime.date.today() >= datetime.timedelta(days=399)


def test_bad_retention_is_a_validation_error(cloudctl, repo):
    fleet_file = repo.instances / "_fleet.json"
    fleet_file.write_text(fleet_file.read_text().replace('"name": "demo",',
                                                         '"name": "demo",\n  "retention": "3 months",', 1))
    proc = cloudctl("validate", check=1)
    assert 'invalid retention "3 months"' in proc.stderr, proc.stderr


def test_protection_must_be_lifted_by_an_earlier_applied_change(cloudctl, repo, aws, moto):
    """Hardening 3: one change that lifts `protected` and sets `state: deleted` is refused with no cloud call;
    lifting protection alone is applied (recorded; the database's deletion protection is turned off, RDS calls only);
    then the teardown goes ahead."""
    from urllib.parse import urlsplit
    from fault_proxy import FaultProxy

    p = repo.prefix(NAME)
    repo.edit(NAME, protected=True)
    cloudctl.apply(NAME)

    repo.edit(NAME, protected=False, state="deleted")
    proxy = FaultProxy(urlsplit(moto).port).start()
    try:
        refused = cloudctl("apply", NAME, "--auto-approve", check=1, endpoint=proxy.endpoint)
        assert "earlier, applied change" in refused.stderr, refused.stderr
        assert "protected" in refused.stderr
        assert proxy.count == 0, f"a refused teardown made {proxy.count} cloud calls"
        assert aws.database(p) is not None

        repo.edit(NAME, protected=False, state="active")
        lift = cloudctl("apply", NAME, "--auto-approve", check=0, endpoint=proxy.endpoint)
        assert "unprotected" in lift.stdout, lift.stdout
        assert {service for service, _, _ in proxy.calls} == {"rds"}, proxy.calls
        assert aws.database(p)["DeletionProtection"] is False
    finally:
        proxy.stop()

    repo.edit(NAME, state="deleted")
    cloudctl.apply(NAME)
    assert aws.database(p) is None
