"""Secrets: public development defaults only in development mode; elsewhere a missing secret stops the start-up."""

from __future__ import annotations

import pytest

from libs.events.secrets import SecretMissing, secret_or_development_default
from services.reporting.regional.settings import RegionalSettings


def test_a_configured_secret_is_used_in_any_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PZW_ENV", "production")
    assert secret_or_development_default("PZW_X", b"s3cret", b"public") == b"s3cret"


def test_the_development_default_only_in_development_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PZW_ENV", "development")
    assert secret_or_development_default("PZW_X", None, b"public") == b"public"
    monkeypatch.delenv("PZW_ENV")
    with pytest.raises(SecretMissing, match="PZW_X is not set"):
        secret_or_development_default("PZW_X", None, b"public")


def test_the_regional_feed_does_not_start_without_its_key_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PZW_ENV", "production")
    monkeypatch.delenv("PZW_REGIONAL_PSEUDONYM_KEY", raising=False)
    with pytest.raises(SecretMissing, match="PZW_REGIONAL_PSEUDONYM_KEY"):
        RegionalSettings().key()
    monkeypatch.setenv("PZW_REGIONAL_PSEUDONYM_KEY", "k" * 32)
    assert RegionalSettings().key() == b"k" * 32
