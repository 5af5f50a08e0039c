"""Assertions on what exists in the cloud for one instance, read with boto3 only."""
from cloud_inventory import FLEET_TAG, INSTANCE_TAG, tag_map


def assert_tags(tags, name, fleet, what):
    assert tags.get(INSTANCE_TAG) == name, f"{what}: {INSTANCE_TAG} is {tags.get(INSTANCE_TAG)!r}, expected {name!r}"
    assert tags.get(FLEET_TAG) == fleet, f"{what}: {FLEET_TAG} is {tags.get(FLEET_TAG)!r}, expected {fleet!r}"


def assert_provisioned(aws, repo, name):
    """Every resource of DESIGN.md exists once, tagged, sized from the tier, running the spec's version."""
    spec = repo.spec(name)
    fleet = repo.fleet
    tier = fleet["tiers"][spec["size"]]
    region = spec["region"]
    p = repo.prefix(name)
    fname = fleet["name"]

    vpcs = aws.vpcs(name, region)
    assert len(vpcs) == 1, f"{name}: expected one VPC, found {len(vpcs)}"
    assert_tags(tag_map(vpcs[0].get("Tags")), name, fname, f"{name} VPC")
    assert len(aws.subnets(vpcs[0]["VpcId"], region)) >= 2, f"{name}: expected two subnets"

    alias = aws.kms_alias(f"alias/{p}", region)
    assert alias, f"{name}: KMS alias alias/{p} missing"
    assert aws.key_state(alias["TargetKeyId"], region) == "Enabled"

    assert aws.bucket_exists(p), f"{name}: bucket {p} missing"
    assert_tags(aws.bucket_tags(p), name, fname, f"{name} bucket")
    s3 = aws.client("s3")
    rules = s3.get_bucket_encryption(Bucket=p)["ServerSideEncryptionConfiguration"]["Rules"]
    enc = rules[0]["ApplyServerSideEncryptionByDefault"]
    assert enc["SSEAlgorithm"] == "aws:kms", enc
    pab = s3.get_public_access_block(Bucket=p)["PublicAccessBlockConfiguration"]
    assert all(pab.values()), pab

    secret = aws.secret(f"cloudctl/{fname}/{name}/database", region)
    assert secret, f"{name}: secret missing"
    assert_tags(tag_map(secret.get("Tags")), name, fname, f"{name} secret")

    db = aws.database(p, region)
    assert db, f"{name}: database {p} missing"
    assert db["DBInstanceClass"] == tier["databaseClass"]
    assert db["AllocatedStorage"] == tier["storageGB"]
    assert db["Engine"] == "postgres"
    assert_tags(tag_map(db.get("TagList")), name, fname, f"{name} database")
    expected_db_status = "stopped" if spec["state"] == "suspended" else "available"
    assert db["DBInstanceStatus"] == expected_db_status, f"{name}: database is {db['DBInstanceStatus']}"

    cluster = aws.cluster(p, region)
    assert cluster, f"{name}: cluster missing"
    assert_tags(tag_map(cluster.get("tags")), name, fname, f"{name} cluster")
    service = aws.service(p, region=region)
    assert service, f"{name}: service missing"
    replicas = 0 if spec["state"] == "suspended" else tier["replicas"]
    assert service["desiredCount"] == replicas, f"{name}: desiredCount {service['desiredCount']} != {replicas}"
    taskdef, tdtags = aws.task_definition(service["taskDefinition"], region)
    image = taskdef["containerDefinitions"][0]["image"]
    assert image == f"{fleet['image']}:{spec['version']}", f"{name}: service runs {image}"
    assert int(taskdef["cpu"]) == tier["cpu"] and int(taskdef["memory"]) == tier["memory"]
    assert_tags(tdtags, name, fname, f"{name} task definition")

    records = {r["Type"]: r for r in aws.records(fleet["dns"]["zone"], spec["domain"])}
    assert "CNAME" in records, f"{name}: no CNAME for {spec['domain']}"
    assert records["CNAME"]["ResourceRecords"][0]["Value"].rstrip(".") == fleet["dns"]["target"].rstrip(".")
    assert "TXT" in records, f"{name}: no ownership TXT record"
    assert f"cloudctl:instance={name}" in records["TXT"]["ResourceRecords"][0]["Value"]


def assert_absent(aws, repo, name, allow_snapshots=True):
    """Nothing of the instance exists any more (final snapshots excepted)."""
    spec = repo.spec(name)
    fleet = repo.fleet
    region = spec["region"]
    p = repo.prefix(name)
    assert aws.vpcs(name, region) == [], f"{name}: VPC still exists"
    alias = aws.kms_alias(f"alias/{p}", region)
    if alias:  # a key cannot be deleted at once: it must be pending deletion
        assert aws.key_state(alias["TargetKeyId"], region) == "PendingDeletion"
    assert not aws.bucket_exists(p), f"{name}: bucket still exists"
    secret = aws.secret(f"cloudctl/{fleet['name']}/{name}/database", region)
    assert secret is None or secret.get("DeletedDate"), f"{name}: secret still exists"
    db = aws.database(p, region)
    assert db is None or db["DBInstanceStatus"] == "deleting", f"{name}: database still exists"
    assert aws.cluster(p, region) is None, f"{name}: cluster still exists"
    assert aws.task_definition_arns(p, region) == [], f"{name}: task definitions still registered"
    assert aws.records(fleet["dns"]["zone"], spec["domain"]) == [], f"{name}: DNS records still exist"
