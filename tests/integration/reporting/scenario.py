"""A known small history of one PUP, OPS and CIS with the indicator values it must give (computed by hand), and
the same facts in the terms of the pure formulas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from libs.events.ids import new_id
from libs.events.schemas.common import InstitutionKind, Period
from libs.events.schemas.plans import Instrument, IpzsEnding, PlanOutcome
from services.reporting.indicators.forms import ActivationForm as F
from services.reporting.indicators.formulas import ConflictFact, Entry, SharingFact
from tests.integration.reporting.history import History, Office, at

AS_OF = date(2026, 11, 30)
START, END = date(2025, 7, 1), date(2025, 12, 31)
PUP, OPS = InstitutionKind.PUP, InstitutionKind.OPS


def p(start: date, end: date | None) -> Period:
    return Period(from_=start, to=end)


@dataclass
class Scenario:
    history: History
    entries: list[Entry]  # the plans opened in START..END, as the formulas see them
    cis_entries: list[Entry]
    sharings: list[SharingFact]
    conflicts: list[ConflictFact]
    days_to_first_step: list[int]


def build(office: Office) -> Scenario:
    """Six shared clients with plans, two more shared ones, two CIS participants, five conflicts."""
    h = History(office)
    c = [new_id() for _ in range(11)]
    registered = [date(2025, 6, 1), date(2025, 6, 15), date(2025, 7, 1), date(2025, 7, 1), date(2025, 8, 1),
                  date(2025, 8, 15), date(2025, 5, 1), date(2025, 1, 10)]
    for n, day in enumerate(registered):
        h.register(c[n], office.pup, PUP, day)
        h.register(c[n], office.ops, OPS, day)
        h.share(c[n], day if n != 5 else date(2025, 9, 1))
    h.stop_sharing(c[7], date(2025, 5, 1))

    # c0: internship booked from 1 Aug and completed: activated (all, listed, target forms) 31 days in.
    p0 = h.open_plan(c[0], date(2025, 7, 1))
    s, _ = h.step(p0, c[0], Instrument.INTERNSHIP, p(date(2025, 7, 20), date(2025, 12, 31)), date(2025, 7, 2))
    h.step_event(p0, c[0], s, "schedule", date(2025, 7, 3), scheduled=p(date(2025, 8, 1), date(2025, 12, 31)))
    h.step_event(p0, c[0], s, "complete", date(2025, 12, 31))
    # c1: job offer from 1 Sep (employment: all and target, not listed); two trainings funded twice (R2), one
    # cancelled after the conflict was detected: one duplicated action avoided.
    p1 = h.open_plan(c[1], date(2025, 7, 10))
    s, _ = h.step(p1, c[1], Instrument.JOB_OFFER, p(date(2025, 9, 1), None), date(2025, 7, 11))
    h.step_event(p1, c[1], s, "schedule", date(2025, 7, 12), scheduled=p(date(2025, 9, 1), None))
    _, t1_added = h.step(p1, c[1], Instrument.TRAINING, p(date(2025, 10, 1), date(2025, 10, 31)), date(2025, 9, 2))
    t2, t2_added = h.step(p1, c[1], Instrument.TRAINING, p(date(2025, 10, 1), date(2025, 10, 31)), date(2025, 9, 2),
                          funded_by=office.ops)
    detected_1 = at(date(2025, 9, 3))
    h.conflict(c[1], "R2", detected_1, [t1_added.event_id, t2_added.event_id], "confirmed")
    h.step_event(p1, c[1], t2, "cancel", date(2025, 9, 5))
    # c2: a training only proposed; closed with employment after six months but within twelve.
    p2 = h.open_plan(c[2], date(2025, 7, 15))
    h.step(p2, c[2], Instrument.TRAINING, p(date(2025, 9, 15), date(2025, 10, 15)), date(2025, 7, 16))
    h.close_plan(p2, c[2], date(2026, 3, 1), PlanOutcome.EMPLOYMENT)
    h.conflict(c[2], "R2", at(date(2025, 9, 10)), [], "confirmed")  # confirmed, nothing cancelled after it
    # c3: public works from 1 Oct, dropped out after starting: taken up (all, listed, target).
    p3 = h.open_plan(c[3], date(2025, 8, 1))
    s, _ = h.step(p3, c[3], Instrument.PUBLIC_WORKS, p(date(2025, 10, 1), date(2026, 3, 31)), date(2025, 8, 2))
    h.step_event(p3, c[3], s, "schedule", date(2025, 8, 3), scheduled=p(date(2025, 10, 1), date(2026, 3, 31)))
    h.step_event(p3, c[3], s, "fail", date(2025, 11, 1), reason="dropped_out")
    h.conflict(c[3], "R1", at(date(2025, 10, 5)), [], "dismissed")
    e, e_added = h.step(p3, c[3], Instrument.EDUCATION_COURSE, p(date(2025, 11, 1), None), date(2025, 8, 2))
    h.step_event(p3, c[3], e, "cancel", date(2025, 10, 1))  # cancelled before the conflict below was detected
    h.conflict(c[3], "R2", at(date(2025, 10, 20)), [e_added.event_id], "confirmed")
    # c4: subsidised employment cancelled, social work only: not activated.
    p4 = h.open_plan(c[4], date(2025, 8, 20))
    s, _ = h.step(p4, c[4], Instrument.SUBSIDISED_EMPLOYMENT, p(date(2025, 8, 25), None), date(2025, 8, 21))
    h.step_event(p4, c[4], s, "cancel", date(2025, 8, 22))
    h.step(p4, c[4], Instrument.SOCIAL_WORK, p(date(2025, 9, 1), date(2025, 9, 30)), date(2025, 8, 21),
           owner=OPS, worker="ewa.social")
    h.conflict(c[4], "R3", at(date(2025, 11, 2)), [])
    # c5: plan opened in October 2026: window still open, activated so far (internship from 2 Nov 2026).
    p5 = h.open_plan(c[5], date(2026, 10, 1))
    s, _ = h.step(p5, c[5], Instrument.INTERNSHIP, p(date(2026, 11, 2), date(2027, 4, 30)), date(2026, 10, 2))
    h.step_event(p5, c[5], s, "schedule", date(2026, 10, 3), scheduled=p(date(2026, 11, 2), date(2027, 4, 30)))
    # c8, c9: CIS participants in plans of their own; c8 leaves for a job, c9 at the end of the period.
    cis_entries = []
    for n, (start, end_on, reason) in enumerate([(date(2025, 7, 5), date(2025, 10, 31), IpzsEnding.EMPLOYMENT),
                                                 (date(2025, 8, 1), date(2025, 12, 31), IpzsEnding.END_OF_PERIOD)]):
        client = c[8 + n]
        h.register(client, office.cis, InstitutionKind.CIS, start - timedelta(days=10))
        plan = h.open_plan(client, date(2025, 6, 20))  # before the period: not in the PUP's cohort
        ipzs = h.ipzs(plan, client, start, start + timedelta(days=30))
        h.month(plan, client, ipzs, date(2025, 8, 1), 20, 19 if n == 0 else 15, 1 if n == 0 else 2,
                bonus=Decimal("250.00") if n == 0 else None)
        h.end_ipzs(plan, client, ipzs, end_on, reason)
        cis_entries.append(Entry(start, {F.EMPLOYMENT: end_on} if reason is IpzsEnding.EMPLOYMENT else {}))

    entries = [Entry(date(2025, 7, 1), {F.INTERNSHIP: date(2025, 8, 1)}),
               Entry(date(2025, 7, 10), {F.EMPLOYMENT: date(2025, 9, 1)}),
               Entry(date(2025, 7, 15), {F.EMPLOYMENT: date(2026, 3, 1)}),
               Entry(date(2025, 8, 1), {F.PUBLIC_WORKS: date(2025, 10, 1)}),
               Entry(date(2025, 8, 20), {})]
    sharings = [SharingFact(date(2025, 6, 1), True, None, date(2025, 7, 1)),
                SharingFact(date(2025, 6, 15), True, None, date(2025, 7, 10)),
                SharingFact(date(2025, 7, 1), True, None, date(2025, 7, 15)),
                SharingFact(date(2025, 7, 1), True, None, date(2025, 8, 1)),
                SharingFact(date(2025, 8, 1), True, None, date(2025, 8, 20)),
                SharingFact(date(2025, 9, 1), True, None, date(2026, 10, 1)),
                SharingFact(date(2025, 5, 1), True, None, None),
                SharingFact(date(2025, 1, 10), False, date(2025, 5, 1), None)]
    conflicts = [ConflictFact("R2", detected_1, detected_1.date(), "confirmed", (at(date(2025, 9, 5)),)),
                 ConflictFact("R2", at(date(2025, 9, 10)), date(2025, 9, 10), "confirmed"),
                 ConflictFact("R1", at(date(2025, 10, 5)), date(2025, 10, 5), "dismissed"),
                 ConflictFact("R2", at(date(2025, 10, 20)), date(2025, 10, 20), "confirmed", (at(date(2025, 10, 1)),)),
                 ConflictFact("R3", at(date(2025, 11, 2)), date(2025, 11, 2))]
    # registration -> first joint step: c0 61 (1 Aug), c1 78 (1 Sep), c2 76 (15 Sep), c3 92 (1 Oct), c4 31 (1 Sep)
    return Scenario(h, entries, cis_entries, sharings, conflicts, [61, 78, 76, 92, 31])
