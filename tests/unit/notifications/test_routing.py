"""Who gets what: the routing file and the pure routing of causes to recipients."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from libs.events.schemas import registry
from libs.events.schemas.notifications import NotificationKind
from services.notifications.domain.causes import cause_of
from services.notifications.domain.routing import Cause, Party, RoutingContext, WorkerPair, partner_workers, recipients
from services.notifications.domain.rules import DEFAULT_ROUTING, Audience, load_routing, parse_routing
from tests.unit.notifications.builders import (
    CIS,
    CIS_ACTOR,
    CIS_WORKER,
    JOB_BROKER,
    OPS,
    OPS_ACTOR,
    OPS_SUPERVISOR,
    PUP,
    PUP_ACTOR,
    PUP_SUPERVISOR,
    SOCIAL_WORKER,
    SYSTEM,
    benefit_granted,
    conflict,
    deregistered,
    event,
    handed_over,
    plan_opened,
    step_added,
)

RULES = load_routing(DEFAULT_ROUTING, registry)
PAIR = WorkerPair(PUP, OPS, JOB_BROKER, SOCIAL_WORKER)
OTHER_PAIR = WorkerPair("PUP-5102", "GOPS-510201", "zofia.pup@pup-5102", "jan.gops@gops-510201")
SUPERVISORS = {PUP: (PUP_SUPERVISOR,), OPS: (OPS_SUPERVISOR,)}
NOW = datetime.now(UTC)


def who(kind: NotificationKind, cause: Cause, context: RoutingContext, rules=RULES) -> list[Party]:  # type: ignore[no-untyped-def]
    rule = rules.rule(kind)
    assert rule is not None
    return recipients(rule, cause, context, SUPERVISORS)


def test_the_default_routing_file_configures_every_kind() -> None:
    assert set(RULES.kinds) == set(NotificationKind)
    assert RULES.kind_of_event("PlanStepAdded") is NotificationKind.PARTNER_CHANGED_PLAN
    assert RULES.kind_of_event("UnemploymentStatusChanged") is NotificationKind.PARTNER_CHANGED_STATUS
    assert RULES.kind_of_event("BenefitConflictDetected") is NotificationKind.CONFLICT_DETECTED
    assert RULES.kind_of_event("CaseloadHandedOver") is NotificationKind.CASELOAD_HANDED_OVER
    assert RULES.kind_of_event("ClientRegistered") is None
    assert RULES.events_of(registry, "conflicts") == {"BenefitConflictDetected"}


def test_the_partner_of_the_acting_institution_is_told() -> None:
    assert partner_workers([PAIR], PUP) == [Party(SOCIAL_WORKER, OPS)]
    assert partner_workers([PAIR], OPS) == [Party(JOB_BROKER, PUP)]
    # a CIS is in no PUP-OPS pair: both sides hear of its change
    assert partner_workers([PAIR], CIS) == [Party(JOB_BROKER, PUP), Party(SOCIAL_WORKER, OPS)]
    # a system actor is not "the other institution"
    assert partner_workers([PAIR], "platform") == []
    # with two pairs, the PUP's partner is the OPS of its own pair only
    assert partner_workers([PAIR, OTHER_PAIR], PUP) == [Party(SOCIAL_WORKER, OPS)]


def test_a_plan_change_by_the_pup_goes_to_the_ops_worker_and_back() -> None:
    plan_id, client_id = uuid.uuid4(), uuid.uuid4()
    by_pup = cause_of(event(step_added(plan_id, client_id, uuid.uuid4(), owner_worker=JOB_BROKER,
                                       owner_institution=PUP), actor=PUP_ACTOR), RULES, NOW)
    assert by_pup is not None
    assert (by_pup.kind, by_pup.acting_institution, by_pup.client_id) == (
        NotificationKind.PARTNER_CHANGED_PLAN, PUP, client_id)
    assert who(by_pup.kind, by_pup, RoutingContext((PAIR,))) == [Party(SOCIAL_WORKER, OPS)]
    by_ops = cause_of(event(plan_opened(plan_id, client_id), actor=OPS_ACTOR), RULES, NOW)
    assert by_ops is not None
    assert who(by_ops.kind, by_ops, RoutingContext((PAIR,))) == [Party(JOB_BROKER, PUP)]


def test_a_status_change_names_its_institution_in_the_payload_not_the_importing_system() -> None:
    client_id = uuid.uuid4()
    status = cause_of(event(deregistered(client_id), actor=SYSTEM), RULES, NOW)
    assert status is not None
    assert (status.kind, status.acting_institution) == (NotificationKind.PARTNER_CHANGED_STATUS, PUP)
    assert who(status.kind, status, RoutingContext((PAIR,))) == [Party(SOCIAL_WORKER, OPS)]
    granted = cause_of(event(benefit_granted(client_id), actor=OPS_ACTOR), RULES, NOW)
    assert granted is not None
    assert who(granted.kind, granted, RoutingContext((PAIR,))) == [Party(JOB_BROKER, PUP)]


def test_a_conflict_goes_to_both_workers_and_their_supervisors() -> None:
    client_id = uuid.uuid4()
    detected = cause_of(event(conflict(client_id)), RULES, NOW)
    assert detected is not None
    assert detected.institutions == (PUP, OPS)
    assert who(detected.kind, detected, RoutingContext((PAIR,))) == [
        Party(JOB_BROKER, PUP), Party(SOCIAL_WORKER, OPS), Party(PUP_SUPERVISOR, PUP), Party(OPS_SUPERVISOR, OPS)]
    # the CIS worker of an active IPZS counts when the conflict names the CIS
    with_cis = cause_of(event(conflict(client_id, (OPS, CIS))), RULES, NOW)
    assert with_cis is not None
    assert who(with_cis.kind, with_cis, RoutingContext((PAIR,), (Party(CIS_WORKER, CIS),))) == [
        Party(SOCIAL_WORKER, OPS), Party(CIS_WORKER, CIS), Party(OPS_SUPERVISOR, OPS)]
    # workers not known yet: the supervisors still hear of it
    assert who(detected.kind, detected, RoutingContext()) == [Party(PUP_SUPERVISOR, PUP), Party(OPS_SUPERVISOR, OPS)]


def test_a_hand_over_goes_to_the_new_worker_unless_they_did_it_themselves() -> None:
    handover = cause_of(event(handed_over(SOCIAL_WORKER, "nowa.osoba@mops-510101"), actor=OPS_ACTOR), RULES, NOW)
    assert handover is not None
    assert who(handover.kind, handover, RoutingContext()) == [Party("nowa.osoba@mops-510101", OPS)]
    self_service = cause_of(event(handed_over("x@mops-510101", SOCIAL_WORKER), actor=OPS_ACTOR), RULES, NOW)
    assert self_service is not None
    assert who(self_service.kind, self_service, RoutingContext()) == []


def test_each_worker_is_told_once_and_never_about_their_own_action() -> None:
    rule = RULES.kinds[NotificationKind.CONFLICT_DETECTED].model_copy(
        update={"recipients": (Audience.ALL_WORKERS, Audience.INSTITUTION_WORKERS, Audience.SUPERVISORS)})
    cause = Cause(cause_id=uuid.uuid4(), kind=NotificationKind.CONFLICT_DETECTED, occurred_at=NOW,
                  institutions=(PUP,), acting_user=JOB_BROKER)
    assert recipients(rule, cause, RoutingContext((PAIR,)), SUPERVISORS) == [
        Party(SOCIAL_WORKER, OPS), Party(PUP_SUPERVISOR, PUP), Party(OPS_SUPERVISOR, OPS)]


def test_old_events_and_events_of_no_kind_notify_nobody() -> None:
    old = event(deregistered(uuid.uuid4()), occurred_at=NOW - timedelta(days=RULES.timing.max_cause_age_days + 1))
    assert cause_of(old, RULES, NOW) is None
    assert cause_of(event(conflict(uuid.uuid4())), RULES, NOW) is not None


def test_changing_who_gets_a_kind_is_a_change_of_the_file_only() -> None:
    text = DEFAULT_ROUTING.read_text(encoding="utf-8").replace(
        'recipients = ["partner_workers"]\nchannels = ["in_app", "email"]\ntitle = "{actor_institution}: {event} '
        'we wspólnym',
        'recipients = ["all_workers", "supervisors"]\nchannels = ["in_app"]\ntitle = "{actor_institution}: {event} '
        'we wspólnym', 1)
    assert text != DEFAULT_ROUTING.read_text(encoding="utf-8")
    changed = parse_routing(text, registry)
    cause = cause_of(event(plan_opened(uuid.uuid4(), uuid.uuid4()), actor=CIS_ACTOR), changed, NOW)
    assert cause is not None
    assert who(cause.kind, cause, RoutingContext((PAIR,)), changed) == [
        Party(JOB_BROKER, PUP), Party(SOCIAL_WORKER, OPS), Party(PUP_SUPERVISOR, PUP), Party(OPS_SUPERVISOR, OPS)]


@pytest.mark.parametrize(("change", "message"), [
    ('events = ["BenefitConflictDetected"]', "causes both"),
    ('events = ["NoSuchEvent"]', "unknown event type"),
    ('events = ["OfferPublished"]', "not on a topic the service consumes"),
    ('recipients = ["the_mayor"]', "recipients"),
])
def test_a_broken_routing_file_is_refused_with_the_reason(change: str, message: str) -> None:
    text = DEFAULT_ROUTING.read_text(encoding="utf-8")
    anchor = "[kinds.step_due]\n"
    with pytest.raises((ValidationError, ValueError), match=message):
        parse_routing(text.replace(anchor, anchor + change + "\n", 1) if "recipients" not in change
                      else text.replace('recipients = ["step_owner"]', change, 1), registry)


def test_the_routing_file_can_live_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    path.write_text(DEFAULT_ROUTING.read_text(encoding="utf-8").replace(
        "[supervisors]\n", '[supervisors]\n"CIS-510101" = ["kierownik@cis-510101"]\n', 1), encoding="utf-8")
    assert load_routing(path, registry).supervisors["CIS-510101"] == ("kierownik@cis-510101",)
