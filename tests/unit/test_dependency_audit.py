"""The dependency audit's decisions on a pip-audit report (the report format of pip-audit's JSON output)."""

from __future__ import annotations

from datetime import date

from tools import audit

REPORT = {"dependencies": [
    {"name": "jinja2", "version": "3.1.2", "vulns": [
        {"id": "GHSA-h5c8-rqwp-cp95", "aliases": ["CVE-2024-22195"], "fix_versions": ["3.1.3"]}]},
    {"name": "orjson", "version": "3.13.0", "vulns": []},
    {"name": "private-wheel", "version": "1.0", "skip_reason": "not found on PyPI"},
]}


def test_an_open_advisory_is_a_finding() -> None:
    assert audit.findings(REPORT, set()) == [
        audit.Finding("jinja2", "3.1.2", "GHSA-h5c8-rqwp-cp95", ("3.1.3",))]


def test_an_advisory_accepted_by_id_or_alias_is_not() -> None:
    assert audit.findings(REPORT, {"CVE-2024-22195"}) == []
    assert audit.findings(REPORT, {"GHSA-h5c8-rqwp-cp95"}) == []


def test_an_expired_acceptance_no_longer_counts(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    accepted = tmp_path / "accepted.toml"
    accepted.write_text('[[accepted]]\nadvisory = "A-1"\nreason = "r"\nreview_by = 2026-12-01\n')
    monkeypatch.setattr(audit, "ACCEPTED", accepted)
    assert audit.accepted_advisories(date(2026, 11, 30)) == {"A-1"}
    assert audit.accepted_advisories(date(2026, 12, 2)) == set()


def test_the_committed_acceptances_parse() -> None:
    assert isinstance(audit.accepted_advisories(date.today()), set)
