"""Dependency audit: every locked package (uv.lock) checked against published advisories with pip-audit.

Exit status 1 when a locked package has a known vulnerability that is not accepted in `tools/audit-accepted.toml`
(each acceptance names the advisory, the reason and the date it is reviewed again). When no advisory service can be
reached (machines without Internet access reach only a package mirror), the audit says so and exits 0, unless
`PZW_AUDIT_REQUIRED=1` (set it on build machines that can reach PyPI or OSV) makes that a failure too.

Run: `make audit` (part of `make lint`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
ACCEPTED = ROOT / "tools" / "audit-accepted.toml"
SERVICES = ("pypi", "osv")


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    fixed_in: tuple[str, ...]


def locked_requirements() -> str:
    """The locked dependency set (main and dev groups) as pinned requirements, without hashes."""
    done = subprocess.run(["uv", "export", "--frozen", "--no-hashes", "--no-emit-project", "--all-groups"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


def audit(requirements: Path, service: str) -> dict[str, Any] | None:
    """pip-audit's JSON report from one advisory service, or None when the service could not be reached."""
    done = subprocess.run([sys.executable, "-m", "pip_audit", "-r", str(requirements), "--no-deps", "--disable-pip",
                           "-s", service, "-f", "json", "--progress-spinner", "off", "--timeout", "20"],
                          capture_output=True, text=True)
    if not done.stdout.strip().startswith("{"):
        return None
    report: dict[str, Any] = orjson.loads(done.stdout)
    audited = [d for d in report.get("dependencies", []) if "skip_reason" not in d]
    return report if audited else None


def findings(report: dict[str, Any], accepted: set[str]) -> list[Finding]:
    """Vulnerabilities of the report that no acceptance covers (by advisory id or alias)."""
    found = []
    for dependency in report.get("dependencies", []):
        for vuln in dependency.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            if not ids & accepted:
                found.append(Finding(dependency["name"], dependency["version"], vuln["id"],
                                     tuple(vuln.get("fix_versions", []))))
    return found


def accepted_advisories(today: date) -> set[str]:
    """Advisory ids accepted until their review date; an expired acceptance no longer counts."""
    if not ACCEPTED.exists():
        return set()
    entries = tomllib.loads(ACCEPTED.read_text())["accepted"]
    return {e["advisory"] for e in entries if date.fromisoformat(str(e["review_by"])) >= today}


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        requirements = Path(folder) / "requirements.txt"
        requirements.write_text(locked_requirements())
        for service in SERVICES:
            report = audit(requirements, service)
            if report is None:
                continue
            found = findings(report, accepted_advisories(date.today()))
            for f in found:
                fixed = ", ".join(f.fixed_in) or "no fixed version yet"
                print(f"VULNERABLE {f.package} {f.version}: {f.advisory} (fixed in {fixed})")
            count = len(report.get("dependencies", []))
            print(f"dependency audit ({service}): {count} locked packages, {len(found)} open advisories")
            return 1 if found else 0
    message = f"dependency audit: no advisory service reachable ({', '.join(SERVICES)}); nothing was checked"
    if os.environ.get("PZW_AUDIT_REQUIRED") == "1":
        print(f"FAILED {message}", file=sys.stderr)
        return 1
    print(f"WARNING {message} (set PZW_AUDIT_REQUIRED=1 where the Internet is reachable)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
