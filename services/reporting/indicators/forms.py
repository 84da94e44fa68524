"""Forms of vocational activation and which plan facts show each of them (a vocabulary, not a legal rule: which
forms an indicator counts is configuration, see definitions.toml)."""

from __future__ import annotations

from enum import StrEnum

from libs.events.schemas.plans import Instrument, IpzsEnding, PlanOutcome, StepFailure


class ActivationForm(StrEnum):
    """Forms of taking up vocational activity named by the seeds (PZW test, Jowisz) and the labour-market acts."""

    EMPLOYMENT = "employment"  # zatrudnienie
    SUBSIDISED_EMPLOYMENT = "subsidised_employment"  # refundacja kosztów zatrudnienia
    TRAINING = "training"  # szkolenie
    INTERVENTION_WORKS = "intervention_works"  # prace interwencyjne
    PUBLIC_WORKS = "public_works"  # roboty publiczne
    SOCIALLY_USEFUL_WORKS = "socially_useful_works"  # prace społecznie użyteczne
    INTERNSHIP = "internship"  # staż
    OWN_BUSINESS = "own_business"  # działalność gospodarcza
    SOCIAL_COOPERATIVE = "social_cooperative"  # spółdzielnia socjalna


# A plan step with one of these instruments is the client taking up that form (from the day it starts).
INSTRUMENT_FORM: dict[Instrument, ActivationForm] = {
    Instrument.JOB_OFFER: ActivationForm.EMPLOYMENT,
    Instrument.SUBSIDISED_EMPLOYMENT: ActivationForm.SUBSIDISED_EMPLOYMENT,
    Instrument.TRAINING: ActivationForm.TRAINING,
    Instrument.INTERVENTION_WORKS: ActivationForm.INTERVENTION_WORKS,
    Instrument.PUBLIC_WORKS: ActivationForm.PUBLIC_WORKS,
    Instrument.SOCIALLY_USEFUL_WORKS: ActivationForm.SOCIALLY_USEFUL_WORKS,
    Instrument.INTERNSHIP: ActivationForm.INTERNSHIP,
}

# A plan closed with one of these outcomes: the client took up the form on the closing day.
OUTCOME_FORM: dict[PlanOutcome, ActivationForm] = {
    PlanOutcome.EMPLOYMENT: ActivationForm.EMPLOYMENT,
    PlanOutcome.SUBSIDISED_EMPLOYMENT: ActivationForm.SUBSIDISED_EMPLOYMENT,
    PlanOutcome.TRAINING_COMPLETED: ActivationForm.TRAINING,
    PlanOutcome.INTERVENTION_WORKS: ActivationForm.INTERVENTION_WORKS,
    PlanOutcome.PUBLIC_WORKS: ActivationForm.PUBLIC_WORKS,
    PlanOutcome.SOCIALLY_USEFUL_WORKS: ActivationForm.SOCIALLY_USEFUL_WORKS,
    PlanOutcome.INTERNSHIP: ActivationForm.INTERNSHIP,
    PlanOutcome.OWN_BUSINESS: ActivationForm.OWN_BUSINESS,
    PlanOutcome.SOCIAL_COOPERATIVE: ActivationForm.SOCIAL_COOPERATIVE,
}

# An IPZS that ended for one of these reasons: the CIS participant took up the form on the day it ended.
IPZS_ENDING_FORM: dict[IpzsEnding, ActivationForm] = {
    IpzsEnding.EMPLOYMENT: ActivationForm.EMPLOYMENT,
    IpzsEnding.OWN_BUSINESS: ActivationForm.OWN_BUSINESS,
    IpzsEnding.SOCIAL_COOPERATIVE: ActivationForm.SOCIAL_COOPERATIVE,
}

# Step statuses meaning the client took the instrument up: it is booked (scheduled: counted from its start day,
# so not before that day comes), it was carried out, or the client dropped out after starting.
TAKEN_UP_STATUSES = ("scheduled", "completed")
TAKEN_UP_FAILURES = (StepFailure.DROPPED_OUT.value,)


def column(form: ActivationForm) -> str:
    """The rm_plan column holding the first day the client took up `form`."""
    return f"act_{form.value}"
