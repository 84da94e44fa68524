"""One client's history through the PZW, as the services would record it (pure, deterministic for seed and index).

The order is the PZW's: PUP registration, OPS intake (the client becomes shared), the joint plan with the social
contract and the IPD, the OPS social preparation first, then the PUP's vocational steps (PZW order rule), refusals,
completions and the plan's outcome. Outcomes are drawn so that about 80% of the clients are activated, about 61%
through labour-market instruments, as in the pilot (seed 003: 81% and 61.43%).
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel

from libs.events.envelope import Actor
from libs.events.schemas import clients as c
from libs.events.schemas import matching as m
from libs.events.schemas import plans as p
from libs.events.schemas.common import Address, Contact, InstitutionKind, Period
from tools.demo_data import texts
from tools.demo_data.events import LEGAL_BASIS, StoryEvent, office_time
from tools.demo_data.gminas import GMINAS
from tools.demo_data.ids import uuid7_at
from tools.demo_data.network import Offer, Pair, Region
from tools.demo_data.outcomes import deregister, play_outcome
from tools.demo_data.people import Person, person

# (plan outcome, instrument of the activating step, weight); None: no activating step.
PATHS: tuple[tuple[p.PlanOutcome | None, p.Instrument | None, int], ...] = (
    (p.PlanOutcome.TRAINING_COMPLETED, p.Instrument.TRAINING, 19),
    (p.PlanOutcome.INTERNSHIP, p.Instrument.INTERNSHIP, 16),
    (p.PlanOutcome.PUBLIC_WORKS, p.Instrument.PUBLIC_WORKS, 8),
    (p.PlanOutcome.INTERVENTION_WORKS, p.Instrument.INTERVENTION_WORKS, 7),
    (p.PlanOutcome.SOCIALLY_USEFUL_WORKS, p.Instrument.SOCIALLY_USEFUL_WORKS, 6),
    (p.PlanOutcome.SUBSIDISED_EMPLOYMENT, p.Instrument.SUBSIDISED_EMPLOYMENT, 5),
    (p.PlanOutcome.EMPLOYMENT, p.Instrument.JOB_OFFER, 17),
    (p.PlanOutcome.OWN_BUSINESS, None, 2),
    (p.PlanOutcome.DROPPED_OUT, None, 10),
    (p.PlanOutcome.MOVED_AWAY, None, 3),
    (p.PlanOutcome.OTHER, None, 4),
    (None, None, 3),  # still under way when the data set ends
)
_REFERRED = {p.Instrument.INTERNSHIP: m.OfferKind.INTERNSHIP, p.Instrument.JOB_OFFER: m.OfferKind.JOB_OFFER}


class End(Exception):
    """The data set's period is over: the rest of this history has not happened yet."""


class Story:
    """Builds the events of client `index`; `tell()` returns them in the order they happened."""

    def __init__(self, pair: Pair, index: int, seed: int, start: date, end: date, entry_days: int,
                 conflict_rate: float, shared_rate: float = 1.0) -> None:
        self.rng = random.Random((seed << 40) ^ index)
        self.shared = self.rng.random() < shared_rate
        self.pair, self.end, self.conflict_rate = pair, end, conflict_rate
        self.region: Region = self.rng.choice(pair.regions)
        self.person: Person = person(self.rng, index, seed, start)
        self.day = start + timedelta(days=self.rng.randint(0, entry_days))
        self.start = start
        self.events: list[StoryEvent] = []
        self._last: datetime | None = None
        self.client_id = uuid7_at(office_time(self.day, self.rng), self.rng)
        self.plan_id: uuid.UUID | None = None
        self.benefit: c.BenefitGranted | None = None
        self.prep_done = False

    # --- mechanics --------------------------------------------------------------------------------------------

    def after(self, low: int, high: int) -> date:
        """Move the story's day forward by a number of days; End once past the data set's period."""
        self.day += timedelta(days=self.rng.randint(low, high))
        if self.day > self.end:
            raise End
        return self.day

    def _moment(self) -> datetime:
        moment = office_time(self.day, self.rng)
        if self._last is not None and moment <= self._last:
            moment = self._last + timedelta(seconds=self.rng.randint(30, 900))
        self._last = moment
        return moment

    def emit(self, service: str, stream_type: str, stream_id: uuid.UUID, actor: Actor, *payloads: BaseModel,
             derived: tuple[bool, ...] = ()) -> None:
        """One command's events: one moment, one correlation id, appended to one stream."""
        moment = self._moment()
        correlation = uuid7_at(moment, self.rng)
        for n, payload in enumerate(payloads):
            self.events.append(StoryEvent(
                service, stream_type, str(stream_id), str(self.client_id), payload, moment, actor,
                uuid7_at(moment, self.rng), correlation, derived[n] if n < len(derived) else False))

    def new_id(self) -> uuid.UUID:
        return uuid7_at(office_time(self.day, self.rng), self.rng)

    @property
    def broker(self) -> Actor:
        return Actor(user=self.region.job_broker, institution=self.pair.pup, role="job_broker")

    @property
    def social(self) -> Actor:
        return Actor(user=self.region.social_worker, institution=self.pair.ops, role="social_worker")

    def tell(self) -> list[StoryEvent]:
        try:
            self._registration()
            if not self.shared:  # a PUP client only: no OPS, no joint plan; often finds work on their own
                self.after(30, 200)
                deregister(self, self.rng.choice((c.DeregistrationReason.TOOK_WORK, c.DeregistrationReason.OWN_REQUEST,
                                                  c.DeregistrationReason.NO_READINESS_CONFIRMATION)))
                return self.events
            self._ops_intake()
            self._plan()
        except End:
            pass
        return self.events

    # --- the history ------------------------------------------------------------------------------------------

    def _address(self) -> Address:
        gmina, rng = self.pair.gmina, self.rng
        street = rng.choice(self.region.streets) if self.region.streets else rng.choice(self.pair.streets or ("Polna",))
        return Address(gmina=gmina.name, teryt=gmina.teryt, postal_code=rng.choice(gmina.postal_codes),
                       city=gmina.name, street=street, building=str(rng.randint(1, 140)),
                       apartment=str(rng.randint(1, 60)) if rng.random() < 0.6 else None)

    def _registration(self) -> None:
        who = self.person
        identity = c.PersonIdentity(pesel=who.pesel, first_name=who.first_name, last_name=who.last_name,
                                    birth_date=who.birth_date)
        self.address = self._address()
        workers = c.CaseWorkers(job_broker=self.region.job_broker, career_counsellor=self.region.career_counsellor,
                                social_worker=self.region.social_worker)
        self.emit("clients", "client", self.client_id, self.broker, c.ClientRegistered(
            client_id=self.client_id, institution_id=self.pair.pup, institution_kind=InstitutionKind.PUP,
            identity=identity, address=self.address, contact=Contact(phone=who.phone, email=who.email),
            registered_on=self.day), c.ClientAssignedToRegion(
            client_id=self.client_id, pup_institution_id=self.pair.pup, ops_institution_id=self.pair.ops,
            region_id=self.region.region_id, reason=c.AssignmentReason.ADDRESS), c.CaseWorkersAssigned(
            client_id=self.client_id, pup_institution_id=self.pair.pup, ops_institution_id=self.pair.ops,
            workers=workers, reason=c.AssignmentReason.ADDRESS), derived=(False, True, True))
        self.identity = identity
        self.emit("clients", "client", self.client_id, self.broker, c.UnemploymentStatusChanged(
            client_id=self.client_id, institution_id=self.pair.pup, status=c.UnemploymentStatus.REGISTERED,
            effective_on=self.day, with_benefit_right=self.rng.random() < 0.18))
        if self.rng.random() < 0.45:
            level = self.rng.choices(texts.EDUCATION, weights=texts.EDUCATION_WEIGHTS)[0]
            worked = self.day - timedelta(days=self.rng.randint(200, 3000))
            self.emit("clients", "client", self.client_id, self.broker, c.ClientProfileUpdated(
                client_id=self.client_id, institution_id=self.pair.pup,
                education=c.Education(level=level, profession=self.rng.choice(texts.PROFESSIONS)),
                work_history=(c.WorkPeriod(employer=self.rng.choice(texts.EMPLOYERS),
                                           occupation=self.rng.choice(texts.PROFESSIONS),
                                           period=Period(from_=worked, to=worked + timedelta(days=180))),)))

    def _ops_intake(self) -> None:
        self.after(1, 20)
        rng, names = self.rng, {"first": self.person.first_name, "last": self.person.last_name}
        registered_on = self.day - timedelta(days=rng.randint(30, 900)) if rng.random() < 0.65 else self.day
        self.emit("clients", "client", self.client_id, self.social, c.ClientRegistered(
            client_id=self.client_id, institution_id=self.pair.ops, institution_kind=InstitutionKind.OPS,
            identity=self.identity, address=self.address, contact=Contact(phone=self.person.phone),
            registered_on=registered_on), c.SharedClientIdentified(
            client_id=self.client_id, pup_institution_id=self.pair.pup, ops_institution_id=self.pair.ops,
            agreement_id=self.pair.agreement_id, basis=c.SharingBasis.LEGAL_BASIS, legal_basis=LEGAL_BASIS,
            identified_on=self.day), derived=(False, True))
        members = rng.randint(1, 6)
        self.emit("clients", "client", self.client_id, self.social, c.ClientProfileUpdated(
            client_id=self.client_id, institution_id=self.pair.ops,
            household=c.Household(members=members, dependants=rng.randint(0, members - 1),
                                  single_parent=rng.random() < 0.2,
                                  notes=texts.pick(rng, texts.HOUSEHOLD_NOTES, **names)),
            health=c.Health(disability_degree=rng.choice(("none", "light", "moderate")),
                            notes=texts.pick(rng, texts.HEALTH_NOTES, **names)) if rng.random() < 0.25 else None,
            addiction=c.Addiction(kinds=("alcohol",), in_treatment=True) if rng.random() < 0.08 else None))
        if rng.random() < 0.7:
            basis = c.BenefitBasis.UNEMPLOYMENT if rng.random() < 0.65 else c.BenefitBasis.POVERTY
            self.benefit = c.BenefitGranted(
                client_id=self.client_id, benefit_id=self.new_id(), institution_id=self.pair.ops,
                institution_kind=InstitutionKind.OPS, kind="zasiłek okresowy", basis=basis,
                monthly_amount=Decimal(rng.randint(200, 720)), period=Period(
                    from_=self.day, to=self.day + timedelta(days=rng.choice((90, 120, 180)))))
            self.emit("clients", "client", self.client_id, self.social, self.benefit)
        self.hides_income = rng.random() < self.conflict_rate / 2  # R3: declares no income to OPS, PUP knows one
        if self.hides_income:
            self.emit("clients", "client", self.client_id, self.social, c.IncomeDeclared(
                client_id=self.client_id, institution_id=self.pair.ops, source=c.IncomeSource.OTHER,
                monthly_amount=Decimal(0), period=Period(from_=self.day, to=self.day + timedelta(days=150)),
                declared_by_client=True))

    def _plan(self) -> None:
        rng = self.rng
        self.after(2, 14)
        self.plan_id = plan_id = self.new_id()
        ops_party = p.PlanParty(institution_id=self.pair.ops, institution_kind=InstitutionKind.OPS,
                                worker=self.region.social_worker)
        pup_party = p.PlanParty(institution_id=self.pair.pup, institution_kind=InstitutionKind.PUP,
                                worker=self.region.job_broker)
        self.plan(self.social, p.PlanOpened(plan_id=plan_id, client_id=self.client_id,
                                            agreement_id=self.pair.agreement_id, pup=pup_party, ops=ops_party,
                                            social_preparation_first=True, opened_on=self.day))
        valid = Period(from_=self.day, to=self.day + timedelta(days=180))
        self.plan(self.social, p.SocialContractConcluded(
            **self.keys, contract_number=f"KS/{self.pair.ops[-6:]}/{self.day.year}/{rng.randint(1, 9999)}",
            social_worker=self.region.social_worker, valid=valid, goals=tuple(rng.sample(texts.SOCIAL_GOALS, 2))))
        self.after(0, 7)
        self.plan(self.broker, p.IpdConcluded(
            **self.keys, ipd_number=f"IPD/{self.pair.pup[-4:]}/{self.day.year}/{rng.randint(1, 9999)}",
            job_broker=self.region.job_broker, valid=valid, goals=tuple(rng.sample(texts.VOCATIONAL_GOALS, 2))))
        outcome, instrument, _ = rng.choices(PATHS, weights=[w for *_, w in PATHS])[0]
        if not self._social_preparation(dropping=outcome is p.PlanOutcome.DROPPED_OUT and rng.random() < 0.4):
            play_outcome(self, p.PlanOutcome.DROPPED_OUT, None)
            return
        if rng.random() < 0.25:
            self.step(self.social, rng.choice((p.Instrument.FAMILY_SUPPORT, p.Instrument.THERAPY,
                                                p.Instrument.HOUSING)), days=(10, 40))
        if rng.random() < 0.35:
            self.step(self.broker, p.Instrument.CAREER_COUNSELLING, days=(5, 20))
        if rng.random() < 0.3:
            self.after(0, 10)
            self.plan(self.social, p.PlanReviewed(
                **self.keys, reviewed_on=self.day, reviewer=self.region.social_worker, institution_id=self.pair.ops,
                summary=texts.pick(rng, texts.REVIEWS, first=self.person.first_name, last=self.person.last_name)))
        play_outcome(self, outcome, instrument)

    @property
    def keys(self) -> dict[str, uuid.UUID]:
        assert self.plan_id is not None
        return {"plan_id": self.plan_id, "client_id": self.client_id}

    def plan(self, actor: Actor, *payloads: BaseModel, derived: bool = False) -> None:
        assert self.plan_id is not None
        self.emit("plans", "plan", self.plan_id, actor, *payloads, derived=(derived,) * len(payloads))

    def _social_preparation(self, dropping: bool) -> bool:
        """The OPS acts first: a social-preparation step completed, or failed and then waived (False: dropped)."""
        step_id = self.new_id()
        self.after(1, 7)
        planned = Period(from_=self.day, to=self.day + timedelta(days=21))
        self.plan(self.social, p.PlanStepAdded(
            **self.keys, step_id=step_id, owner=p.PlanParty(institution_id=self.pair.ops,
                                                            institution_kind=InstitutionKind.OPS,
                                                            worker=self.region.social_worker),
            instrument=p.Instrument.SOCIAL_WORK, category=p.StepCategory.SOCIAL, social_preparation=True,
            title=texts.SOCIAL_STEPS[p.Instrument.SOCIAL_WORK], planned=planned))
        self.plan(self.social, p.PlanStepScheduled(**self.keys, step_id=step_id, scheduled=planned))
        self.after(12, 28)
        if dropping or self.rng.random() < 0.08:
            self.plan(self.social, p.PlanStepFailed(**self.keys, step_id=step_id, failed_on=self.day,
                                                    reason=p.StepFailure.NO_SHOW, note=texts.pick(
                                                        self.rng, texts.FAILURE_NOTES, first=self.person.first_name)))
            if dropping:
                return False
            self.plan(self.social, p.SocialPreparationWaived(**self.keys, social_worker=self.region.social_worker,
                                                             reason=texts.WAIVERS[0], waived_on=self.day))
        else:
            self.plan(self.social, p.PlanStepCompleted(**self.keys, step_id=step_id, completed_on=self.day,
                                                       outcome=self.rng.choice(texts.COMPLETIONS)))
        self.prep_done = True
        return True

    def step(self, actor: Actor, instrument: p.Instrument, days: tuple[int, int], complete: bool = True,
              funded_by: str | None = None) -> uuid.UUID:
        """A step added and scheduled by its owner, then completed after `days`."""
        step_id = self.new_id()
        self.after(0, 5)
        planned = Period(from_=self.day + timedelta(days=3), to=self.day + timedelta(days=days[1] + 3))
        kind = InstitutionKind.OPS if actor.institution == self.pair.ops else InstitutionKind.PUP
        self.plan(actor, p.PlanStepAdded(
            **self.keys, step_id=step_id, owner=p.PlanParty(institution_id=actor.institution, institution_kind=kind,
                                                            worker=actor.user),
            instrument=instrument, category=p.INSTRUMENT_CATEGORY[instrument], social_preparation=False,
            title=texts.SOCIAL_STEPS.get(instrument) or texts.VOCATIONAL_STEPS[instrument], planned=planned,
            funded_by=funded_by))
        self.plan(actor, p.PlanStepScheduled(**self.keys, step_id=step_id, scheduled=planned))
        if complete:
            self.after(*days)
            self.plan(actor, p.PlanStepCompleted(**self.keys, step_id=step_id, completed_on=self.day,
                                                 outcome=self.rng.choice(texts.COMPLETIONS)))
        return step_id

    def offer(self, kind: m.OfferKind) -> Offer:
        return next(o for o in self.pair.offers if o.kind is kind)

    def elsewhere(self) -> Address:
        """An address in another gmina of the table (perhaps another voivodeship) for a client who moves away."""
        gmina = self.rng.choice([g for g in GMINAS if g.teryt != self.pair.gmina.teryt])
        return Address(gmina=gmina.name, teryt=gmina.teryt, postal_code=gmina.postal_codes[0], city=gmina.name,
                       street="Polna", building=str(self.rng.randint(1, 80)))
