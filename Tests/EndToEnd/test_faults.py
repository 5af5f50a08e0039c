"""Throttling and 5xx injected by a proxy in front of moto are retried, recorded, and converge."""
from urllib.parse import urlsplit

from expectations import assert_provisioned
from fault_proxy import FaultProxy
from journal import count


def test_throttling_and_server_errors_are_retried_and_recorded(cloudctl, repo, aws, moto):
    proxy = FaultProxy(urlsplit(moto).port, throttle_every=9, error_every=14).start()
    try:
        cloudctl.apply(endpoint=proxy.endpoint)
    finally:
        proxy.stop()
    kinds = {k for _, _, k in proxy.injected}
    assert kinds == {"throttle", "server-error"}, proxy.injected
    for name in repo.names("active") + repo.names("suspended"):
        assert_provisioned(aws, repo, name)
    retried = count(repo.db, "SELECT count(*) FROM steps WHERE status = 'succeeded' AND attempts > 1")
    assert retried >= 1, "retries are recorded in the journal"
    assert "No changes" in cloudctl.apply().stdout


def test_bad_input_exits_1_and_makes_no_cloud_call(cloudctl, repo, moto):
    (repo.instances / "broken.json").write_text('{\n  "name": "broken",\n  "customer": "X"\n  "type": "trial"\n}\n')
    proxy = FaultProxy(urlsplit(moto).port).start()
    try:
        v = cloudctl("validate", check=1)
        a = cloudctl("apply", "--auto-approve", check=1, endpoint=proxy.endpoint)
    finally:
        proxy.stop()
    assert "Instances/broken.json:3:18: error: missing ','" in v.stderr, v.stderr
    assert "Instances/broken.json" in a.stderr
    assert proxy.count == 0, f"bad input made {proxy.count} cloud calls"


def test_a_resource_tagged_for_another_instance_is_never_touched(cloudctl, repo, aws):
    names = repo.names("active")
    victim, other = names[0], names[1]
    bucket = repo.prefix(victim)
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [
        {"Key": "cloudctl:instance", "Value": "someone-else"}, {"Key": "cloudctl:fleet", "Value": repo.fleet["name"]}]})

    proc = cloudctl.apply(check=1)
    assert victim in proc.stdout + proc.stderr
    assert aws.bucket_tags(bucket)["cloudctl:instance"] == "someone-else", "the foreign bucket was modified"
    failed = count(repo.db, "SELECT count(*) FROM steps WHERE instance = ? AND status = 'failed' "
                            "AND error LIKE '%foreign%'", victim)
    assert failed == 1, "the failure is journaled with the reason"
    assert_provisioned(aws, repo, other)
