"""Who may call which route of the matching service (docs/access-control.md)."""

from libs.events.auth.policy import AccessPolicy, Rule
from libs.events.auth.roles import CAREER_COUNSELLOR, CASE_STAFF, CASE_WORKERS, JOB_BROKER, SUPERVISOR

READ = Rule("conflicts, offers and referrals: case staff", CASE_STAFF)
RESOLVE = Rule("resolving conflicts: case staff of the institutions concerned", CASE_STAFF)
PUBLISH = Rule("publishing and withdrawing offers: PUP job brokers, career counsellors and supervisors",
               frozenset({JOB_BROKER, CAREER_COUNSELLOR, SUPERVISOR}))
REFER = Rule("matches and referrals: case workers", CASE_WORKERS)

POLICY = AccessPolicy("matching", {
    ("GET", "/conflicts"): READ,
    ("GET", "/conflicts/{conflict_id}"): READ,
    ("POST", "/conflicts/{conflict_id}/resolve"): RESOLVE,
    ("POST", "/conflicts/what-if"): READ,
    ("POST", "/offers"): PUBLISH,
    ("POST", "/offers/{offer_id}/withdraw"): PUBLISH,
    ("GET", "/offers/{offer_id}"): READ,
    ("GET", "/clients/{client_id}/offers"): READ,
    ("GET", "/offers/{offer_id}/candidates"): READ,
    ("POST", "/matches"): REFER,
    ("POST", "/referrals"): REFER,
    ("POST", "/referrals/{referral_id}/outcome"): REFER,
    ("GET", "/referrals/{referral_id}"): READ,
})
