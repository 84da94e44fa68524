"""Indicator query latency over a large data set: GET /indicators (every indicator) through the reporting service.

The read-model tables of the reporting service (created by its own migrations) are filled set-based in SQL with a
national-scale history: N joint plans of N clients of 304 counties (each with its PUP, OPS and CIS), five steps per
plan, conflicts for 15 % of the clients (R2 with real evidence steps, some cancelled), IPZS for 20 %. Requests then
go over HTTP to the real app (uvicorn in the same process, projections off) with a random scope each: one PUP, OPS
or CIS, a voivodeship or county (TERYT), or the whole country, and a period of a quarter, a year or two years. The
baseline is a bare `count(*)` of the cohort of the same scope (the cheapest query that touches it), in the same run.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import date

import asyncpg
import httpx
import uvicorn

from bench.common import Row, Settings, create_database, drop_database, median, percentile, progress
from libs.events.infra.ports import free_port
from services.reporting.bootstrap import build_app
from services.reporting.config import ReportingSettings
from tests.support.identity import development_issuer

TARGET_MS = 200.0
AS_OF = date(2026, 11, 15)
COUNTIES = [f"{2 * v:02d}{k:02d}" for v in range(1, 17) for k in range(1, 20)]  # 16 voivodeships x 19 counties
FORMS = ["employment", "subsidised_employment", "training", "intervention_works", "public_works",
         "socially_useful_works", "internship", "own_business", "social_cooperative"]

_FILL = """
SELECT setseed(0.42);
CREATE TEMP TABLE g AS
SELECT n, gen_random_uuid() AS client_id, gen_random_uuid() AS plan_id, c AS county,
       date '2023-01-01' + (random() * 1380)::int AS registered_on, random() AS r
  FROM generate_series(1, $1) AS n, LATERAL (SELECT ($2::text[])[1 + (n % array_length($2::text[], 1))] AS c) x;
INSERT INTO rm_client SELECT client_id, 'Jan', 'Kowalski' || (n % 1000), 1960 + n % 45, 'Gmina ' || county,
       county || '011', '41-100', now() FROM g;
INSERT INTO rm_client_registration SELECT client_id, 'PUP-' || county, 'PUP', registered_on FROM g
 UNION ALL SELECT client_id, 'MOPS-' || county || '01', 'OPS', registered_on FROM g;
INSERT INTO rm_pair (client_id, pup_institution_id, ops_institution_id, job_broker, social_worker, shared,
                     sharing_active, identified_on, stopped_on, teryt, gmina, plan_opened_on, updated_at)
SELECT client_id, 'PUP-' || county, 'MOPS-' || county || '01', 'broker' || n % 6, 'social' || n % 6, true,
       r > 0.05, registered_on + 3, CASE WHEN r <= 0.05 THEN registered_on + 200 END, county || '011',
       'Gmina ' || county, CASE WHEN r < 0.9 OR r > 0.95 THEN registered_on + 5 + (r * 30)::int END, now() FROM g;
INSERT INTO rm_plan (plan_id, client_id, pup_institution_id, job_broker, ops_institution_id, social_worker,
                     teryt, gmina, pup_registered_on,
                     opened_on, closed_on, outcome, first_step_on, act_employment, act_internship, act_training,
                     act_public_works, act_socially_useful_works, act_subsidised_employment, updated_at)
SELECT plan_id, client_id, 'PUP-' || county, 'broker' || n % 6, 'MOPS-' || county || '01', 'social' || n % 6,
       county || '011', 'Gmina ' || county, registered_on,
       registered_on + 5 + (r * 30)::int, CASE WHEN r > 0.5 THEN registered_on + 200 END,
       CASE WHEN r > 0.5 THEN 'employment' END, registered_on + 20 + (r * 40)::int,
       CASE WHEN r > 0.5 THEN registered_on + 200 END, CASE WHEN r BETWEEN 0.2 AND 0.4 THEN registered_on + 60 END,
       CASE WHEN r BETWEEN 0.3 AND 0.45 THEN registered_on + 90 END,
       CASE WHEN r BETWEEN 0.6 AND 0.65 THEN registered_on + 120 END,
       CASE WHEN r BETWEEN 0.65 AND 0.7 THEN registered_on + 150 END,
       CASE WHEN r BETWEEN 0.7 AND 0.72 THEN registered_on + 250 END, now()
  FROM g WHERE r < 0.9 OR r > 0.95;
INSERT INTO rm_plan_step (step_id, plan_id, client_id, owner_institution_id, owner_kind, worker, instrument, category,
                          social_preparation, title, planned_from, planned_to, status, cancelled_at, added_event_id,
                          added_at, updated_at)
SELECT gen_random_uuid(), p.plan_id, p.client_id, p.pup_institution_id, 'PUP', p.job_broker,
       (ARRAY['training', 'internship', 'job_offer', 'public_works', 'social_work'])[k], 'vocational', false,
       'krok ' || k, p.opened_on + 10 * k, p.opened_on + 10 * k + 30,
       (ARRAY['added', 'scheduled', 'completed', 'failed', 'cancelled'])[1 + (k + length(p.job_broker)) % 5],
       CASE WHEN (k + length(p.job_broker)) % 5 = 4 THEN p.opened_on + 40 END, gen_random_uuid(), now(), now()
  FROM rm_plan p, generate_series(1, 5) AS k;
INSERT INTO rm_conflict (conflict_id, client_id, teryt, gmina, rule_id, rule_version, severity, period_from,
                         institutions, evidence_event_ids, detected_at, detected_on, resolution, updated_at)
SELECT gen_random_uuid(), p.client_id, p.teryt, p.gmina,
       (ARRAY['R1', 'R2', 'R2', 'R3', 'R4', 'R6'])[1 + abs(hashtext(p.plan_id::text)) % 6], 1, 'high',
       p.opened_on + 35, ARRAY[p.pup_institution_id, p.ops_institution_id],
       ARRAY(SELECT s.added_event_id FROM rm_plan_step s WHERE s.plan_id = p.plan_id ORDER BY s.title LIMIT 2),
       (p.opened_on + 35)::timestamptz, p.opened_on + 35,
       (ARRAY['confirmed', 'dismissed', NULL])[1 + abs(hashtext(p.client_id::text)) % 3], now()
  FROM rm_plan p WHERE abs(hashtext(p.plan_id::text)) % 100 < 15;
INSERT INTO rm_ipzs (ipzs_id, plan_id, client_id, teryt, gmina, cis_institution_id, worker, main_goal, started_on,
                     term_from, term_to, ended_on, end_reason, updated_at)
SELECT gen_random_uuid(), p.plan_id, p.client_id, p.teryt, p.gmina,
       'CIS-' || substr(p.pup_institution_id, 5) || '01', 'cis1', 'open_market_employment', p.opened_on + 30,
       p.opened_on + 120, p.opened_on + 150, p.opened_on + 150,
       (ARRAY['employment', 'end_of_period', 'own_business'])[1 + abs(hashtext(p.plan_id::text)) % 3], now()
  FROM rm_plan p WHERE abs(hashtext(p.client_id::text)) % 100 < 20;
"""


# Who asks, and how often: institutions ask about themselves, ROPS about voivodeships and counties, the ministry
# about the country (weights of the request mix).
MIX = [("PUP", 40), ("OPS", 35), ("CIS", 10), ("county", 5), ("voivodeship", 8), ("country", 2)]


def scope(rng: random.Random) -> tuple[str, dict[str, str]]:
    """A random request of the mix: who, and a period of a quarter, a year or two years."""
    kind = rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
    county = rng.choice(COUNTIES)
    where = {"PUP": {"institution_id": f"PUP-{county}"}, "OPS": {"institution_id": f"MOPS-{county}01"},
             "CIS": {"institution_id": f"CIS-{county}01"}, "county": {"teryt": county},
             "voivodeship": {"teryt": county[:2]}, "country": {}}[kind]
    months = rng.choice([3, 12, 24])
    end = date(2026, rng.randint(1, 10), 28)
    start = date(end.year - months // 12, end.month, 1) if months >= 12 else date(end.year, max(1, end.month - 2), 1)
    return kind, {**where, "from": start.isoformat(), "to": end.isoformat(), "as_of": AS_OF.isoformat()}


async def cohort_count(pool: asyncpg.Pool, params: dict[str, str]) -> None:
    """The baseline: count the plans of the scope's cohort (what any indicator must at least touch)."""
    start, end = date.fromisoformat(params["from"]), date.fromisoformat(params["to"])
    await pool.fetchval(
        """SELECT count(*) FROM rm_plan p WHERE p.opened_on BETWEEN $1 AND $2
             AND ($3::text IS NULL OR p.pup_institution_id = $3 OR p.ops_institution_id = $3)
             AND ($4::text IS NULL OR p.teryt LIKE $4 || '%')""",
        start, end, params.get("institution_id"), params.get("teryt"))


async def measure(client: httpx.AsyncClient, pool: asyncpg.Pool, requests: int, seed: int
                  ) -> tuple[list[tuple[str, float]], list[float]]:
    """(who, latency ms) of GET /indicators, and the baseline's latencies, for the same random scopes."""
    rng = random.Random(seed)
    latencies, baseline = [], []
    for kind, params in (scope(rng) for _ in range(requests)):
        started = time.perf_counter()
        answer = await client.get("/indicators", params=params)
        latencies.append((kind, (time.perf_counter() - started) * 1000))
        if answer.status_code != 200:
            raise RuntimeError(f"GET /indicators {params}: {answer.status_code} {answer.text[:300]}")
        started = time.perf_counter()
        await cohort_count(pool, params)
        baseline.append((time.perf_counter() - started) * 1000)
    return latencies, baseline


async def run(admin_dsn: str, bootstrap: str, settings: Settings) -> list[Row]:
    """p95 latency of the indicators endpoint over a large data set, against the bare cohort count."""
    plans = settings.scaled(500_000, 20_000)
    requests = settings.scaled(300, 60)
    dsn = await create_database(admin_dsn, "bench_indicators")
    issuer = development_issuer()  # started first: the app verifies its tokens (PZW_OIDC_ISSUER)
    # An administrator may ask for any scope (an institution, a county, a voivodeship, the country).
    token = issuer.token("PLATFORM", "bench.administrator", "administrator")
    app = build_app(ReportingSettings(database_url=dsn, kafka_bootstrap=bootstrap, run_projections=False))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        started = time.perf_counter()
        await pool.execute(_FILL.replace("$1", str(int(plans))).replace(
            "$2::text[]", "ARRAY[" + ",".join(f"'{c}'" for c in COUNTIES) + "]"))
        await pool.execute("VACUUM ANALYZE")  # what autovacuum does to a read model between its bursts of writes
        rows = await pool.fetchval("SELECT count(*) FROM rm_plan_step")
        progress(f"indicators: {plans:,} clients, {rows:,} steps generated in {time.perf_counter() - started:.0f}s")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30,
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            await measure(client, pool, 20, seed=1)  # warm-up: plans cached, pages in memory
            p95s, medians, base95, by_kind = [], [], [], {}
            for round_ in range(settings.rounds):
                latencies, baseline = await measure(client, pool, requests, seed=100 + round_)
                p95s.append(percentile([ms for _, ms in latencies], 95))
                medians.append(percentile([ms for _, ms in latencies], 50))
                base95.append(percentile(baseline, 95))
                for kind, ms in latencies:
                    by_kind.setdefault(kind, []).append(ms)
                progress(f"indicators round: p50 {medians[-1]:.0f} ms, p95 {p95s[-1]:.0f} ms "
                         f"(cohort count p95 {base95[-1]:.0f} ms)")
    finally:
        server.should_exit = True
        await task
        await pool.close()
        await drop_database(admin_dsn, dsn)
    figure = median(p95s)
    details = {"clients": plans, "steps": rows, "requests_per_round": requests, "p50_ms": medians,
               "indicators_per_request": 8, "mix_weights": dict(MIX), "periods": "3, 12 or 24 months",
               "p95_ms_by_scope": {k: percentile(v, 95) for k, v in by_kind.items()},
               "requests_by_scope": {k: len(v) for k, v in by_kind.items()}}
    rows_out = [Row(f"indicators: GET /indicators p95 over {plans:,} plans (request mix)", figure, median(base95),
                    "ms", "bare count(*) of the scope's cohort, p95", f"< {TARGET_MS:.0f} ms", figure < TARGET_MS,
                    p95s, base95, details)]
    country = by_kind.get("country", [])
    if country:
        rows_out.append(Row(f"indicators: GET /indicators p95, whole country ({len(country)} requests)",
                            percentile(country, 95), None, "ms", "", "(report)", None, country))
    return rows_out
