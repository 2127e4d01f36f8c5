"""Retention and erasure: after it, a marker from the complaint is nowhere on disk; the
report's figures are unchanged; a subject access export holds every record of the person."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from procedures.case import ContactMethod, Kind, NewComplaint, Received, Representative
from services.export import export_person, find_person, to_html, to_json
from services.retention import Retention
from storage.db import is_sqlite
from storage.models import AuditEvent, Base, Complaint, Draft, Person
from storage.reports import build_report
from storage.restrictions import active_for, restrict
from storage.runtime import Storage
from storage.staff import StaffDirectory
from tests.conftest import FakeClock
from tests.reports.seed import at

MARKER = "QUOKKA7731MARKER"
OTHER = "KEPT-OTHER-CASE-WORDS"


async def staff(storage: Storage, email: str, name: str, roles: list[str]) -> int:
    directory = StaffDirectory(storage.sessions, storage.procedure)
    made = await directory.add(email, name, "a long enough password", roles, now=storage.clock())
    return made.id


async def book(storage: Storage, clock: FakeClock) -> tuple[int, int, int]:
    """One person's complaint with the marker in every place a person's words can go."""
    cases = storage.cases
    handler = await staff(storage, "pat@example.org", "Pat Handler", ["manager"])
    clock.set(at(date(2026, 11, 2)))
    stored = await storage.attachments.save(
        f"a letter mentioning {MARKER}".encode(),
        name=f"{MARKER}.txt",
        mime_type="text/plain",
        kind="document",
        now=clock(),
    )
    new = NewComplaint(
        kind=Kind.COMPLAINT,
        description=f"My complaint {MARKER}: Pat Handler was rude.",
        desired_outcome=f"An apology {MARKER}",
        incident_text=f"last Tuesday {MARKER}",
        about_staff=f"Pat Handler {MARKER}",
        representative=Representative(name=f"Robin {MARKER}", relationship="son", consent=True),
        complainant_name=f"Alex {MARKER}",
        email=f"{MARKER.lower()}@example.org",
        phone="07700 900123",
        postal_address=f"1 {MARKER} Street",
        contact_method=ContactMethod.CHAT,
        category="staff_conduct",
        received_via=Received.WEBCHAT,
        attachments=(stored.sha256,),
    )
    done = await cases.submit(new, channel="webchat", external_id=f"chat-{MARKER}")
    async with storage.sessions() as session, session.begin():
        session.add(
            Draft(
                channel="webchat",
                external_id=f"chat-{MARKER}",
                person_id=done.person_id,
                data={"answers": {"description": MARKER}},
                updated_at=clock(),
            )
        )
        await storage.drafts.request_callback(
            session, "webchat", f"chat-{MARKER}", f"call me {MARKER}", now=clock()
        )
    await cases.add_information(done.complaint_id, f"More words {MARKER}")
    await cases.acknowledge(done.complaint_id, staff_id=None)
    await cases.add_note(done.complaint_id, f"Note {MARKER}", staff_id=handler)
    await cases.extend(
        done.complaint_id,
        which="respond",
        new_date=date(2026, 11, 30),
        reason=f"Waiting for {MARKER}",
        staff_id=None,
    )
    await restrict(
        cases,
        done.person_id,
        restriction=f"Email once a week {MARKER}",
        reason=f"Many calls a day {MARKER}",
        review_on=date(2027, 5, 1),
        contact_staff_id=handler,
        staff_id=None,
    )
    clock.set(at(date(2026, 11, 25)))
    await cases.reply(done.complaint_id, f"Our answer {MARKER}", staff_id=None)
    await cases.record_outcome(
        done.complaint_id,
        outcome="partly_upheld",
        apology=True,
        actions="Staff training",
        policy_change="New phone rota",
        staff_id=None,
    )
    await cases.close(done.complaint_id, staff_id=None)
    # Another person's case, closed later: must survive the run untouched.
    other = await cases.submit(
        NewComplaint(kind=Kind.COMPLAINT, description=OTHER, complainant_name="Kim"),
        channel="webchat",
        external_id="someone-else",
    )
    clock.set(at(date(2027, 6, 1)))
    await cases.close(other.complaint_id, staff_id=None)
    return done.complaint_id, done.person_id, other.complaint_id


async def everything_in_tables(storage: Storage) -> str:
    """Every row of every table as text (works on both databases)."""
    chunks = []
    async with storage.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in await session.execute(select(table)):
                chunks.append(repr(tuple(row)))
    return "\n".join(chunks)


async def figures(storage: Storage) -> tuple[object, ...]:
    report = await build_report(
        storage.sessions,
        storage.procedure,
        storage.calendar,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        as_of=date(2033, 1, 1),
        zone=storage.settings.zone,
    )
    return (
        report.by_kind,
        report.by_category,
        report.by_channel,
        report.timeliness,
        report.outcomes,
        report.resolved_at,
        report.response_days,
        report.about_staff,
        report.adjustments,
        report.languages,
        len(report.extensions),
        report.changes,
    )


async def test_retention_erases_and_leaves_no_trace(storage: Storage, clock: FakeClock) -> None:
    complaint_id, person_id, _ = await book(storage, clock)
    before = await figures(storage)
    retention = Retention(storage.sessions, storage.procedure, storage.settings.attachments_dir)

    if is_sqlite(storage.settings.database):  # the check below can see the marker at all
        assert MARKER.encode() in on_disk(storage)

    # Closed on 25 Nov 2026; six years later to the day it is still kept.
    clock.set(at(date(2032, 11, 24)))
    assert (await retention.run(now=clock())).complaints == 0
    assert MARKER in await everything_in_tables(storage)

    clock.set(at(date(2032, 12, 1)))
    erased = await retention.run(now=clock())
    assert (erased.complaints, erased.people, erased.files) == (1, 1, 1)
    assert await retention.run(now=clock()) == type(erased)()  # nothing left to do

    dump = await everything_in_tables(storage)
    assert MARKER not in dump
    assert MARKER.lower() not in dump.lower()
    assert OTHER in dump  # the other person's case is kept
    assert await figures(storage) == before  # the report is unchanged
    async with storage.sessions() as session:
        complaint = await session.get_one(Complaint, complaint_id)
        assert complaint.erased_at is not None and complaint.about_staff == "[erased]"
        person = await session.get_one(Person, person_id)
        assert person.erased_at is not None and person.name == ""
        actions = await session.scalars(
            select(AuditEvent.action).where(AuditEvent.complaint_id == complaint_id)
        )
        assert "erase" in list(actions)
    assert await active_for(storage.sessions, person_id) == []

    attachments = storage.settings.attachments_dir
    for path in attachments.rglob("*") if attachments.exists() else []:
        assert MARKER not in path.name
        if path.is_file():
            assert MARKER.encode() not in path.read_bytes()

    if is_sqlite(storage.settings.database):
        await storage.engine.dispose()
        with sqlite3.connect(database_path(storage)) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        content = on_disk(storage)
        assert MARKER.encode() not in content
        assert MARKER.lower().encode() not in content


def database_path(storage: Storage) -> Path:
    return Path(make_url(storage.settings.database).database or "")


def on_disk(storage: Storage) -> bytes:
    """The database file with its write-ahead log and shared memory file, as bytes."""
    database = database_path(storage)
    paths = [database.with_name(database.name + s) for s in ("", "-wal", "-shm", "-journal")]
    return b"".join(path.read_bytes() for path in paths if path.exists())


async def test_drafts_and_loose_files_go_after_30_days(storage: Storage, clock: FakeClock) -> None:
    retention = Retention(storage.sessions, storage.procedure, storage.settings.attachments_dir)
    clock.set(at(date(2026, 11, 2)))
    stored = await storage.attachments.save(
        b"never sent", name="x.txt", mime_type="text/plain", kind="document", now=clock()
    )
    async with storage.sessions() as session, session.begin():
        for chat, day in (("old", date(2026, 11, 2)), ("recent", date(2026, 11, 20))):
            session.add(
                Draft(channel="webchat", external_id=chat, data={"step": 1}, updated_at=at(day))
            )
    clock.set(at(date(2026, 12, 3)))  # 31 days after the old one, 13 after the recent
    result = await retention.run(now=clock())
    assert (result.drafts, result.files) == (1, 1)
    assert not storage.attachments.path(stored.sha256).exists()
    async with storage.sessions() as session:
        assert list(await session.scalars(select(Draft.external_id))) == ["recent"]


async def test_erasure_on_request_is_immediate_and_audited(
    storage: Storage, clock: FakeClock
) -> None:
    _, person_id, _ = await book(storage, clock)
    admin = await staff(storage, "admin@example.org", "Ada Admin", ["admin"])
    retention = Retention(storage.sessions, storage.procedure, storage.settings.attachments_dir)
    result = await retention.erase_person(
        person_id, staff_id=admin, reason="Asked by email on 1 June", now=clock()
    )
    assert (result.complaints, result.people) == (1, 1)
    assert MARKER not in await everything_in_tables(storage)
    async with storage.sessions() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "erase_person"))
        assert event is not None and event.staff_id == admin


async def test_export_holds_every_record_of_the_person(storage: Storage, clock: FakeClock) -> None:
    complaint_id, person_id, other_id = await book(storage, clock)
    assert await find_person(storage.sessions, email=f"{MARKER}@EXAMPLE.org") == person_id
    reference = (await storage.cases.get(complaint_id)).reference
    assert await find_person(storage.sessions, reference=reference.lower()) == person_id
    export = await export_person(
        storage.sessions, person_id, organisation="Our organisation", now=clock()
    )

    # Every row anywhere that belongs to the person, found independently of export.py.
    expected: dict[str, set[int]] = {}
    async with storage.sessions() as session:
        ids = (complaint_id,)
        queries = {
            "identities": f"SELECT id FROM identities WHERE person_id = {person_id}",
            "complaints": f"SELECT id FROM complaints WHERE person_id = {person_id}",
            "stage_records": f"SELECT id FROM stage_records WHERE complaint_id IN {ids[0]:d}",
            "messages": f"SELECT id FROM messages WHERE complaint_id = {ids[0]}",
            "outbox": f"SELECT id FROM outbox WHERE person_id = {person_id}",
            "attachments": f"SELECT id FROM attachments WHERE person_id = {person_id}",
            "audit_events": f"SELECT id FROM audit_events WHERE complaint_id = {ids[0]}",
            "drafts": f"SELECT id FROM drafts WHERE person_id = {person_id}",
            "callback_requests": f"SELECT id FROM callback_requests WHERE person_id = {person_id}",
            "contact_restrictions": (
                f"SELECT id FROM contact_restrictions WHERE person_id = {person_id}"
            ),
            "extensions": (
                "SELECT e.id FROM extensions e JOIN stage_records s ON s.id = e.stage_record_id "
                f"WHERE s.complaint_id = {ids[0]}"
            ),
        }
        for name, sql in queries.items():
            sql = sql.replace(f"IN {ids[0]}", f"= {ids[0]}")
            expected[name] = set((await session.scalars(text(sql))).all())
    for name, wanted in expected.items():
        assert wanted, f"the seed should have made {name}"
        assert {line["id"] for line in export.records[name]} == wanted, name
    assert other_id not in {line["id"] for line in export.records["complaints"]}
    assert export.person["name"] == f"Alex {MARKER}"

    # Other people's names are flagged, with why; the person's own name is not.
    flagged = {(f.text, f.why) for f in export.flags}
    assert ("Pat Handler", "a member of staff") in flagged
    assert (f"Robin {MARKER}", "the person a representative acts for") in flagged
    assert any(f.where.startswith("complaints[0].description") for f in export.flags)
    assert all(f.text != f"Alex {MARKER}" for f in export.flags)

    data = json.loads(to_json(export))
    assert data["records"]["complaints"][0]["description"].startswith("My complaint")
    page = to_html(export)
    assert '<mark class="redact" title="Redact: a member of staff">Pat Handler</mark>' in page
    assert "<script" not in page
    assert "password" not in page.lower()


async def test_restriction_sends_a_notice(storage: Storage, clock: FakeClock) -> None:
    _, person_id, _ = await book(storage, clock)
    async with storage.sessions() as session:
        bodies = list(
            await session.scalars(
                text(f"SELECT body FROM outbox WHERE person_id = {person_id} ORDER BY id")
            )
        )
    notice = next(b for b in bodies if "change to how you can contact" in b)
    assert "Many calls a day" in notice and "Saturday 1 May 2027" in notice
    assert "Pat Handler" in notice
