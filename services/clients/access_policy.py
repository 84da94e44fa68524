"""Who may call which route of the clients service (docs/access-control.md). Which client a worker reaches is
decided per record in services/clients/entrypoints/client_access.py (caseload or sharing)."""

from libs.events.auth.policy import AccessPolicy, Rule
from libs.events.auth.roles import (
    ADMINISTRATOR,
    CASE_STAFF,
    CASE_WORKERS,
    DATA_PROTECTION_OFFICER,
    SERVICE,
    SUPERVISOR,
)

READ_CLIENT = Rule("client records: case staff of an institution that registered or shares the client", CASE_STAFF)
FIND_CLIENT = Rule("finding a client by identity: case staff", CASE_STAFF)
REGISTER = Rule("registration at the own institution: case workers", CASE_WORKERS)
CHANGE_CLIENT = Rule("changes to a client's facts: case workers of the client's institutions", CASE_WORKERS)
ACCESS_LOG = Rule("personal-data access log: the data protection officer", frozenset({DATA_PROTECTION_OFFICER}))
SIGN_AGREEMENT = Rule("cooperation agreements: supervisors and administrators", frozenset({SUPERVISOR, ADMINISTRATOR}))
READ_AGREEMENT = Rule("reading agreements: case staff, administrators, data protection officers",
                      CASE_STAFF | {ADMINISTRATOR, DATA_PROTECTION_OFFICER})
ADMINISTER_REGIONS = Rule("regions and worker pairing: administrators", frozenset({ADMINISTRATOR}))
READ_REGIONS = Rule("reading regions: case staff and administrators", CASE_STAFF | {ADMINISTRATOR})
HANDOVER = Rule("caseload handovers: case staff and administrators", CASE_STAFF | {ADMINISTRATOR})
IMPORT = Rule("imports from Syriusz and POMOST: case staff", CASE_STAFF)
ERASE = Rule("erasure of a client's personal data (GDPR art. 17): the data protection officer of an institution "
             "that registered or shares the client", frozenset({DATA_PROTECTION_OFFICER}))
DATA_KEYS = Rule("data keys of personal fields: the platform's other services", frozenset({SERVICE}))

POLICY = AccessPolicy("clients", {
    ("POST", "/clients"): REGISTER,
    ("GET", "/clients"): FIND_CLIENT,
    ("GET", "/clients/{client_id}"): READ_CLIENT,
    ("GET", "/clients/{client_id}/events"): READ_CLIENT,
    ("GET", "/clients/{client_id}/profile/history"): READ_CLIENT,
    ("GET", "/clients/{client_id}/access-log"): ACCESS_LOG,
    ("PUT", "/clients/{client_id}/address"): CHANGE_CLIENT,
    ("PATCH", "/clients/{client_id}/profile"): CHANGE_CLIENT,
    ("POST", "/clients/{client_id}/unemployment-status"): CHANGE_CLIENT,
    ("POST", "/clients/{client_id}/benefits"): CHANGE_CLIENT,
    ("POST", "/clients/{client_id}/benefits/{benefit_id}/suspend"): CHANGE_CLIENT,
    ("POST", "/clients/{client_id}/benefits/{benefit_id}/end"): CHANGE_CLIENT,
    ("POST", "/clients/{client_id}/incomes"): CHANGE_CLIENT,
    ("POST", "/clients/{client_id}/consents"): CHANGE_CLIENT,
    ("POST", "/clients/{client_id}/consents/{consent_id}/withdraw"): CHANGE_CLIENT,
    ("POST", "/agreements"): SIGN_AGREEMENT,
    ("GET", "/agreements/{agreement_id}"): READ_AGREEMENT,
    ("POST", "/agreements/{agreement_id}/end"): SIGN_AGREEMENT,
    ("POST", "/regions"): ADMINISTER_REGIONS,
    ("GET", "/regions"): READ_REGIONS,
    ("PUT", "/regions/{region_id}"): ADMINISTER_REGIONS,
    ("DELETE", "/regions/{region_id}"): ADMINISTER_REGIONS,
    ("GET", "/regions/{region_id}"): READ_REGIONS,
    ("POST", "/handovers"): HANDOVER,
    ("POST", "/imports/{source}"): IMPORT,
    ("GET", "/imports/{batch_id}"): IMPORT,
    ("POST", "/clients/{client_id}/erasure"): ERASE,
    ("POST", "/internal/keys"): DATA_KEYS,
})
