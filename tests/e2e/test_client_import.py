"""Imports from Syriusz (PUP) and POMOST (OPS) over HTTP on real servers: shared records, idempotent re-imports,
changed rows, rejected rows, size limit, progress of a background import, a 5,000-row file in bounded memory."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import orjson
import pytest

from bench.import_rows import csv_lines, pomost_ndjson, syriusz_row
from bench.import_rows import pomost_client as bench_pomost_client
from libs.events.infra import Infrastructure
from services.clients.bootstrap import build_app
from services.clients.config import ClientsSettings
from services.clients.importing.service import CHUNK_ROWS, GROUP_ROWS
from tests.conftest import create_database
from tests.support.people import institution_of, person, supervisor, worker
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

PUP = worker("PUP-3064", "anna.nowak@pup-3064", "job_broker")
OPS = worker("MOPS-3064", "ewa.lis@mops-3064", "social_worker")
CSV = {"Content-Type": "text/csv; charset=utf-8"}
BASIS = {"code": "RODO-6-1-e", "text": "art. 6 ust. 1 lit. e RODO", "applies_from": "2025-06-01"}
# The shared BodySizeLimit middleware applies max_body_bytes to every route, imports included; until it exempts
# the import routes (see docs/import-formats.md), the test app raises it so that max_import_bytes is what counts.
LARGE = 300_000_000
# These tests read the event store (HTTP and SQL), not Kafka. Without the relay their ~30,000 events stay out of
# the session's shared pzw.clients.v1 topic, which other e2e tests read from its beginning.
QUIET = {"max_body_bytes": LARGE, "run_relay": False}


class Service:
    """The clients app on a fresh database, and a connection to that database to count events."""

    def __init__(self, http: httpx.AsyncClient, dsn: str) -> None:
        self.http = http
        self.dsn = dsn

    async def events(self) -> int:
        conn = await asyncpg.connect(self.dsn)
        try:
            return int(await conn.fetchval("SELECT count(*) FROM events"))
        finally:
            await conn.close()


@pytest.fixture(scope="module")
async def service(infra: Infrastructure) -> AsyncIterator[Service]:
    dsn = await create_database(infra.postgres_dsn, "clients")
    settings = ClientsSettings(database_url=dsn, kafka_bootstrap=infra.kafka_bootstrap, **QUIET)
    async with serving(build_app(settings)) as http:
        http.timeout = httpx.Timeout(300, connect=10)
        yield Service(http, dsn)


def syriusz(*rows: dict[str, str]) -> bytes:
    return "".join(csv_lines(iter(rows))).encode()


def row_of(who: dict[str, str], external_id: str, **cells: str) -> dict[str, str]:
    """A Syriusz row of a test person: registered, vocational education, a work history."""
    return {"id_syriusz": external_id, "pesel": who["pesel"], "imie": who["first_name"],
            "nazwisko": who["last_name"], "data_urodzenia": who["birth_date"], "gmina": "Siemianowice Śląskie",
            "teryt": "2474011", "kod_pocztowy": "41-100", "miejscowosc": "Siemianowice Śląskie",
            "ulica": "ul. Jana Pawła II", "nr_domu": "10", "wyksztalcenie": "zasadnicze zawodowe",
            "zawod": "ślusarz", "historia_zatrudnienia": "2015-03-01..2018-06-30~ślusarz~Huta Łabędy S.A.",
            "data_rejestracji": "2026-10-01", "status": "zarejestrowany", "prawo_do_zasilku": "T",
            "zasilek_kwota": "1304,70", "zasilek_od": "09.10.2026", "zasilek_do": "2027-04-08", **cells}


def pomost_client(who: dict[str, str], external_id: str, **fields: Any) -> dict[str, Any]:
    return {"external_id": external_id, "identity": who,
            "address": {"gmina": "Siemianowice Śląskie", "teryt": "2474011", "postal_code": "41-100",
                        "city": "Siemianowice Śląskie", "street": "Jana Pawła II", "building": "10"},
            "registered_on": "2026-10-15", "household": {"members": 3, "dependants": 2, "single_parent": True},
            "benefits": [{"kind": "zasiłek okresowy", "basis": "bezrobocie", "monthly_amount": "418.00",
                          "period": {"from": "2026-11-01", "to": "2027-04-30"}}], **fields}


async def imported(http: httpx.AsyncClient, source: str, body: bytes, headers: dict[str, str],
                   content_type: str = "text/csv") -> dict[str, Any]:
    answer = await http.post(f"/imports/{source}", content=body, headers={**headers, "Content-Type": content_type})
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    assert report["status"] == "completed"
    assert report["rows_processed"] == sum(report[k] for k in ("created", "updated", "unchanged", "rejected"))
    return report


async def record(http: httpx.AsyncClient, who: dict[str, str], reader: dict[str, str] = OPS) -> dict[str, Any]:
    found = await http.get("/clients", params={"pesel": who["pesel"]}, headers=reader)
    assert found.status_code == 200, found.text
    answer: dict[str, Any] = (await http.get(f"/clients/{found.json()['client_id']}", headers=reader)).json()
    return answer


async def events_of(http: httpx.AsyncClient, client_id: str, reader: dict[str, str] = OPS) -> list[dict[str, Any]]:
    answer: list[dict[str, Any]] = (await http.get(f"/clients/{client_id}/events", headers=reader)).json()
    return answer


async def test_syriusz_csv_and_pomost_json_make_shared_records_and_reimport_changes_nothing(
        service: Service) -> None:
    http = service.http
    agreement = await http.post("/agreements", headers=supervisor(institution_of(PUP)), json={
        "pup_institution_id": "PUP-3064", "ops_institution_id": "MOPS-3064", "valid": {"from": "2026-01-01"},
        "legal_basis": BASIS})
    assert agreement.status_code == 201, agreement.text
    jan, ewa, olga = person("Jan", "Kowalski"), person("Ewa", "Lis", male=False), person("Olga", "Nowak", male=False)
    csv_body = syriusz(row_of(jan, "S-1"), row_of(ewa, "S-2", status="wyrejestrowany", data_statusu="2026-10-20",
                                                  przyczyna_wyrejestrowania="odmowa przyjęcia propozycji",
                                                  prawo_do_zasilku="N", zasilek_kwota="", zasilek_od="",
                                                  zasilek_do=""))
    first = await imported(http, "syriusz", csv_body, PUP)
    assert (first["created"], first["shared"], first["rejected"]) == (2, 0, 0)

    document = {"source": "POMOST", "institution_id": "MOPS-3064", "exported_at": "2026-11-02T08:00:00+01:00",
                "clients": [pomost_client(jan, "P-1"), pomost_client(ewa, "P-2"), pomost_client(olga, "P-3")]}
    pomost = await imported(http, "pomost", orjson.dumps(document), OPS, "application/json")
    assert (pomost["created"], pomost["shared"], pomost["updated"]) == (3, 2, 0)

    shared = await record(http, jan)
    assert sorted(r["institution_id"] for r in shared["registrations"]) == ["MOPS-3064", "PUP-3064"]
    assert [s["basis"] for s in shared["sharing"]] == ["legal_basis"]
    assert shared["identity"]["first_name"] == "Jan"
    assert shared["address"]["street"] == "Jana Pawła II"  # "ul." dropped by the normaliser
    assert shared["profile"]["education"]["level"] == "vocational"
    assert shared["profile"]["household"] == {"members": 3, "dependants": 2, "single_parent": True, "notes": None}
    assert [u["status"] for u in shared["unemployment"]] == ["registered"]
    assert sorted((b["institution_id"], b["kind"]) for b in shared["benefits"]) == [
        ("MOPS-3064", "zasiłek okresowy"), ("PUP-3064", "zasiłek dla bezrobotnych")]
    history = await events_of(http, shared["client_id"])
    imports = [e for e in history if e["type"] == "ClientDataImported"]
    assert [(e["data"]["source"], e["data"]["external_id"]) for e in imports] == [("SYRIUSZ", "S-1"),
                                                                                 ("POMOST", "P-1")]
    assert history[0]["type"] == "ClientDataImported"  # the events a row caused follow it
    assert {e["actor"]["institution"] for e in history} == {"PUP-3064", "MOPS-3064"}
    deregistered = await record(http, ewa)
    assert deregistered["unemployment"][0]["reason"] == "refused_offer"

    before = await service.events()
    again = await imported(http, "syriusz", csv_body, PUP)
    assert (again["unchanged"], again["events"]) == (2, 0)
    again = await imported(http, "pomost", orjson.dumps(document), OPS, "application/json")
    assert (again["unchanged"], again["events"]) == (3, 0)
    assert await service.events() == before


async def test_a_changed_row_applies_only_the_changed_facts(service: Service) -> None:
    http = service.http
    adam, zofia = person("Adam", "Wójcik"), person("Zofia", "Mazur", male=False)
    await imported(http, "syriusz", syriusz(row_of(adam, "S-10"), row_of(zofia, "S-11")), PUP)
    client_id = (await record(http, adam, PUP))["client_id"]
    seen = len(await events_of(http, client_id, PUP))

    changed = syriusz(row_of(adam, "S-10", wyksztalcenie="wyższe", status="wyrejestrowany",
                             data_statusu="2026-11-20", przyczyna_wyrejestrowania="podjęcie pracy"),
                      row_of(zofia, "S-11"))
    report = await imported(http, "syriusz", changed, PUP)
    assert (report["updated"], report["unchanged"], report["created"]) == (1, 1, 0)
    new = (await events_of(http, client_id, PUP))[seen:]
    assert [e["type"] for e in new] == ["ClientDataImported", "ClientProfileUpdated", "UnemploymentStatusChanged"]
    profile = new[1]["data"]
    assert profile["education"]["level"] == "higher"
    assert profile["work_history"] is None  # unchanged in Syriusz: not repeated
    assert (new[2]["data"]["status"], new[2]["data"]["reason"]) == ("deregistered", "took_work")
    assert new[0]["data"]["batch_id"] == report["batch_id"]
    assert {e["data"]["client_id"] for e in new} == {client_id}

    # a correction made on the platform survives the next Syriusz export, which did not change the education
    etag = (await http.get(f"/clients/{client_id}", headers=PUP)).headers["ETag"]
    fixed = await http.patch(f"/clients/{client_id}/profile", headers={**PUP, "If-Match": etag},
                             json={"education": {"level": "general_secondary"}})
    assert fixed.status_code == 200, fixed.text
    later = syriusz(row_of(adam, "S-10", wyksztalcenie="wyższe", status="wyrejestrowany", data_statusu="2026-11-20",
                           przyczyna_wyrejestrowania="podjęcie pracy", nr_lokalu="4"), row_of(zofia, "S-11"))
    report = await imported(http, "syriusz", later, PUP)
    assert report["updated"] == 1
    adam_now = await record(http, adam, PUP)
    assert adam_now["profile"]["education"]["level"] == "general_secondary"
    assert adam_now["address"]["apartment"] == "4"


async def test_rejected_rows_are_reported_with_row_and_field(service: Service) -> None:
    http = service.http
    good, bad = person("Piotr", "Zając"), person("Anna", "Kamińska", male=False)
    body = syriusz(row_of(good, "S-20"), row_of(bad, "S-21", pesel="44051401358"),
                   row_of(bad, "S-22", kod_pocztowy="41 100 X"), row_of(bad, "S-23", data_rejestracji="31.02.2026"),
                   row_of(bad, "S-24", historia_zatrudnienia="2015-03-01~ślusarz"),
                   row_of(bad, "S-25", status="wyrejestrowany", zasilek_kwota="", zasilek_od="", zasilek_do=""))
    body += b"S-26;too;few;cells\n"
    report = await imported(http, "syriusz", body, PUP)
    assert (report["created"], report["rejected"]) == (1, 6)
    rejected = {r["row_number"]: r for r in report["rejected_rows"]}
    assert {n: r["field"] for n, r in rejected.items()} == {
        2: "pesel", 3: "kod_pocztowy", 4: "data_rejestracji", 5: "historia_zatrudnienia",
        6: "przyczyna_wyrejestrowania", 7: "row"}
    assert "checksum" in rejected[2]["reason"]
    assert rejected[2]["external_id"] == "S-21"
    assert "FROM..TO" in rejected[5]["reason"]
    stored = (await http.get(f"/imports/{report['batch_id']}", headers=PUP)).json()
    assert stored["rejected_rows"] == report["rejected_rows"]
    assert (await http.get(f"/imports/{report['batch_id']}", headers=OPS)).status_code == 403

    lines = pomost_ndjson([pomost_client(bad, "P-20"), pomost_client(good, "P-21", household={"members": 0})],
                          "MOPS-3064")
    lines += b'{"identity": \n'
    report = await imported(http, "pomost", lines, OPS, "application/x-ndjson")
    assert (report["created"], report["rejected"]) == (1, 2)
    assert [(r["row_number"], r["field"]) for r in report["rejected_rows"]] == [(2, "household.members"),
                                                                                (3, "row")]


async def test_malformed_bodies_and_wrong_institutions_are_refused(service: Service) -> None:
    http = service.http
    header_only = b"id_syriusz;pesel;imie;nazwsko;gmina;kod_pocztowy;miejscowosc\n"
    answer = await http.post("/imports/syriusz", content=header_only, headers={**PUP, **CSV})
    assert answer.status_code == 422
    assert answer.json()["field"] == "header"
    assert "unknown columns ['nazwsko']" in answer.json()["detail"]
    assert "missing columns ['nazwisko']" in answer.json()["detail"]

    answer = await http.post("/imports/pomost", content=b"[1, 2]",
                             headers={**OPS, "Content-Type": "application/json"})
    assert (answer.status_code, answer.json()["field"]) == (422, "body")
    whole = orjson.dumps(pomost_client(person("Iga", "Sowa", male=False), "P-30"))
    broken = b'{"source": "POMOST", "clients": [' + whole + b', {"identity": {"pesel": "440'
    answer = await http.post("/imports/pomost", content=broken, headers={**OPS, "Content-Type": "application/json"})
    assert answer.status_code == 422
    assert "not valid JSON" in answer.json()["detail"]
    report = (await http.get(f"/imports/{answer.json()['batch_id']}", headers=OPS)).json()
    assert (report["status"], report["created"]) == ("failed", 1)  # the row before the break is applied
    assert "not valid JSON" in report["error"]
    answer = await http.post("/imports/pomost", content=b'{"source": "SYRIUSZ", "clients": []}',
                             headers={**OPS, "Content-Type": "application/json"})
    assert (answer.status_code, answer.json()["field"]) == (422, "source")

    assert (await http.post("/imports/syriusz", content=b"x", headers={**OPS, **CSV})).status_code == 403
    assert (await http.post("/imports/pomost", content=b"x", headers={**PUP, **CSV})).status_code == 403
    other = b'{"source": "POMOST", "institution_id": "MOPS-1261", "clients": []}'
    answer = await http.post("/imports/pomost", content=other, headers={**OPS, "Content-Type": "application/json"})
    assert answer.status_code == 403
    answer = await http.post("/imports/syriusz", content=b"x", headers={**PUP, "Content-Type": "text/plain"})
    assert answer.status_code == 415
    assert (await http.post("/imports/ewus", content=b"x", headers={**PUP, **CSV})).status_code == 422


async def test_bodies_above_max_import_bytes_get_413(infra: Infrastructure) -> None:
    settings = ClientsSettings(database_url=await create_database(infra.postgres_dsn, "clients"),
                               kafka_bootstrap=infra.kafka_bootstrap, max_import_bytes=20_000, **QUIET)
    rng = random.Random(7)
    body = syriusz(*(syriusz_row(i, rng) for i in range(100)))
    assert len(body) > 20_000
    async with serving(build_app(settings)) as http:
        declared = await http.post("/imports/syriusz", content=body, headers={**PUP, **CSV})
        assert declared.status_code == 413
        assert declared.json()["field"] == "body"

        async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
            for start in range(0, len(body), 4096):
                yield body[start:start + 4096]

        chunked = await http.post("/imports/syriusz", content=streamed(), headers={**PUP, **CSV})
        assert chunked.status_code == 413
        small = await http.post("/imports/syriusz", content=body[:15_000].rsplit(b"\n", 1)[0] + b"\n",
                                headers={**PUP, **CSV})
        assert small.status_code == 200, small.text


def generated(rows: int, first: int) -> Iterator[bytes]:
    """A Syriusz export of the people `first`.. generated line by line (the test never holds it whole)."""
    rng = random.Random(first)
    batch: list[str] = []
    for line in csv_lines(syriusz_row(i, rng) for i in range(first, first + rows)):
        batch.append(line)
        if len(batch) == 200:
            yield "".join(batch).encode()
            batch = []
    yield "".join(batch).encode()


async def upload(rows: int, first: int) -> AsyncIterator[bytes]:
    for chunk in generated(rows, first):
        yield chunk


async def test_background_import_shows_progress(service: Service) -> None:
    http = service.http
    answer = await http.post("/imports/syriusz", params={"async": "true"}, content=upload(1500, first=100_000),
                             headers={**PUP, **CSV})
    assert answer.status_code == 202, answer.text
    batch_id = answer.json()["batch_id"]
    assert answer.headers["Location"] == f"/imports/{batch_id}"
    seen: list[tuple[str, int]] = []

    async def finished() -> dict[str, Any] | None:
        report: dict[str, Any] = (await http.get(f"/imports/{batch_id}", headers=PUP)).json()
        seen.append((report["status"], report["rows_processed"]))
        return report if report["status"] != "running" else None

    report = await eventually(finished, within=240, interval=0.05)
    assert (report["status"], report["created"], report["rows_processed"]) == ("completed", 1500, 1500)
    assert any(status == "running" and 0 < done < 1500 for status, done in seen), seen


async def test_5000_rows_in_bounded_memory(service: Service) -> None:
    http = service.http
    size = sum(len(chunk) for chunk in generated(5000, first=200_000))
    report = await imported_stream(http, upload(5000, first=200_000))
    assert (report["created"], report["rejected"], report["rows_processed"]) == (5000, 0, 5000)
    assert report["bytes_received"] == size
    # Bounded by the queues, not by the file: per worker (8 with the default pool) two groups queued and one being
    # written, plus the chunk being validated. The reader holds one chunk of the body plus an unfinished line.
    assert report["peak_rows_in_memory"] <= 8 * 3 * GROUP_ROWS + CHUNK_ROWS
    assert report["peak_buffer_chars"] < size / 4
    again = await imported_stream(http, upload(5000, first=200_000))
    assert (again["unchanged"], again["events"]) == (5000, 0)


async def imported_stream(http: httpx.AsyncClient, body: AsyncIterator[bytes]) -> dict[str, Any]:
    answer = await http.post("/imports/syriusz", content=body, headers={**PUP, **CSV})
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    return report


async def test_concurrent_imports_of_the_same_people_make_one_record_each(service: Service) -> None:
    """A PUP and an OPS import the same 300 people at the same moment: each person ends with one record."""
    http = service.http
    people = range(400_000, 400_300)
    rng = random.Random(9)
    csv_body = "".join(csv_lines(syriusz_row(i, rng) for i in people)).encode()
    ndjson_body = pomost_ndjson([bench_pomost_client(i, rng) for i in people], "MOPS-3064")
    pup, ops = await asyncio.gather(imported(http, "syriusz", csv_body, PUP),
                                    imported(http, "pomost", ndjson_body, OPS, "application/x-ndjson"))
    assert (pup["created"], ops["created"], pup["rejected"], ops["rejected"]) == (300, 300, 0, 0)
    # Whichever came second joined the first one's record; the generator identifies every 50th person by passport
    # in Syriusz and by PESEL in POMOST: two identities, two records (decision 0006).
    assert pup["shared"] + ops["shared"] == sum(1 for i in people if i % 50 != 49)
