"""Each service calls others as its own account, named after the service (not its process)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from libs.events.auth import service_account
from services.matching.config import MatchingSettings
from services.notifications.config import NotificationsSettings
from services.plans.config import PlansSettings


def test_the_account_is_the_services_whatever_the_process_is_called() -> None:
    assert service_account(MatchingSettings(oidc_client_secret=SecretStr("s"))).client_id == "pzw-matching"
    notifications = NotificationsSettings(process_name="notifications-7", oidc_client_secret=SecretStr("s"))
    assert service_account(notifications).client_id == "pzw-notifications"
    named = PlansSettings(oidc_client_id="plans-at-keycloak", oidc_client_secret=SecretStr("s"))
    assert service_account(named).client_id == "plans-at-keycloak"


def test_without_its_secret_the_service_says_which_setting_is_missing() -> None:
    with pytest.raises(RuntimeError, match="PZW_PLANS_OIDC_CLIENT_SECRET is required"):
        service_account(PlansSettings(oidc_client_secret=None))
