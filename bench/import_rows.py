"""Import of a 50,000-row Syriusz CSV through POST /imports/syriusz, against parsing and validating the same rows.

The clients service runs as a subprocess (its peak memory is its own VmHWM); the file is generated on disk and
streamed, so neither side holds it whole. Figures: rows/s and peak memory of the first import (every row new),
of a re-import of the same file (every row unchanged), and of the parse-only baseline (read, validate, hash; no
database), measured in a subprocess of its own. Alone: `uv run python -m bench.import_rows [--rows N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.common import create_database, drop_database, progress
from bench.data import person
from libs.events.infra import Infrastructure, start_infrastructure
from services.clients.importing import compact
from services.clients.importing.csv_format import COLUMNS
from services.clients.importing.records import SourceSystem
from tests.support.people import worker

REPO = Path(__file__).resolve().parent.parent
ROWS = 50_000
ACTOR = worker("PUP-2473", "anna.nowak@pup-2473", "job_broker")  # a token of the development issuer
SYRIUSZ_COLUMNS = [c.name for c in COLUMNS[SourceSystem.SYRIUSZ]]
POMOST_COLUMNS = [c.name for c in COLUMNS[SourceSystem.POMOST]]
_EDUCATION = ["podstawowe", "gimnazjalne", "zasadnicze zawodowe", "średnie ogólnokształcące",
              "policealne i średnie zawodowe", "wyższe"]
_OCCUPATIONS = ["ślusarz", "magazynier", "sprzedawca", "kucharz", "murarz", "fryzjerka", "księgowa", "kierowca",
                "spawacz", "opiekunka", "pracownik biurowy", "elektryk", "krawcowa", "ogrodnik", "technik informatyk"]
_EMPLOYERS = ["Huta Łabędy S.A.", "PHU Kowalski s.c.", "Biedronka sp. z o.o.", "Zakład Usług Komunalnych",
              "Przedsiębiorstwo Budowlane \"Śląsk\"", "Szpital Miejski", "Restauracja Pod Lipą", None]
_REASONS = ["odmowa przyjęcia propozycji", "niepotwierdzenie gotowości", "podjęcie pracy", "na własny wniosek"]


def _day(rng: random.Random, start: date, span_days: int) -> date:
    return start + timedelta(days=rng.randrange(span_days))


def _work_history(rng: random.Random) -> str:
    entries = []
    start = _day(rng, date(2005, 1, 1), 3000)
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        end = start + timedelta(days=rng.randint(90, 1500))
        entries.append((compact.encode_period(start, end), rng.choice(_OCCUPATIONS), rng.choice(_EMPLOYERS)))
        start = end + timedelta(days=rng.randint(30, 400))
    return compact.encode(entries)


def syriusz_row(index: int, rng: random.Random, variant: int = 0) -> dict[str, str]:
    """The `index`-th person of a Syriusz export (valid PESEL, Polish names and addresses, a mix of statuses).

    `variant` changes the education of the person (a changed row, for re-import tests).
    """
    p = person(index, rng)
    a = p.address
    registered = _day(rng, date(2025, 1, 1), 600)
    row = {"id_syriusz": f"S-{index:07d}", "pesel": p.pesel, "imie": p.first_name.upper() if index % 7 == 0
           else p.first_name, "nazwisko": p.last_name, "data_urodzenia": p.birth_date.strftime("%d.%m.%Y")
           if index % 3 == 0 else p.birth_date.isoformat(), "gmina": a.gmina, "teryt": a.teryt or "",
           "kod_pocztowy": a.postal_code, "miejscowosc": a.city, "ulica": f"ul. {a.street}" if index % 4 == 0
           else a.street or "", "nr_domu": a.building or "", "nr_lokalu": a.apartment or "",
           "wyksztalcenie": _EDUCATION[(rng.randrange(len(_EDUCATION)) + variant) % len(_EDUCATION)],
           "zawod": rng.choice(_OCCUPATIONS), "historia_zatrudnienia": _work_history(rng),
           "data_rejestracji": registered.isoformat()}
    if index % 50 == 49:  # a foreigner without PESEL, identified by passport
        row.update(pesel="", rodzaj_dokumentu="paszport", nr_dokumentu=f"EC{index:07d}")
    if rng.random() < 0.15:
        row.update(status="wyrejestrowany", data_statusu=(registered + timedelta(days=rng.randint(30, 200)))
                   .isoformat(), przyczyna_wyrejestrowania=rng.choice(_REASONS), prawo_do_zasilku="N")
    else:
        benefit = rng.random() < 0.25
        row.update(status="zarejestrowany", prawo_do_zasilku="T" if benefit else "N")
        if benefit:
            row.update(zasilek_kwota="1 304,70", zasilek_od=(registered + timedelta(days=8)).strftime("%d.%m.%Y"),
                       zasilek_do=(registered + timedelta(days=188)).isoformat())
    if rng.random() < 0.1:
        start = _day(rng, date(2026, 1, 1), 200).replace(day=1)
        row["dochody"] = compact.encode([("stypendium stażowe", "1994,40", compact.encode_period(
            start, (start + timedelta(days=62)).replace(day=1) - timedelta(days=1)))])
    return row


def pomost_client(index: int, rng: random.Random) -> dict[str, Any]:
    """The `index`-th person of a POMOST export as a JSON client object (household, benefits)."""
    p = person(index, rng)
    granted = _day(rng, date(2026, 1, 1), 300)
    members = rng.randint(1, 6)
    return {"external_id": f"P-{index:07d}",
            "identity": {"pesel": p.pesel, "first_name": p.first_name, "last_name": p.last_name,
                         "birth_date": p.birth_date.isoformat()},
            "address": p.address.model_dump(mode="json", exclude_none=True),
            "registered_on": (granted - timedelta(days=20)).isoformat(),
            "education": {"level": rng.choice(_EDUCATION), "profession": rng.choice(_OCCUPATIONS)},
            "household": {"members": members, "dependants": rng.randint(0, members - 1),
                          "single_parent": members > 1 and rng.random() < 0.2},
            "benefits": [{"kind": "zasiłek okresowy", "basis": rng.choice(["bezrobocie", "ubóstwo"]),
                          "monthly_amount": f"{rng.randint(100, 720)}.00",
                          "period": {"from": granted.isoformat(), "to": (granted + timedelta(days=180)).isoformat()}}],
            "incomes": [{"source": "świadczenie z pomocy społecznej", "monthly_amount": "0.00",
                         "period": {"from": granted.isoformat()}}] if rng.random() < 0.1 else []}


def csv_lines(rows: Iterator[dict[str, str]], columns: list[str] = SYRIUSZ_COLUMNS) -> Iterator[str]:
    """The CSV text of rows, line by line (`;`-separated, quoted where needed), header first."""
    buffer = _Line()
    writer = csv.DictWriter(buffer, columns, delimiter=";", lineterminator="\n", restval="")
    writer.writeheader()
    yield buffer.take()
    for row in rows:
        writer.writerow(row)
        yield buffer.take()


class _Line:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def write_syriusz_csv(path: Path, rows: int, seed: int = 2473) -> int:
    """Generate the export on disk (never whole in memory); returns its size in bytes."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        for line in csv_lines(syriusz_row(i, rng) for i in range(rows)):
            out.write(line)
    return path.stat().st_size


def pomost_ndjson(clients: list[dict[str, Any]], institution_id: str = "MOPS-2473") -> bytes:
    header = {"source": "POMOST", "institution_id": institution_id, "exported_at": "2026-11-02T08:00:00+01:00"}
    return b"\n".join(orjson.dumps(x) for x in [header, *clients]) + b"\n"


async def file_body(path: Path, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    """The file as an upload stream (what a client sending a large export does)."""
    source = await asyncio.to_thread(path.open, "rb")
    try:
        while data := await asyncio.to_thread(source.read, chunk):
            yield data
    finally:
        source.close()


def peak_rss_kib(pid: int) -> int:
    """VmHWM: the most resident memory the process ever had (KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def parse_only(path: Path) -> dict[str, Any]:
    """Read, validate and hash every row of a Syriusz CSV without a database (the baseline)."""
    from services.clients.importing.csv_reader import CsvReader
    from services.clients.importing.records import row_hash
    from services.clients.importing.upload import file_chunks
    from services.clients.importing.validation import Rejection, validate

    async def run() -> tuple[int, int, int]:
        reader = CsvReader(file_chunks(path), SourceSystem.SYRIUSZ)
        await reader.open()
        valid = rejected = 0
        async for number, raw in reader.rows():
            checked = raw if isinstance(raw, Rejection) else validate(SourceSystem.SYRIUSZ, number, raw,
                                                                      reader.field_name)
            if isinstance(checked, Rejection):
                rejected += 1
            else:
                row_hash(checked)
                valid += 1
        return valid, rejected, reader.peak_buffered_chars

    idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    valid, rejected, buffered = asyncio.run(run())
    seconds = time.perf_counter() - started
    return {"rows": valid + rejected, "valid": valid, "rejected": rejected, "seconds": round(seconds, 3),
            "rows_per_s": round((valid + rejected) / seconds), "peak_rss_mib": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "idle_rss_mib": round(idle / 1024, 1), "peak_buffered_chars": buffered}


async def _import(http: httpx.AsyncClient, url: str, path: Path, pid: int) -> dict[str, Any]:
    started = time.perf_counter()
    answer = await http.post(f"{url}/imports/syriusz", content=file_body(path),
                             headers={**ACTOR, "Content-Type": "text/csv; charset=utf-8"})
    seconds = time.perf_counter() - started
    answer.raise_for_status()
    report = answer.json()
    counts = {k: report[k] for k in ("rows_processed", "created", "updated", "unchanged", "rejected", "events")}
    return {**counts, "seconds": round(seconds, 2), "rows_per_s": round(report["rows_processed"] / seconds),
            "service_peak_rss_mib": round(peak_rss_kib(pid) / 1024, 1)}


async def run(infra: Infrastructure, rows: int = ROWS) -> dict[str, Any]:
    """Generate the file; measure parse-only, the first import and the re-import (relay in the service process, as
    deployed by default), and the first import with the relay elsewhere; return the figures."""
    work = Path(tempfile.mkdtemp(prefix="pzw-bench-import-"))
    path = work / "syriusz.csv"
    size = write_syriusz_csv(path, rows)
    progress(f"import: {rows} rows, {size / 1e6:.1f} MB in {path}")
    child = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.import_rows", "--parse-only",
                                                 str(path), cwd=REPO, stdout=asyncio.subprocess.PIPE)
    output, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"parse-only run failed with exit code {child.returncode}")
    baseline = json.loads(output)
    progress(f"import: parse-only {baseline['rows_per_s']} rows/s")
    async with httpx.AsyncClient(timeout=httpx.Timeout(1800, connect=10)) as http:
        idle, first, again = await _service_run(infra, http, path, work, relay=True, reimport=True)
        _, alone, _ = await _service_run(infra, http, path, work, relay=False, reimport=False)
    await asyncio.to_thread(path.unlink)
    return {"benchmark": "import_rows", "rows": rows, "file_mb": round(size / 1e6, 1),
            "service_idle_rss_mib": round(idle, 1), "import": first, "reimport_unchanged": again,
            "import_without_relay": alone, "parse_only": baseline,
            "import_vs_parse_only": round(first["rows_per_s"] / baseline["rows_per_s"], 3),
            "reimport_vs_parse_only": round(again["rows_per_s"] / baseline["rows_per_s"], 3),
            "load_average": os.getloadavg()}


async def _service_run(infra: Infrastructure, http: httpx.AsyncClient, path: Path, work: Path, relay: bool,
                       reimport: bool) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """Start the clients service on a fresh database; import the file (and again); stop it."""
    from bench.end_to_end import start_service, wait_ready

    database = await create_database(infra.postgres_dsn, "bench_import")
    # max_body_bytes is raised only because the shared BodySizeLimit applies it to every route, imports included.
    # Without the relay the outbox is left for a relay process of its own (python -m libs.events.relay_process).
    service = start_service("services.clients", "CLIENTS", database, infra.kafka_bootstrap, work,
                            max_body_bytes=str(300_000_000), run_relay=str(relay).lower())
    label = "relay in process" if relay else "no relay"
    try:
        await wait_ready(http, service)
        idle = peak_rss_kib(service.process.pid) / 1024
        first = await _import(http, service.url, path, service.process.pid)
        progress(f"import ({label}): first {first['rows_per_s']} rows/s")
        again: dict[str, Any] = {}
        if reimport:
            again = await _import(http, service.url, path, service.process.pid)
            progress(f"import ({label}): re-import {again['rows_per_s']} rows/s")
    finally:
        service.stop()
        await drop_database(infra.postgres_dsn, database)
    return idle, first, again


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import_rows", description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--parse-only", type=Path, help="(internal) parse this file and print the figures")
    args = parser.parse_args()
    if args.parse_only:
        print(json.dumps(parse_only(args.parse_only)))
        return
    infra = start_infrastructure()
    try:
        print(json.dumps(asyncio.run(run(infra, args.rows)), indent=2))
    finally:
        infra.stop()


if __name__ == "__main__":
    main()
