"""Events of the clients context (topic pzw.clients.v1): the shared client record, regions and agreements."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from libs.events.registry import EventPayload
from libs.events.schemas.common import (
    PERSONAL,
    SPECIAL_CATEGORY,
    Address,
    Contact,
    InstitutionId,
    InstitutionKind,
    Period,
    ValueObject,
    WorkerId,
)
from libs.events.schemas.registry import registry

CONTEXT = "clients"


class DocumentType(StrEnum):
    """Identity documents accepted for people without a PESEL number."""

    ID_CARD = "id_card"
    PASSPORT = "passport"
    RESIDENCE_CARD = "residence_card"
    OTHER = "other"


class IdentityDocument(ValueObject):
    type: DocumentType
    number: str = Field(min_length=3, max_length=30, pattern=r"^[A-Z0-9]+$", json_schema_extra=PERSONAL)


class PersonIdentity(ValueObject):
    """Who the person is: PESEL, or an identity document when there is none."""

    pesel: str | None = Field(default=None, pattern=r"^\d{11}$", json_schema_extra=PERSONAL)
    document: IdentityDocument | None = None
    first_name: str = Field(min_length=1, max_length=100, json_schema_extra=PERSONAL)
    last_name: str = Field(min_length=1, max_length=100, json_schema_extra=PERSONAL)
    birth_date: date = Field(json_schema_extra=PERSONAL)


# --- the person ---------------------------------------------------------------------------------------------------


@registry.event("ClientRegistered", 1, context=CONTEXT)
class ClientRegistered(EventPayload):
    """A person became a client of an institution (PUP registration, OPS intake, CIS referral)."""

    client_id: uuid.UUID
    institution_id: InstitutionId
    institution_kind: InstitutionKind
    identity: PersonIdentity = Field(json_schema_extra=PERSONAL)
    address: Address = Field(json_schema_extra=PERSONAL)
    contact: Contact = Field(default_factory=Contact, json_schema_extra=PERSONAL)
    registered_on: date


@registry.event("ClientAddressChanged", 1, context=CONTEXT)
class ClientAddressChanged(EventPayload):
    """The client moved (regions are reassigned from the new address)."""

    client_id: uuid.UUID
    address: Address = Field(json_schema_extra=PERSONAL)


class ImportSource(StrEnum):
    """Where imported client data came from."""

    SYRIUSZ = "SYRIUSZ"  # the PUP system
    POMOST = "POMOST"  # the OPS system
    CSV = "CSV"  # a generic spreadsheet export


@registry.event("ClientDataImported", 1, context=CONTEXT)
class ClientDataImported(EventPayload):
    """A row of an import file was applied to the client record (the events it caused follow it)."""

    client_id: uuid.UUID
    institution_id: InstitutionId
    source: ImportSource
    batch_id: uuid.UUID
    row_number: int = Field(ge=1)
    row_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the normalised row: re-imports of "
                          "the same row change nothing")
    external_id: str | None = Field(default=None, max_length=64, description="the row's id in the source system")


class EducationLevel(StrEnum):
    NONE = "none"
    PRIMARY = "primary"  # podstawowe
    LOWER_SECONDARY = "lower_secondary"  # gimnazjalne
    VOCATIONAL = "vocational"  # zasadnicze zawodowe
    GENERAL_SECONDARY = "general_secondary"  # średnie ogólnokształcące
    VOCATIONAL_SECONDARY = "vocational_secondary"  # policealne i średnie zawodowe
    HIGHER = "higher"  # wyższe


class Education(ValueObject):
    level: EducationLevel
    profession: str | None = Field(default=None, max_length=200, description="learned profession")
    qualifications: tuple[str, ...] = Field(default=(), max_length=50, description="certificates, licences")
    driving_licence: tuple[str, ...] = Field(default=(), max_length=10, description="categories, e.g. B, C")


class WorkPeriod(ValueObject):
    employer: str | None = Field(default=None, max_length=200, json_schema_extra=PERSONAL)
    occupation: str = Field(min_length=1, max_length=200)
    period: Period


class Household(ValueObject):
    """Family situation as OPS records it."""

    members: int = Field(ge=1, le=30)
    dependants: int = Field(ge=0, le=30)
    single_parent: bool = False
    notes: str | None = Field(default=None, max_length=2000, json_schema_extra=PERSONAL)


class Health(ValueObject):
    """Health and disability (special-category data)."""

    disability_degree: str | None = Field(default=None, pattern=r"^(none|light|moderate|severe)$")
    work_restrictions: tuple[str, ...] = Field(default=(), max_length=20)
    notes: str | None = Field(default=None, max_length=2000)


class Addiction(ValueObject):
    """Addiction and its treatment (special-category data)."""

    kinds: tuple[str, ...] = Field(default=(), max_length=10, description="e.g. alcohol, drugs, gambling")
    in_treatment: bool = False
    notes: str | None = Field(default=None, max_length=2000)


@registry.event("ClientProfileUpdated", 1, context=CONTEXT)
class ClientProfileUpdated(EventPayload):
    """Sections of the client's profile changed; absent sections are unchanged. The events are the history."""

    client_id: uuid.UUID
    institution_id: InstitutionId
    education: Education | None = Field(default=None, json_schema_extra=PERSONAL)
    work_history: tuple[WorkPeriod, ...] | None = Field(default=None, json_schema_extra=PERSONAL)
    household: Household | None = Field(default=None, json_schema_extra=PERSONAL)
    health: Health | None = Field(default=None, json_schema_extra=SPECIAL_CATEGORY)
    addiction: Addiction | None = Field(default=None, json_schema_extra=SPECIAL_CATEGORY)


# --- status and money facts -----------------------------------------------------------------------------------------


class UnemploymentStatus(StrEnum):
    REGISTERED = "registered"
    DEREGISTERED = "deregistered"


class DeregistrationReason(StrEnum):
    REFUSED_OFFER = "refused_offer"  # odmowa przyjęcia propozycji
    NO_READINESS_CONFIRMATION = "no_readiness_confirmation"  # niepotwierdzenie gotowości
    TOOK_WORK = "took_work"  # podjęcie pracy
    OWN_REQUEST = "own_request"  # na własny wniosek
    OTHER = "other"


@registry.event("UnemploymentStatusChanged", 1, context=CONTEXT)
class UnemploymentStatusChanged(EventPayload):
    """The PUP registered or deregistered the client as unemployed."""

    client_id: uuid.UUID
    institution_id: InstitutionId
    status: UnemploymentStatus
    reason: DeregistrationReason | None = Field(default=None, description="required when deregistered")
    effective_on: date
    with_benefit_right: bool = Field(default=False, description="registered with the right to unemployment benefit")


class BenefitBasis(StrEnum):
    """Why a benefit is paid (R1 watches benefits granted because of unemployment)."""

    UNEMPLOYMENT = "unemployment"
    POVERTY = "poverty"
    DISABILITY = "disability"
    FAMILY = "family"
    HOMELESSNESS = "homelessness"
    ADDICTION = "addiction"
    OTHER = "other"


@registry.event("BenefitGranted", 1, context=CONTEXT)
class BenefitGranted(EventPayload):
    """An institution granted the client a benefit for a period."""

    client_id: uuid.UUID
    benefit_id: uuid.UUID
    institution_id: InstitutionId
    institution_kind: InstitutionKind
    kind: str = Field(min_length=1, max_length=100, examples=["zasiłek okresowy", "zasiłek dla bezrobotnych",
                                                              "świadczenie integracyjne", "stypendium stażowe"])
    basis: BenefitBasis
    monthly_amount: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    period: Period


@registry.event("BenefitSuspended", 1, context=CONTEXT)
class BenefitSuspended(EventPayload):
    client_id: uuid.UUID
    benefit_id: uuid.UUID
    institution_id: InstitutionId
    suspended_from: date
    reason: str = Field(min_length=1, max_length=500)


@registry.event("BenefitEnded", 1, context=CONTEXT)
class BenefitEnded(EventPayload):
    client_id: uuid.UUID
    benefit_id: uuid.UUID
    institution_id: InstitutionId
    ended_on: date
    reason: str = Field(min_length=1, max_length=500)


class IncomeSource(StrEnum):
    EMPLOYMENT = "employment"
    INTERNSHIP_STIPEND = "internship_stipend"
    TRAINING_ALLOWANCE = "training_allowance"
    UNEMPLOYMENT_BENEFIT = "unemployment_benefit"
    SOCIAL_BENEFIT = "social_benefit"
    OTHER = "other"


@registry.event("IncomeDeclared", 1, context=CONTEXT)
class IncomeDeclared(EventPayload):
    """Income for a period, as declared by the client to an institution or known to it from its own records."""

    client_id: uuid.UUID
    institution_id: InstitutionId
    source: IncomeSource
    monthly_amount: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    period: Period
    declared_by_client: bool = Field(description="true: the client's statement; false: the institution's records")


# --- cooperation and sharing ----------------------------------------------------------------------------------------


class LegalBasis(ValueObject):
    """A legal basis, kept as data with the date it applies from (law moves)."""

    code: str = Field(min_length=1, max_length=64, examples=["RODO-6-1-e", "UPS-art-46"])
    text: str = Field(min_length=1, max_length=1000)
    applies_from: date


@registry.event("CooperationAgreementSigned", 1, context=CONTEXT)
class CooperationAgreementSigned(EventPayload):
    """A PUP and an OPS signed a porozumienie: the precondition for sharing clients."""

    agreement_id: uuid.UUID
    pup_institution_id: InstitutionId
    ops_institution_id: InstitutionId
    valid: Period
    legal_basis: LegalBasis
    social_preparation_first: bool = Field(
        default=True, description="vocational steps wait for the OPS social preparation (the PZW order rule)")
    requires_consent: bool = Field(
        default=False, description="sharing rests on the client's consent rather than on the legal basis alone")


@registry.event("CooperationAgreementEnded", 1, context=CONTEXT)
class CooperationAgreementEnded(EventPayload):
    agreement_id: uuid.UUID
    ended_on: date
    reason: str = Field(min_length=1, max_length=500)


class SharingBasis(StrEnum):
    LEGAL_BASIS = "legal_basis"
    CONSENT = "consent"


@registry.event("ConsentGiven", 1, context=CONTEXT)
class ConsentGiven(EventPayload):
    """The client consented to the institutions sharing their data for a purpose."""

    client_id: uuid.UUID
    consent_id: uuid.UUID
    institutions: tuple[InstitutionId, ...] = Field(min_length=2)
    purpose: str = Field(min_length=1, max_length=500)
    given_on: date


@registry.event("ConsentWithdrawn", 1, context=CONTEXT)
class ConsentWithdrawn(EventPayload):
    """The client withdrew a consent: sharing that rested on it stops from this moment."""

    client_id: uuid.UUID
    consent_id: uuid.UUID
    withdrawn_on: date


@registry.event("SharedClientIdentified", 1, context=CONTEXT)
class SharedClientIdentified(EventPayload):
    """The person is a client of a PUP and an OPS that cooperate: from now on they work on the client together."""

    client_id: uuid.UUID
    pup_institution_id: InstitutionId
    ops_institution_id: InstitutionId
    agreement_id: uuid.UUID
    basis: SharingBasis
    legal_basis: LegalBasis | None = None
    consent_id: uuid.UUID | None = None
    social_preparation_first: bool = True
    identified_on: date


@registry.event("SharedClientSharingStopped", 1, context=CONTEXT)
class SharedClientSharingStopped(EventPayload):
    """Sharing between the PUP and the OPS ended (consent withdrawn, agreement ended)."""

    client_id: uuid.UUID
    pup_institution_id: InstitutionId
    ops_institution_id: InstitutionId
    reason: str = Field(min_length=1, max_length=500)
    stopped_on: date


# --- regions and case workers ---------------------------------------------------------------------------------------


class StreetRange(ValueObject):
    """House numbers `from_number`..`to_number` of a street in a city (inclusive; omit both for the whole street)."""

    city: str = Field(min_length=1, max_length=100)
    street: str = Field(min_length=1, max_length=150)
    from_number: int | None = Field(default=None, ge=1)
    to_number: int | None = Field(default=None, ge=1)


class RegionArea(ValueObject):
    """Where the region's clients live: whole gminas, postal codes, or street ranges (any match assigns)."""

    gminas: tuple[str, ...] = Field(default=(), description="TERYT codes (7 digits) or names of whole gminas")
    postal_codes: tuple[str, ...] = Field(default=(), description="postal codes, e.g. 41-100")
    streets: tuple[StreetRange, ...] = ()


class CaseWorkers(ValueObject):
    """The pair (or trio) serving a region."""

    job_broker: WorkerId
    career_counsellor: WorkerId | None = None
    social_worker: WorkerId


@registry.event("RegionDefined", 1, context=CONTEXT)
class RegionDefined(EventPayload):
    """A region (rejon) of a PUP-OPS pair: its area and its paired workers. Redefining replaces both."""

    region_id: uuid.UUID
    name: str = Field(min_length=1, max_length=200)
    pup_institution_id: InstitutionId
    ops_institution_id: InstitutionId
    area: RegionArea
    workers: CaseWorkers
    priority: int = Field(default=100, description="when two regions match an address, the lower number wins")


@registry.event("RegionRemoved", 1, context=CONTEXT)
class RegionRemoved(EventPayload):
    region_id: uuid.UUID
    pup_institution_id: InstitutionId
    ops_institution_id: InstitutionId


class AssignmentReason(StrEnum):
    ADDRESS = "address"  # registered, or moved
    REGION_CHANGED = "region_changed"  # the region map changed
    HANDOVER = "handover"  # a worker's caseload was handed over


@registry.event("ClientAssignedToRegion", 1, context=CONTEXT)
class ClientAssignedToRegion(EventPayload):
    """The client's address falls in a region of a PUP-OPS pair (region_id null: no region matches any more)."""

    client_id: uuid.UUID
    pup_institution_id: InstitutionId
    ops_institution_id: InstitutionId
    region_id: uuid.UUID | None
    reason: AssignmentReason


@registry.event("CaseWorkersAssigned", 1, context=CONTEXT)
class CaseWorkersAssigned(EventPayload):
    """The workers who serve the client for a PUP-OPS pair."""

    client_id: uuid.UUID
    pup_institution_id: InstitutionId
    ops_institution_id: InstitutionId
    workers: CaseWorkers
    reason: AssignmentReason


@registry.event("CaseloadHandedOver", 1, context=CONTEXT)
class CaseloadHandedOver(EventPayload):
    """A worker's clients in a region pass to another worker (leave, change of job)."""

    region_id: uuid.UUID
    institution_id: InstitutionId
    from_worker: WorkerId
    to_worker: WorkerId
    handed_over_on: date


# --- erasure --------------------------------------------------------------------------------------------------------


class ErasureBasis(StrEnum):
    """The legal basis on which a client's personal data was erased."""

    DATA_SUBJECT_REQUEST = "data_subject_request"  # art. 17 RODO: the person asked
    RETENTION_EXPIRED = "retention_expired"  # the retention period of the data ended
    UNLAWFUL_PROCESSING = "unlawful_processing"  # art. 17(1)(d) RODO
    LEGAL_OBLIGATION = "legal_obligation"  # art. 17(1)(e) RODO: an order or a statute


@registry.event("ClientErased", 1, context=CONTEXT)
class ClientErased(EventPayload):
    """The client's personal data was erased: the client's data key is destroyed, so every personal field of the
    client's events (in every event store, on Kafka, in backups) can no longer be read. Consumers drop the rows
    naming the person and keep de-identified counts."""

    client_id: uuid.UUID
    legal_basis: ErasureBasis
    erased_on: date
    birth_year: int | None = Field(default=None, ge=1900, le=2100, description="de-identified fact kept for "
                                   "statistics (age groups) after the sealed identity became unreadable")
    teryt: str | None = Field(default=None, pattern=r"^\d{7}$", description="the gmina of the last address "
                              "(statistics by area), without the rest of the address")
    gmina: str | None = Field(default=None, max_length=100, description="name of that gmina")
