"""A generated database password never appears in output, plan files, SQLite or logs."""
import glob


def test_generated_password_never_leaks(cloudctl, repo, aws, tmp_path):
    plan_file = tmp_path / "plan.json"
    cloudctl("plan", "--out", str(plan_file), check=0)
    cloudctl.apply()
    cloudctl("status", check=0)
    cloudctl("status", "--json", check=0)
    cloudctl("history", "--json", check=0)
    for name in repo.names("active"):
        cloudctl("status", name, check=0)
        cloudctl("history", name, check=0)

    passwords = [aws.secret_value(f"cloudctl/{repo.fleet['name']}/{n}/database", repo.spec(n)["region"])
                 for n in repo.names("active") + repo.names("suspended")]
    assert passwords and all(len(p) >= 16 for p in passwords)

    haystacks = {"output": "\n".join(cloudctl.transcript).encode(), "plan file": plan_file.read_bytes()}
    for path in glob.glob(str(repo.db) + "*"):  # the database, its WAL and shared-memory files
        haystacks[path] = open(path, "rb").read()
    for path in glob.glob(str(repo.root / ".cloudctl" / "**"), recursive=True):
        if path.endswith((".log", ".txt")):
            haystacks[path] = open(path, "rb").read()
    for password in passwords:
        for where, data in haystacks.items():
            assert password.encode() not in data, f"a generated password leaked into {where}"
