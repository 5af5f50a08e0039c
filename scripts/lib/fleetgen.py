"""Generates fleets of N instance files for benchmarks, from the sample fleet's _fleet.json."""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def generate(repo: Path, n: int, vary: bool = True, prefix: str = "cust"):
    """Writes Instances/_fleet.json and N instance files; `vary=False` makes them all small, active, us-east-1."""
    inst = repo / "Instances"
    inst.mkdir(parents=True, exist_ok=True)
    fleet = json.loads((ROOT / "Instances" / "_fleet.json").read_text())
    (inst / "_fleet.json").write_text(json.dumps(fleet, indent=2))
    versions = [r["version"] for r in fleet["releases"]]
    sizes = sorted(fleet["tiers"], key=lambda s: fleet["tiers"][s]["storageGB"])
    channels = sorted(c for c, v in fleet["channels"].items() if not v.get("paused"))
    zone = fleet["dns"]["zone"]
    for i in range(n):
        name = f"{prefix}-{i:06d}"
        kind = ("production", "trial", "internal")[i % 3] if vary else "production"
        spec = {
            "name": name, "customer": f"Customer {i}", "type": kind,
            "version": versions[i % len(versions)] if vary else versions[-1],
            "size": sizes[i % len(sizes)] if vary else sizes[0],
            "region": "us-east-1", "domain": f"{name}.{zone}",
            "channel": channels[i % len(channels)] if vary else channels[0],
            "state": "active",
            "maintenanceWindow": {"day": "sun", "start": "02:00", "duration": "4h", "timeZone": "UTC"},
            "protected": False, "features": {"sso": i % 2 == 0}, "labels": {"team": "bench"},
        }
        if kind == "trial":
            spec["trial"] = {"expires": "2027-06-30"}
        (inst / f"{name}.json").write_text(json.dumps(spec, indent=2) + "\n")
    return fleet
