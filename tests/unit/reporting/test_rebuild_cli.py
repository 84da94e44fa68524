"""Choosing what to rebuild, and the progress bar (the replay itself is tested on real servers)."""

from __future__ import annotations

import io

import pytest

from services.reporting.bootstrap import projections
from services.reporting.progress import ProgressBar
from services.reporting.rebuild import RebuildRefused, choose


def test_every_projection_by_default_and_a_read_model_with_its_group() -> None:
    available = projections()
    assert choose(available, []) == available
    [records] = choose(available, ["casework", "joint_plans"])
    assert records.name == "records"
    assert [p.name for p in records.parts] == [  # type: ignore[attr-defined]
        "client_directory", "casework", "joint_plans", "cis_programme", "conflicts", "scope_facts"]
    assert [p.name for p in choose(available, ["referrals"])] == ["referrals"]
    with pytest.raises(RebuildRefused, match="unknown read model"):
        choose(available, ["casework", "nothing"])


def test_the_progress_bar_off_a_terminal_writes_a_line_per_tenth_and_the_end() -> None:
    out = io.StringIO()
    bar = ProgressBar("rebuild records", 1000, stream=out)
    for done in range(0, 1001, 50):
        bar.update(done, f"applied {done}")
    bar.update(1000)
    bar.close()
    lines = out.getvalue().splitlines()
    assert 10 <= len(lines) <= 12
    assert lines[-1].startswith("rebuild records [##############################] 100.0% 1,000/1,000")
