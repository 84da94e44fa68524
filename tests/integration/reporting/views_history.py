"""A history around today for the institution views: steps due and overdue, benefits next to PUP status,
conflicts, referrals, CIS terms running out, attendance, graduates, instructors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from libs.events.ids import new_id
from libs.events.schemas.common import InstitutionKind, Period
from libs.events.schemas.plans import Instrument, IpzsEnding
from services.reporting.calendar import add_months, month_start, today
from tests.integration.reporting.history import KATOWICE, History, Office, at
from tests.support.people import worker

PUP, OPS, CIS = InstitutionKind.PUP, InstitutionKind.OPS, InstitutionKind.CIS


@dataclass
class Cast:
    history: History
    a: uuid.UUID  # shared, served by anna.broker and ewa.social: overdue and upcoming PUP steps, a benefit
    b: uuid.UUID  # shared, same workers: an OPS step
    c: uuid.UUID  # shared, served by piotr.broker and maria.social, lives in Katowice
    candidate: uuid.UUID  # CIS participant with an IPZS running out and full attendance last month
    graduate: uuid.UUID  # left the CIS three months ago
    overdue_step: uuid.UUID
    due_step: uuid.UUID


def build(office: Office) -> Cast:
    h, day = History(office), today()
    a, b, c, candidate, graduate = (new_id() for _ in range(5))
    for client, broker, social, address in [(a, "anna.broker", "ewa.social", None),
                                            (b, "anna.broker", "ewa.social", None),
                                            (c, "piotr.broker", "maria.social", KATOWICE)]:
        extra = {"address": address} if address else {}
        h.register(client, office.pup, PUP, day - timedelta(100), **extra)
        h.register(client, office.ops, OPS, day - timedelta(100), **extra)
        h.share(client, day - timedelta(90), job_broker=broker, social_worker=social)
    plan_a = h.open_plan(a, day - timedelta(80))
    overdue, _ = h.step(plan_a, a, Instrument.JOB_OFFER, Period(from_=day - timedelta(10), to=day - timedelta(2)),
                        day - timedelta(79))
    due, _ = h.step(plan_a, a, Instrument.TRAINING, Period(from_=day, to=day + timedelta(7)), day - timedelta(79))
    done, _ = h.step(plan_a, a, Instrument.CAREER_COUNSELLING, Period(from_=day - timedelta(60),
                                                                       to=day - timedelta(50)), day - timedelta(79))
    h.step_event(plan_a, a, done, "schedule", day - timedelta(70),
                 scheduled=Period(from_=day - timedelta(60), to=day - timedelta(50)))
    h.step_event(plan_a, a, done, "complete", day - timedelta(50))
    h.benefit(a, day - timedelta(60))
    h.unemployment(a, day - timedelta(100), "registered")
    h.unemployment(a, day - timedelta(5), "deregistered", "took_work")
    h.conflict(a, "R1", at(day - timedelta(4)), [])
    plan_b = h.open_plan(b, day - timedelta(80))
    social, _ = h.step(plan_b, b, Instrument.SOCIAL_WORK, Period(from_=day - timedelta(5), to=day + timedelta(10)),
                       day - timedelta(79), owner=OPS, worker="ewa.social")
    h.step_event(plan_b, b, social, "schedule", day - timedelta(78),
                 scheduled=Period(from_=day - timedelta(5), to=day + timedelta(10)))
    offer = h.offer(day - timedelta(40))
    h.referral(a, offer, day - timedelta(30), outcome="accepted")
    h.referral(b, offer, day - timedelta(20))
    h.referral(c, offer, day - timedelta(10), issued_by="piotr.broker", outcome="refused")

    # CIS: an IPZS running out in 3 days with full attendance last month; a graduate; classes of two instructors.
    h.register(candidate, office.cis, CIS, day - timedelta(40))
    plan_cand = h.open_plan(candidate, day - timedelta(35))
    ipzs = h.ipzs(plan_cand, candidate, day - timedelta(27), day + timedelta(3))
    last_month = add_months(month_start(day), -1)
    h.month(plan_cand, candidate, ipzs, last_month, 20, 19, 1)
    h.register(graduate, office.cis, CIS, day - timedelta(200))
    plan_grad = h.open_plan(graduate, day - timedelta(190))
    ended = add_months(day, -3)
    left = h.ipzs(plan_grad, graduate, ended - timedelta(60), ended)
    h.month(plan_grad, graduate, left, last_month, 20, 10, 0)  # poor attendance: not a candidate
    h.end_ipzs(plan_grad, graduate, left, ended, IpzsEnding.EMPLOYMENT)
    for n in range(7):
        participant = candidate if n == 0 else new_id()
        plan = plan_cand if n == 0 else h.open_plan(participant, day - timedelta(30))
        instructor = "jan.instruktor" if n < 6 else "ola.instruktor"
        h.step(plan, participant, Instrument.CIS_CLASSES, Period(from_=day - timedelta(3), to=day + timedelta(20)),
               day - timedelta(4), owner=CIS, worker=instructor)
    return Cast(h, a, b, c, candidate, graduate, overdue, due)


def headers(institution: str, user: str, role: str) -> dict[str, str]:
    return worker(institution, user, role)

