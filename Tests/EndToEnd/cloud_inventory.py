"""What exists in the cloud, read with boto3: the independent check of what cloudctl did."""
import boto3
from botocore.config import Config

INSTANCE_TAG = "cloudctl:instance"
FLEET_TAG = "cloudctl:fleet"


def tag_map(tags):
    """AWS returns tags as [{Key, Value}] or [{key, value}] depending on the service."""
    return {t.get("Key", t.get("key")): t.get("Value", t.get("value")) for t in tags or []}


class Inventory:
    def __init__(self, endpoint, region="us-east-1"):
        self.endpoint = endpoint
        self.region = region
        self._clients = {}

    def client(self, service, region=None):
        key = (service, region or self.region)
        if key not in self._clients:
            self._clients[key] = boto3.client(service, endpoint_url=self.endpoint, region_name=key[1],
                                              aws_access_key_id="testing", aws_secret_access_key="testing",
                                              config=Config(retries={"max_attempts": 1}))
        return self._clients[key]

    # --- per resource: each returns what exists for one instance (None / [] when absent)

    def vpcs(self, name, region=None):
        r = self.client("ec2", region).describe_vpcs(Filters=[{"Name": f"tag:{INSTANCE_TAG}", "Values": [name]}])
        return r["Vpcs"]

    def subnets(self, vpc_id, region=None):
        return self.client("ec2", region).describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]

    def kms_alias(self, alias, region=None):
        aliases = self.client("kms", region).list_aliases()["Aliases"]
        return next((a for a in aliases if a["AliasName"] == alias), None)

    def key_state(self, key_id, region=None):
        return self.client("kms", region).describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]

    def bucket_exists(self, bucket):
        return any(b["Name"] == bucket for b in self.client("s3").list_buckets()["Buckets"])

    def bucket_tags(self, bucket):
        return tag_map(self.client("s3").get_bucket_tagging(Bucket=bucket)["TagSet"])

    def secret(self, name, region=None):
        try:
            return self.client("secretsmanager", region).describe_secret(SecretId=name)
        except self.client("secretsmanager", region).exceptions.ResourceNotFoundException:
            return None

    def secret_value(self, name, region=None):
        return self.client("secretsmanager", region).get_secret_value(SecretId=name)["SecretString"]

    def database(self, identifier, region=None):
        rds = self.client("rds", region)
        try:
            return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        except rds.exceptions.DBInstanceNotFoundFault:
            return None

    def snapshots(self, identifier, region=None):
        rds = self.client("rds", region)
        return rds.describe_db_snapshots(DBInstanceIdentifier=identifier)["DBSnapshots"]

    def all_snapshots(self, region=None):
        return self.client("rds", region).describe_db_snapshots()["DBSnapshots"]

    def cluster(self, name, region=None):
        r = self.client("ecs", region).describe_clusters(clusters=[name], include=["TAGS"])
        active = [c for c in r["clusters"] if c["status"] == "ACTIVE"]
        return active[0] if active else None

    def service(self, cluster, name="app", region=None):
        ecs = self.client("ecs", region)
        try:
            r = ecs.describe_services(cluster=cluster, services=[name], include=["TAGS"])
        except Exception:
            return None
        active = [s for s in r["services"] if s["status"] == "ACTIVE"]
        return active[0] if active else None

    def task_definition(self, arn, region=None):
        r = self.client("ecs", region).describe_task_definition(taskDefinition=arn, include=["TAGS"])
        return r["taskDefinition"], tag_map(r.get("tags"))

    def task_definition_arns(self, family, region=None):
        r = self.client("ecs", region).list_task_definitions(familyPrefix=family, status="ACTIVE")
        return [a for a in r["taskDefinitionArns"] if a.split("/")[-1].rsplit(":", 1)[0] == family]

    def zone_id(self, zone):
        zones = self.client("route53").list_hosted_zones()["HostedZones"]
        z = next((z for z in zones if z["Name"].rstrip(".") == zone.rstrip(".")), None)
        return z["Id"].split("/")[-1] if z else None

    def records(self, zone, domain):
        zid = self.zone_id(zone)
        if not zid:
            return []
        sets = self.client("route53").list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]
        wanted = {domain.rstrip("."), f"_cloudctl.{domain}".rstrip(".")}
        return [s for s in sets if s["Name"].rstrip(".") in wanted]
