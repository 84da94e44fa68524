"""deploy/k8s/deploy.sh applies the phases in order and waits between them (kubectl replaced by a recorder)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from deploy.validate.kustomize import REPO, ensure_kustomize

# Answers like a cluster where everything becomes ready; every call is appended to $KUBECTL_LOG.
FAKE_KUBECTL = """#!/bin/sh
echo "$*" >> "$KUBECTL_LOG"
case "$*" in
  "get job -n pzw -l pzw/phase=migrate -o name") echo job.batch/clients-migrate; echo job.batch/plans-migrate ;;
  "get -n pzw job.batch/"*) [ -n "$FAIL_JOB" ] && [ "${4#job.batch/}" = "$FAIL_JOB" ] && echo Failed || echo Complete ;;
  "get deployment -n pzw -l pzw/phase=services -o name") echo deployment.apps/clients ;;
esac
exit 0
"""


def deploy(tmp_path: Path, fail_job: str = "") -> tuple[int, list[str]]:
    (tmp_path / "kubectl").write_text(FAKE_KUBECTL)
    (tmp_path / "kubectl").chmod(0o755)
    log = tmp_path / "calls.log"
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "KUBECTL_LOG": str(log),
           "FAIL_JOB": fail_job, "PZW_KUSTOMIZE": str(ensure_kustomize())}
    done = subprocess.run(["bash", str(REPO / "deploy" / "k8s" / "deploy.sh"), "small-county"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    calls = [line.split(" --")[0] for line in log.read_text().splitlines()] if log.exists() else []
    return done.returncode, calls


def test_phases_are_applied_in_order_with_waits_between(tmp_path: Path) -> None:
    code, calls = deploy(tmp_path)
    assert code == 0
    steps = [c for c in calls if c.startswith(("apply", "wait", "delete", "rollout"))]
    assert [s.split(" -f ")[0] if s.startswith("apply") else s for s in steps] == [
        "apply",  # platform
        "apply",  # data
        "wait -n pzw kafka/pzw",
        "wait -n pzw kafkatopic -l pzw/phase=data",
        "wait -n pzw cluster.postgresql.cnpg.io -l pzw/phase=data",
        "delete job -n pzw -l pzw/phase=migrate",
        "apply",  # migrate
        "apply",  # services, once every migration Job completed
        "rollout status -n pzw deployment.apps/clients",
    ]
    applied = [c.rsplit("pzw/phase=", 1)[1] for c in calls if c.startswith("apply")]
    assert applied == ["platform", "data", "migrate", "services"]


@pytest.mark.parametrize("job", ["plans-migrate"])
def test_a_failed_migration_stops_before_the_services(tmp_path: Path, job: str) -> None:
    code, calls = deploy(tmp_path, fail_job=job)
    assert code == 1
    assert not any("pzw/phase=services" in c for c in calls if c.startswith("apply"))
    assert f"logs -n pzw job.batch/{job}" in calls
