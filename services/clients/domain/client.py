"""The client record's decisions (pure): command + state -> events, or DomainError / Forbidden."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from libs.events.decider import Decider, DomainError, Forbidden
from libs.events.schemas import clients as ev
from libs.events.schemas.common import InstitutionKind
from services.clients.domain import commands as cmd
from services.clients.domain.client_state import Assignment, ClientState, Pair, Sharing, evolve
from services.clients.domain.policies import region_for

STREAM_TYPE = "client"


def decide(command: BaseModel, state: ClientState) -> Sequence[BaseModel]:
    """The events a command produces in a state."""
    if not isinstance(command, cmd.RegisterClient) and not state.exists:
        raise DomainError("client does not exist")
    handler: Callable[[Any, ClientState], list[BaseModel]] | None = _DECISIONS.get(type(command))
    if handler is None:
        raise TypeError(f"unknown command {type(command).__name__}")
    return handler(command, state)


def _require_registered(state: ClientState, institution_id: str) -> None:
    if institution_id not in state.registrations:
        raise Forbidden(f"{institution_id} is not an institution of client {state.client_id}")


def _register(c: cmd.RegisterClient, s: ClientState) -> list[BaseModel]:
    if c.institution_id in s.registrations:
        raise DomainError(f"this person is already registered at {c.institution_id} as client {s.client_id}",
                          field="identity", existing_client_id=s.client_id)
    return [ev.ClientRegistered(
        client_id=s.client_id or c.client_id, institution_id=c.institution_id, institution_kind=c.institution_kind,
        identity=ev.PersonIdentity.model_validate(c.identity.model_dump()), address=c.address, contact=c.contact,
        registered_on=c.registered_on)]


def _change_address(c: cmd.ChangeAddress, s: ClientState) -> list[BaseModel]:
    _require_registered(s, c.institution_id)
    if c.address == s.address:
        return []
    assert s.client_id is not None
    return [ev.ClientAddressChanged(client_id=s.client_id, address=c.address)]


def _update_profile(c: cmd.UpdateProfile, s: ClientState) -> list[BaseModel]:
    _require_registered(s, c.institution_id)
    if c.addiction is not None and c.institution_kind == InstitutionKind.PUP:
        raise Forbidden("addiction data is recorded by the OPS or the CIS, not by the PUP")
    sections = c.model_dump(exclude={"institution_id", "institution_kind"}, exclude_none=True)
    if not sections:
        raise DomainError("the update changes no section of the profile", field="body")
    current = {k: getattr(s.profile, k) for k in sections}
    changed = {k: getattr(c, k) for k in sections if getattr(c, k) != current[k]}
    if not changed:
        return []
    assert s.client_id is not None
    return [ev.ClientProfileUpdated(client_id=s.client_id, institution_id=c.institution_id, **changed)]


def _unemployment(c: cmd.ChangeUnemploymentStatus, s: ClientState) -> list[BaseModel]:
    _require_registered(s, c.institution_id)
    if c.institution_kind != InstitutionKind.PUP:
        raise Forbidden("only a labour office (PUP) registers or deregisters the unemployed")
    if c.status == ev.UnemploymentStatus.DEREGISTERED and c.reason is None:
        raise DomainError("a deregistration needs a reason", field="reason")
    if c.status == ev.UnemploymentStatus.REGISTERED and c.reason is not None:
        raise DomainError("a registration has no deregistration reason", field="reason")
    current = s.unemployment.get(c.institution_id)
    if current and current.status == c.status and current.reason == c.reason:
        return []
    assert s.client_id is not None
    return [ev.UnemploymentStatusChanged(
        client_id=s.client_id, institution_id=c.institution_id, status=c.status, reason=c.reason,
        effective_on=c.effective_on, with_benefit_right=c.with_benefit_right)]


def _grant(c: cmd.GrantBenefit, s: ClientState) -> list[BaseModel]:
    _require_registered(s, c.institution_id)
    if c.benefit_id in s.benefits:
        raise DomainError(f"benefit {c.benefit_id} exists already", field="benefit_id")
    assert s.client_id is not None
    return [ev.BenefitGranted(client_id=s.client_id, **c.model_dump())]


def _benefit_of(s: ClientState, benefit_id: Any, institution_id: str) -> None:
    benefit = s.benefits.get(benefit_id)
    if benefit is None:
        raise DomainError(f"no benefit {benefit_id} for this client", field="benefit_id")
    if benefit.institution_id != institution_id:
        raise Forbidden(f"benefit {benefit_id} was granted by {benefit.institution_id}")
    if benefit.status == "ended":
        raise DomainError(f"benefit {benefit_id} has ended")


def _suspend(c: cmd.SuspendBenefit, s: ClientState) -> list[BaseModel]:
    _benefit_of(s, c.benefit_id, c.institution_id)
    if s.benefits[c.benefit_id].status == "suspended":
        return []
    assert s.client_id is not None
    return [ev.BenefitSuspended(client_id=s.client_id, **c.model_dump())]


def _end(c: cmd.EndBenefit, s: ClientState) -> list[BaseModel]:
    _benefit_of(s, c.benefit_id, c.institution_id)
    assert s.client_id is not None
    return [ev.BenefitEnded(client_id=s.client_id, **c.model_dump())]


def _income(c: cmd.DeclareIncome, s: ClientState) -> list[BaseModel]:
    _require_registered(s, c.institution_id)
    assert s.client_id is not None
    return [ev.IncomeDeclared(client_id=s.client_id, **c.model_dump())]


def _consent(c: cmd.GiveConsent, s: ClientState) -> list[BaseModel]:
    _require_registered(s, c.institution_id)
    if c.consent_id in s.consents:
        raise DomainError(f"consent {c.consent_id} exists already", field="consent_id")
    if len(set(c.institutions)) < 2:
        raise DomainError("a consent to share names at least two institutions", field="institutions")
    assert s.client_id is not None
    return [ev.ConsentGiven(client_id=s.client_id, consent_id=c.consent_id, institutions=c.institutions,
                            purpose=c.purpose, given_on=c.given_on)]


def _withdraw(c: cmd.WithdrawConsent, s: ClientState) -> list[BaseModel]:
    _require_registered(s, c.institution_id)
    consent = s.consents.get(c.consent_id)
    if consent is None:
        raise DomainError(f"no consent {c.consent_id} for this client", field="consent_id")
    if not consent.active:
        return []
    assert s.client_id is not None
    return [ev.ConsentWithdrawn(client_id=s.client_id, consent_id=c.consent_id, withdrawn_on=c.withdrawn_on)]


def _evaluate_sharing(c: cmd.EvaluateSharing, s: ClientState) -> list[BaseModel]:
    """Identify each newly qualifying pair once; stop sharing where the basis is gone."""
    assert s.client_id is not None
    pups, opss = s.institutions_of(InstitutionKind.PUP), s.institutions_of(InstitutionKind.OPS)
    qualifying: dict[Pair, ev.SharedClientIdentified] = {}
    for a in sorted(c.agreements, key=lambda a: str(a.agreement_id)):
        pair = (a.pup_institution_id, a.ops_institution_id)
        if pair in qualifying or a.pup_institution_id not in pups or a.ops_institution_id not in opss:
            continue
        if not a.in_force(c.today):
            continue
        consent_id = None
        if a.requires_consent:
            consent_id = next((cid for cid, consent in sorted(s.consents.items(), key=lambda kv: str(kv[0]))
                               if consent.active and set(pair) <= consent.institutions), None)
            if consent_id is None:
                continue
        qualifying[pair] = ev.SharedClientIdentified(
            client_id=s.client_id, pup_institution_id=pair[0], ops_institution_id=pair[1],
            agreement_id=a.agreement_id, basis=ev.SharingBasis.CONSENT if consent_id else ev.SharingBasis.LEGAL_BASIS,
            legal_basis=a.legal_basis, consent_id=consent_id, social_preparation_first=a.social_preparation_first,
            identified_on=c.today)
    # New pairs are identified; a pair whose basis changed (its consent withdrawn while another still covers it,
    # or another agreement) is identified again with the basis it rests on now.
    events: list[BaseModel] = [e for pair, e in qualifying.items() if pair not in s.sharing
                               or _basis_of(s.sharing[pair]) != (e.agreement_id, e.consent_id)]
    events += [ev.SharedClientSharingStopped(
        client_id=s.client_id, pup_institution_id=pair[0], ops_institution_id=pair[1], stopped_on=c.today,
        reason="consent withdrawn" if sharing.basis == ev.SharingBasis.CONSENT else "agreement no longer in force")
        for pair, sharing in sorted(s.sharing.items()) if pair not in qualifying]
    return events


def _basis_of(sharing: Sharing) -> tuple[object, object]:
    return sharing.agreement_id, sharing.consent_id


def _assign_regions(c: cmd.AssignRegions, s: ClientState) -> list[BaseModel]:
    """Assign the region (and its workers) matching the address, for every pair the client is a client of."""
    assert s.client_id is not None
    assert s.address is not None
    by_pair: dict[Pair, list[Any]] = {}
    for region in c.regions:
        if {region.pup_institution_id, region.ops_institution_id} & set(s.registrations):
            by_pair.setdefault((region.pup_institution_id, region.ops_institution_id), []).append(region)
    events: list[BaseModel] = []
    for pair in sorted(set(by_pair) | set(s.assignments)):
        region = region_for(s.address, tuple(by_pair.get(pair, ())))
        current = s.assignments.get(pair, Assignment(None, None))
        region_id = region.region_id if region else None
        if region_id != current.region_id:
            events.append(ev.ClientAssignedToRegion(client_id=s.client_id, pup_institution_id=pair[0],
                                                    ops_institution_id=pair[1], region_id=region_id, reason=c.reason))
        if region is not None and (region.workers != current.workers or region_id != current.region_id):
            events.append(ev.CaseWorkersAssigned(client_id=s.client_id, pup_institution_id=pair[0],
                                                 ops_institution_id=pair[1], workers=region.workers, reason=c.reason))
    return events


_DECISIONS: dict[type[BaseModel], Callable[[Any, ClientState], list[BaseModel]]] = {
    cmd.RegisterClient: _register,
    cmd.ChangeAddress: _change_address,
    cmd.UpdateProfile: _update_profile,
    cmd.ChangeUnemploymentStatus: _unemployment,
    cmd.GrantBenefit: _grant,
    cmd.SuspendBenefit: _suspend,
    cmd.EndBenefit: _end,
    cmd.DeclareIncome: _income,
    cmd.GiveConsent: _consent,
    cmd.WithdrawConsent: _withdraw,
    cmd.Reevaluate: lambda c, s: [],
    cmd.EvaluateSharing: _evaluate_sharing,
    cmd.AssignRegions: _assign_regions,
}

decider: Decider[BaseModel, ClientState] = Decider(STREAM_TYPE, ClientState, decide, evolve)
