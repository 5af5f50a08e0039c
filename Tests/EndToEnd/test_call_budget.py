"""A new instance costs at most 45 AWS API calls (docs/BENCHMARKS.md has the mix), counted by the recording proxy,
and is placed in the subnets and security groups its network and security-rules steps recorded."""
import json
from collections import Counter
from urllib.parse import urlsplit

from expectations import assert_provisioned
from fault_proxy import FaultProxy
from journal import rows

BUDGET = 45


def test_a_new_instance_costs_at_most_45_calls_and_reuses_its_network_ids(cloudctl, repo, aws, moto):
    names = [n for n in repo.names("active") if repo.spec(n)["region"] == "us-east-1"]
    first, new = names[0], names[1]
    held = {}
    for name in repo.names():
        if name != first:
            held[name] = (repo.instances / f"{name}.json").read_text()
            (repo.instances / f"{name}.json").unlink()
    # The fleet's hosted zone exists once its first instance does: the second one is a new instance in a fleet.
    cloudctl.apply()
    (repo.instances / f"{new}.json").write_text(held[new])

    proxy = FaultProxy(urlsplit(moto).port).start()
    try:
        cloudctl.apply(endpoint=proxy.endpoint)
    finally:
        proxy.stop()
    mix = Counter(f"{service}:{action}" for service, action, _ in proxy.calls)
    print(f"{len(proxy.calls)} calls:", *(f"- {k}: {v}" for k, v in sorted(mix.items())), sep="\n")
    assert_provisioned(aws, repo, new)
    assert len(proxy.calls) <= BUDGET, f"{len(proxy.calls)} calls: {sorted(mix.items())}"
    # Nothing describes subnets: database and service take the recorded ids. The security-rules step describes its
    # two groups once, to converge their rules.
    assert mix["ec2:DescribeSubnets"] == 0 and mix["ec2:DescribeSecurityGroups"] == 1, sorted(mix.items())

    [(text,)] = rows(repo.db, "SELECT network FROM instances WHERE name = ?", new)
    ids = json.loads(text)
    ec2 = aws.client("ec2")
    [vpc] = aws.vpcs(new)
    assert ids["vpc"] == vpc["VpcId"]
    assert sorted(s["SubnetId"] for s in aws.subnets(vpc["VpcId"])) == ids["subnets"]
    [group] = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
        {"Name": "group-name", "Values": [repo.prefix(new)]}])["SecurityGroups"]
    assert group["GroupId"] == ids["securityGroup"]
    [db_group] = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                                                       {"Name": "group-name", "Values": [repo.prefix(new) + "-db"]}]
                                              )["SecurityGroups"]
    db = aws.client("rds").describe_db_instances(DBInstanceIdentifier=repo.prefix(new))["DBInstances"][0]
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [db_group["GroupId"]]
    assert sorted(s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]) == ids["subnets"]
    service = aws.client("ecs").describe_services(cluster=repo.prefix(new), services=["app"])["services"][0]
    placement = service["networkConfiguration"]["awsvpcConfiguration"]
    assert sorted(placement["subnets"]) == ids["subnets"] and placement["securityGroups"] == [ids["securityGroup"]]
