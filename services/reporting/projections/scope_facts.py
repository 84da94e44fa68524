"""Where each client lives and when they registered at the PUP, copied onto the rows the indicators count.

This part runs last in the group that holds the client directory, casework, joint plans, CIS participation and
conflicts (services/reporting/bootstrap.py): the rows it updates are written by those parts in the same transaction.
Why copy rather than join at query time: a voivodeship's indicators over half a million plans took seconds joined
to the client directory (bench/indicators.py) and take one indexed range of one table this way. Whichever arrives
first, the client's registration or the plan, the copy is made when the later one arrives: every event that creates
such a row or changes its source marks the client, and the client's rows are refreshed at the end of the batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import ClassVar

from libs.events.db import Connection
from libs.events.envelope import RecordedEvent
from libs.events.migrations import Migration, packaged
from libs.events.projection import Projection
from libs.events.topics import CLIENTS, CONFLICTS, PLANS

_REFRESH = [
    """UPDATE rm_plan p SET teryt = c.teryt, gmina = c.gmina,
              pup_registered_on = (SELECT g.registered_on FROM rm_client_registration g
                                    WHERE g.client_id = p.client_id AND g.institution_id = p.pup_institution_id)
         FROM unnest($1::uuid[]) AS t(client_id) JOIN rm_client c ON c.client_id = t.client_id
        WHERE p.client_id = t.client_id""",
    """UPDATE rm_pair r SET teryt = c.teryt, gmina = c.gmina,
              plan_opened_on = (SELECT min(p.opened_on) FROM rm_plan p WHERE p.client_id = r.client_id
                                   AND p.pup_institution_id = r.pup_institution_id
                                   AND p.ops_institution_id = r.ops_institution_id)
         FROM unnest($1::uuid[]) AS t(client_id) LEFT JOIN rm_client c ON c.client_id = t.client_id
        WHERE r.client_id = t.client_id""",
    """UPDATE rm_ipzs i SET teryt = c.teryt, gmina = c.gmina
         FROM unnest($1::uuid[]) AS t(client_id) JOIN rm_client c ON c.client_id = t.client_id
        WHERE i.client_id = t.client_id AND (i.teryt, i.gmina) IS DISTINCT FROM (c.teryt, c.gmina)""",
    """UPDATE rm_conflict x SET teryt = c.teryt, gmina = c.gmina
         FROM unnest($1::uuid[]) AS t(client_id) JOIN rm_client c ON c.client_id = t.client_id
        WHERE x.client_id = t.client_id AND (x.teryt, x.gmina) IS DISTINCT FROM (c.teryt, c.gmina)""",
]


class ScopeFacts(Projection):
    """Place and PUP registration of the client on plans, pairs, IPZS and conflicts (see the module docstring)."""

    name: ClassVar[str] = "scope_facts"
    topics: ClassVar[tuple[str, ...]] = (CLIENTS, PLANS, CONFLICTS)
    handles: ClassVar[frozenset[str]] = frozenset({
        "ClientRegistered", "ClientAddressChanged", "ClientAssignedToRegion", "SharedClientIdentified",
        "PlanOpened", "IpzsSigned", "BenefitConflictDetected"})
    migrations: ClassVar[Sequence[Migration]] = packaged("services.reporting.projections.sql", "scope_facts_001")

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        touched: set[uuid.UUID] = {e.payload.client_id for e in events}  # type: ignore[attr-defined]
        for statement in _REFRESH:
            await conn.execute(statement, list(touched))

    async def reset(self, conn: Connection) -> None:
        """Nothing of its own: its columns go with the tables of the other parts."""
