"""Staff view: 20 staff clients on a database of 100,000 complaints, over real HTTP.

The database is seeded with bulk Core inserts (not the case lifecycle one by one) in a
realistic mix, then the real `complaints serve` process serves it. 20 signed-in staff
clients (real logins through the form) load the dashboard, the filtered case list and
case pages, each at once after the last answer, for a fixed time.

The mix, per 100 complaints: 80 complaints, 12 feedback, 8 compliments; received evenly
over the last two years; of complaints older than 60 days 85% closed with an outcome, 5%
withdrawn, 10% still open; newer ones open 30%, acknowledged 35%, answered 20%, waiting for
the complainant 5%, informal 10%. 10% reached stage 2 and 2% stage 3 (with a record for
each stage). Languages en 85%, cy 5%, pl 4%, ar 3%, ur 3%; 15% have adjustments; 2% are
about a named member of staff (hidden from them), 5% about a role.

Figures: p95 of the staff pages per kind (target <= 50 ms with `--think 2`); baseline: p95
of /health under the same 20 clients in the same run, and the ratio. With `--think`, a
flat-out phase follows (pages/s in one process, target >= 150). Then the admin's report for
the last 365 days (target <= 1 s) while another client polls /health (near its baseline when
the report keeps off the event loop). Pages are measured after the scheduler's first round
(its catch-up on the seed's overdue stages, reported in seconds).

    python bench/staff.py [--complaints 100000] [--clients 20] [--seconds 20] [--think 2]
    python bench/staff.py --processes 2 --database-url postgresql+asyncpg://...  # scaling
    python bench/staff.py --data /tmp/staff  # diagnosis: seed once, reuse the database
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from common import Figure, arguments, percentile, report
from footprint import WITHOUT_SCHEDULER, ServeProcess
from sqlalchemy import func, insert, select

from procedures.deadlines import stage_deadlines
from storage.db import create_engine, is_sqlite, migrate
from storage.models import Complaint, Person, ReferenceCounter, SchedulerMark, StageRecord
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from storage.staff import StaffDirectory, procedure_roles

PASSWORD = "correct horse battery staple"
STAFF = 20
CHUNK = 5000
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
LANGUAGES = [("en", 85), ("cy", 5), ("pl", 4), ("ar", 3), ("ur", 3)]


def weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


async def prepare_database(data: Path, database_url: str) -> Storage:
    settings = Settings(data_dir=data, secret_key="bench-secret-key", database_url=database_url)
    if not is_sqlite(settings.database):
        from intake import reset_postgres

        await reset_postgres(settings.database)
    await migrate(settings.database)
    return await open_storage(settings, run_migrations=False)


async def create_staff(storage: Storage, count: int = STAFF) -> list[int]:
    """Staff accounts staff0@example.org...; the first is an admin, the rest handlers."""
    directory = StaffDirectory(storage.sessions, storage.procedure)
    roles = [r for r in procedure_roles(storage.procedure) if r != "admin"] or ["admin"]
    ids = []
    now = datetime.now(UTC)
    for n in range(count):
        chosen = ["admin"] if n == 0 else [roles[n % len(roles)]]
        view = await directory.add(f"staff{n}@example.org", f"Staff {n}", PASSWORD, chosen, now=now)
        ids.append(view.id)
    return ids


async def seed(storage: Storage, complaints: int, seed_value: int = 1) -> int:
    """Bulk-insert people, complaints and their stage records in the documented mix."""
    rng = random.Random(seed_value)
    procedure, calendar = storage.procedure, storage.calendar
    today = datetime.now(UTC).date()
    deadlines: dict[tuple[int, date], Any] = {}
    stage_numbers = [s.number for s in procedure.stages]
    categories = [c.id for c in procedure.categories] or [None]
    roles = [r for r in procedure_roles(procedure) if r != "admin"]
    async with storage.sessions() as session:
        first_id = int(await session.scalar(select(func.max(Complaint.id))) or 0) + 1
        first_person = int(await session.scalar(select(func.max(Person.id))) or 0) + 1
    counters: dict[int, int] = defaultdict(int)
    for start in range(0, complaints, CHUNK):
        people, rows, stages = [], [], []
        for n in range(start, min(complaints, start + CHUNK)):
            cid, pid = first_id + n, first_person + n
            created = datetime.now(UTC) - timedelta(days=rng.uniform(0, 730))
            received = created.date()
            counters[received.year] += 1
            reference = f"C-{received.year}-{counters[received.year]:05d}"
            adjustments = ["large_print"] if rng.random() < 0.15 else []
            people.append(
                {
                    "id": pid,
                    "name": f"Person {n}",
                    "language": weighted(rng, LANGUAGES),
                    "adjustments": adjustments,
                    "contact_method": "chat",
                    "created_at": created,
                }
            )
            kind = weighted(rng, [("complaint", 80), ("feedback", 12), ("compliment", 8)])
            old = (today - received).days > 60
            stage = 1
            if kind != "complaint":
                status = "closed"
            elif old:
                status = weighted(rng, [("closed", 85), ("withdrawn", 5), ("open", 10)])
            else:
                status = weighted(
                    rng,
                    [
                        ("open", 30),
                        ("acknowledged", 35),
                        ("responded", 20),
                        ("awaiting_complainant", 5),
                        ("informal", 10),
                    ],
                )
            if kind == "complaint" and status != "informal":
                stage = weighted(rng, [(1, 88), (2, 10), (3, 2)])
                stage = min(stage, max(stage_numbers))
            about = rng.random()
            rows.append(
                {
                    "id": cid,
                    "reference": reference,
                    "person_id": pid,
                    "procedure_key": procedure.key,
                    "kind": kind,
                    "formal": status != "informal",
                    "category": rng.choice(categories),
                    "about_role": rng.choice(roles) if roles and about < 0.05 else None,
                    "subject_staff_id": rng.randint(2, STAFF) if 0.05 <= about < 0.07 else None,
                    "description": f"Complaint {n}: the service was not what was promised. " * 3,
                    "desired_outcome": "An apology.",
                    "received_via": rng.choice(["telegram", "webchat", "email", "phone"]),
                    "status": status,
                    "current_stage": 0 if status == "informal" else stage,
                    "created_at": created,
                    "closed_at": created + timedelta(days=20) if status == "closed" else None,
                }
            )
            numbers = [0] if status == "informal" else list(range(1, stage + 1))
            for number in numbers:
                rule = procedure.stage(max(number, 1))
                key = (max(number, 1), received)
                if key not in deadlines:
                    deadlines[key] = stage_deadlines(procedure, key[0], received, calendar)
                due = deadlines[key]
                finished = number < stage or status in ("closed", "responded", "withdrawn")
                acked = finished or status in ("acknowledged", "awaiting_complainant")
                stages.append(
                    {
                        "complaint_id": cid,
                        "number": number,
                        "name": "Informal resolution" if number == 0 else rule.name,
                        "handler_role": rule.handler.role,
                        "handler_label": rule.handler.role.replace("_", " ").title(),
                        "received_on": received,
                        "acknowledge_by": None if number == 0 else due.acknowledge_by,
                        "acknowledged_at": created + timedelta(days=1) if acked else None,
                        "respond_by": None if number == 0 else due.respond_by,
                        "responded_at": created + timedelta(days=15) if finished else None,
                        "escalate_by": None,
                        "outcome": "upheld" if finished and rng.random() < 0.4 else None,
                    }
                )
        async with storage.sessions() as session, session.begin():
            await session.execute(insert(Person), people)
            await session.execute(insert(Complaint), rows)
            await session.execute(insert(StageRecord), stages)
    async with storage.sessions() as session, session.begin():
        for year, last in counters.items():
            await session.merge(ReferenceCounter(year=year, last=last))
    return complaints


@asynccontextmanager
async def staff_session(serve: ServeProcess, n: int = 0) -> AsyncIterator[aiohttp.ClientSession]:
    """A browser signed in as staff{n} through the login form of `serve`."""
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        async with session.get(f"{serve.url}/staff/login") as page:
            found = CSRF.search(await page.text())
            assert found, "no form token on the login page"
        form = {"email": f"staff{n}@example.org", "password": PASSWORD, "code": ""}
        form["csrf"] = found.group(1)
        async with session.post(f"{serve.url}/staff/login", data=form) as response:
            assert response.status == 200 and "/login" not in str(response.url), response.status
        yield session
    finally:
        await session.close()


async def client(
    serve: ServeProcess,
    session: aiohttp.ClientSession,
    until: float,
    complaints: int,
    timings: dict[str, list[float]],
    rng: random.Random,
    think: float = 0.0,
) -> None:
    filters = [
        "status=open",
        "status=acknowledged&stage=1",
        "overdue=yes",
        "language=cy",
        "adjustments=yes",
        "stage=2",
        "q=promised",
    ]
    if think:
        await asyncio.sleep(rng.uniform(0, think))  # staff do not all click at once
    while time.monotonic() < until:
        kind = rng.choice(("dashboard", "list", "case", "case"))
        if kind == "dashboard":
            path = "/staff/"
        elif kind == "list":
            path = f"/staff/cases?{rng.choice(filters)}&page={rng.randint(1, 3)}"
        else:
            path = f"/staff/cases/{rng.randint(1, complaints)}"
        started = time.perf_counter()
        async with session.get(serve.url + path) as response:
            await response.read()
            # 404: a case about this member of staff, hidden from them (as it should be).
            assert response.status in (200, 404), (path, response.status)
        timings[kind].append(time.perf_counter() - started)
        if think:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think)


async def load(
    serves: list[ServeProcess],
    clients: int,
    seconds: float,
    complaints: int,
    timings: dict[str, list[float]],
    rng: random.Random,
    think: float = 0.0,
) -> None:
    """`clients` signed-in staff spread over `serves`, each clicking `think` s (on average)
    after the last answer, or as fast as answered when 0."""
    async with AsyncExitStack() as stack:
        signed_in = [
            (
                serves[n % len(serves)],
                await stack.enter_async_context(staff_session(serves[n % len(serves)], n)),
            )
            for n in range(clients)
        ]
        until = time.monotonic() + seconds
        await asyncio.gather(
            *(
                client(serve, s, until, complaints, timings, random.Random(rng.random()), think)
                for serve, s in signed_in
            )
        )


async def health(serve: ServeProcess, until: float, timings: list[float]) -> None:
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < until:
            started = time.perf_counter()
            async with session.get(f"{serve.url}/health") as response:
                await response.read()
            timings.append(time.perf_counter() - started)


async def first_round(settings: Settings, timeout: float) -> float:  # noqa: ASYNC109
    """Seconds until the scheduler's first round is done (its retention mark, written last).

    At start-up it queues an alert for every stage the seed left overdue (thousands): a
    catch-up that a running service does a few at a time. Pages are measured after it."""
    engine = create_engine(settings.database)
    started = time.monotonic()
    key = f"retention:{datetime.now(settings.zone).date().isoformat()}"
    try:
        while time.monotonic() - started < timeout:
            async with engine.connect() as connection:
                await connection.execution_options(read_only=True)
                found = await connection.scalar(
                    select(SchedulerMark.key).where(SchedulerMark.key == key)
                )
            if found:
                break
            await asyncio.sleep(1)
    finally:
        await engine.dispose()
    return time.monotonic() - started


async def year_report(serve: ServeProcess, times: int) -> tuple[list[float], list[float]]:
    """The admin's report for the last 365 days, `times` times, while another client polls
    /health: the report's seconds, and /health's (slow if the report blocks the loop)."""
    today = datetime.now(UTC).date()
    query = f"from={today - timedelta(days=364)}&to={today}"
    reports: list[float] = []
    polled: list[float] = []
    async with staff_session(serve, 0) as session:
        done = asyncio.Event()

        async def poll() -> None:
            async with aiohttp.ClientSession() as plain:
                while not done.is_set():
                    started = time.perf_counter()
                    async with plain.get(f"{serve.url}/health") as response:
                        await response.read()
                    polled.append(time.perf_counter() - started)
                    await asyncio.sleep(0.05)

        poller = asyncio.create_task(poll())
        for _ in range(times):
            started = time.perf_counter()
            async with session.get(f"{serve.url}/staff/reports?{query}") as response:
                await response.read()
                assert response.status == 200, response.status
            reports.append(time.perf_counter() - started)
        done.set()
        await poller
    return reports, polled


async def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=STAFF)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="each client pauses this long on average (0.5-1.5 x) between clicks; "
        "0 (default) clicks as fast as answered",
    )
    parser.add_argument(
        "--data",
        default="",
        metavar="DIR",
        help="diagnosis: keep the seeded database in DIR and reuse it on the next run (SQLite)",
    )
    parser.add_argument(
        "--without-scheduler", action="store_true", help="diagnosis: skip the scheduler's rounds"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="also measure pages/s with N serve processes on the same (PostgreSQL) database, "
        "clients spread over them, against 1 process in the same run",
    )
    args = parser.parse_args()
    complaints = 500 if args.quick else args.complaints
    seconds = 1.0 if args.quick else args.seconds
    clients = 4 if args.quick else min(args.clients, STAFF)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(args.data or folder) / "data"
        seeding = float("nan")
        if not (args.data and (data / "seeded").exists()):
            storage = await prepare_database(data, args.database_url)
            try:
                await create_staff(storage)  # first: some complaints name a member of staff
                started = time.perf_counter()
                await seed(storage, complaints)
                seeding = time.perf_counter() - started
            finally:
                await storage.close()
            if args.data:
                (data / "seeded").write_text(f"{complaints}\n")
        serve = ServeProcess(data, args.database_url)
        if args.without_scheduler:
            serve.command = WITHOUT_SCHEDULER
        if wrapper := os.environ.get("BENCH_SERVE_WRAPPER"):  # diagnosis: a profiler, say
            serve.command = (sys.executable, wrapper, *serve.command[3:])
        serves = [serve] + [
            ServeProcess(data / f"process{n}", args.database_url) for n in range(1, args.processes)
        ]
        timings: dict[str, list[float]] = defaultdict(list)
        base: list[float] = []
        scaled: list[float] = []  # pages/s with 1 process, then with all of them
        flat: dict[str, list[float]] = defaultdict(list)
        catch_up = float("nan")
        try:
            await serve.start()
            if not args.without_scheduler:
                settings = Settings(
                    data_dir=data, secret_key="bench-secret-key", database_url=args.database_url
                )
                catch_up = await first_round(settings, 30 if args.quick else 900)
            rng = random.Random(3)
            # Baseline first, then the pages, each with the same number of clients.
            until = time.monotonic() + seconds / 2
            await asyncio.gather(*(health(serve, until, base) for _ in range(clients)))
            await load([serve], clients, seconds, complaints, timings, rng, args.think)
            if args.think:  # and flat out, for pages/s in one process
                await load([serve], clients, seconds, complaints, flat, rng)
            report_times, health_during = await year_report(serve, 1 if args.quick else 3)
            if len(serves) > 1:
                await asyncio.gather(*(other.start() for other in serves[1:]))
                for group in ([serve], serves):
                    counted: dict[str, list[float]] = defaultdict(list)
                    await load(group, clients, seconds, complaints, counted, rng)
                    scaled.append(sum(len(v) for v in counted.values()) / seconds)
        except BaseException:
            print("\n".join(s.log() for s in serves), file=sys.stderr)
            raise
        finally:
            for each in serves:
                each.stop()
    pages = [t for values in timings.values() for t in values]
    flat_pages = sum(len(v) for v in flat.values()) if args.think else len(pages)
    ms = 1000
    base95 = percentile(base, 95) * ms
    report(
        [
            Figure("staff p95 all pages", percentile(pages, 95) * ms, "ms", "<= 50", base95),
            Figure("staff p95 dashboard", percentile(timings["dashboard"], 95) * ms, "ms", "<= 50"),
            Figure("staff p95 case list", percentile(timings["list"], 95) * ms, "ms", "<= 50"),
            Figure("staff p95 case page", percentile(timings["case"], 95) * ms, "ms", "<= 50"),
            Figure(
                f"staff pages/s (think {args.think:g}s)", len(pages) / seconds, "pages/s", "report"
            ),
            Figure("staff pages/s flat out", flat_pages / seconds, "pages/s", ">= 150"),
            Figure("report, a year (median)", statistics.median(report_times), "s", "<= 1"),
            Figure(
                "/health p95 during the reports",
                percentile(health_during, 95) * ms,
                "ms",
                "off the loop: near baseline",
                base95,
            ),
            # Not measured (NaN) without the scheduler, or when --data reuses a seed.
            *([Figure("scheduler first round", catch_up, "s", "report")] * math.isfinite(catch_up)),
            *(
                [Figure("staff seed complaints/s", complaints / seeding, "rows/s", "report")]
                * math.isfinite(seeding)
            ),
            *(
                [
                    Figure(
                        f"staff pages/s, {args.processes} processes",
                        scaled[1],
                        "pages/s",
                        "ratio to 1 process (ceiling: cores)",
                        scaled[0],
                    )
                ]
                if scaled
                else []
            ),
            Figure("baseline /health p95", base95, "ms", "reference"),
        ]
    )
    print(
        f"# {complaints} complaints seeded in {seeding:.1f}s; {clients} staff clients for "
        f"{seconds:g}s, think {args.think:g}s; {len(pages)} pages; "
        f"{args.database_url.split(':')[0] or 'SQLite'}"
    )


if __name__ == "__main__":
    asyncio.run(main())
