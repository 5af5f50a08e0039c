"""Provision the sample fleet into moto and check every resource with boto3."""
from expectations import assert_absent, assert_provisioned


def test_sample_fleet_provisions_and_second_apply_changes_nothing(cloudctl, repo, aws):
    first = cloudctl.apply()
    assert "failed" not in first.stdout.split("Apply complete")[-1].split("\n")[0] or " 0 failed" in first.stdout

    for name in repo.names("active") + repo.names("suspended"):
        assert_provisioned(aws, repo, name)
    for name in repo.names("deleted"):
        assert_absent(aws, repo, name)

    second = cloudctl.apply()
    assert "No changes" in second.stdout, second.stdout

    plan = cloudctl("plan", "--detailed-exitcode", check=0)
    assert "No changes" in plan.stdout


def test_plan_before_apply_reports_changes_with_detailed_exitcode(cloudctl):
    proc = cloudctl("plan", "--detailed-exitcode", check=2)
    assert "to create" in proc.stdout
