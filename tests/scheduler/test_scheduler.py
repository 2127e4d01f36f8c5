"""The scheduler over a case book, with the clock moved by hand: alerts, digests, holding
messages, and nothing ever to the member of staff a complaint is about."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from bot.scheduler import Scheduler
from procedures.case import Kind, NewComplaint
from storage.models import Outbox, StaffUser
from storage.runtime import Storage
from storage.staff import StaffDirectory
from storage.visibility import name_subject
from tests.conftest import FakeClock

WORDS = "The session was cancelled without notice"


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)  # GMT = London in Nov


async def add(storage: Storage, email: str, roles: list[str], chat: str | None = None) -> int:
    directory = StaffDirectory(storage.sessions, storage.procedure)
    made = await directory.add(
        email, email.split("@")[0].title(), "a long enough password", roles, now=storage.clock()
    )
    if chat:
        async with storage.sessions() as session, session.begin():
            await session.execute(
                update(StaffUser).where(StaffUser.id == made.id).values(telegram_chat_id=chat)
            )
    return made.id


async def sent_to(storage: Storage, staff_id: int) -> list[Outbox]:
    async with storage.sessions() as session:
        rows = await session.scalars(
            select(Outbox).where(Outbox.staff_id == staff_id).order_by(Outbox.id)
        )
        return list(rows)


async def bodies(storage: Storage, staff_id: int) -> list[str]:
    return [row.body for row in await sent_to(storage, staff_id)]


async def to_complainant(storage: Storage, complaint_id: int) -> list[str]:
    async with storage.sessions() as session:
        rows = await session.scalars(
            select(Outbox.body).where(Outbox.complaint_id == complaint_id).order_by(Outbox.id)
        )
        return list(rows)


async def test_a_month_of_alerts_digests_and_holding_messages(
    storage: Storage, clock: FakeClock
) -> None:
    cases = storage.cases
    clock.set(at(date(2026, 11, 2), 9))  # Monday
    mia = await add(storage, "mia@example.org", ["manager"], chat="5001")
    sam = await add(storage, "sam@example.org", ["manager"])
    dora = await add(storage, "dora@example.org", ["director"])
    ada = await add(storage, "ada@example.org", ["admin"])
    scheduler = Scheduler(storage)

    new = NewComplaint(kind=Kind.COMPLAINT, description=WORDS)
    p = await cases.submit(new, channel="webchat", external_id="p")
    k = await cases.submit(new, channel="webchat", external_id="k")
    # K turns out to be about Sam: from now on it is hidden from him, alerts included. Naming
    # the subject is acting on the case: Mia handles stage 1; the leads (Ada) are told.
    version = (await cases.get(k.complaint_id)).version
    await name_subject(
        cases,
        k.complaint_id,
        sam,
        staff_id=mia,
        expected_version=version,
        reason="He ran the session.",
    )
    await cases.submit(
        NewComplaint(kind=Kind.COMPLIMENT, description="Thanks"), channel="webchat", external_id="c"
    )

    await scheduler.tick()
    # New complaints: both managers hear of P, only Mia of K; the admin of the compliment.
    mia_rows = await sent_to(storage, mia)
    assert [(r.channel, r.subject) for r in mia_rows if r.channel == "email"] == [
        ("email", f"New complaint: {p.reference}"),
        ("email", f"New complaint: {k.reference}"),
    ]
    assert sum(r.channel == "telegram" and r.address == "5001" for r in mia_rows) == 2
    assert [r.subject for r in await sent_to(storage, sam)] == [f"New complaint: {p.reference}"]
    assert await bodies(storage, dora) == []
    assert [r.subject for r in await sent_to(storage, ada)] == [
        f"Subject changed: {k.reference}",
        "New compliment: C-2026-0003",
    ]
    assert "Acknowledge by Mon 09 Nov 2026." in mia_rows[0].body
    # Nothing due within two working days (Wed 4 Nov): no digest yet.
    await scheduler.tick()  # the same minute again changes nothing
    assert len(await sent_to(storage, mia)) == 4

    # Fri 6 Nov 08:30: acknowledgements due Mon 9 Nov fall within two working days.
    clock.set(at(date(2026, 11, 6), 8).replace(minute=30))
    await scheduler.tick()
    [mia_digest] = [b for b in await bodies(storage, mia) if b.startswith("Your complaints")][-1:]
    assert f"{p.reference}, stage 1 (First response): acknowledge by Mon 09 Nov 2026" in mia_digest
    assert f"{k.reference}, stage 1" in mia_digest
    [sam_digest] = [b for b in await bodies(storage, sam) if b.startswith("Your complaints")]
    assert p.reference in sam_digest and k.reference not in sam_digest

    # Sat 7 Nov: not a working day, no digest.
    clock.set(at(date(2026, 11, 7), 9))
    before = len(await sent_to(storage, sam))
    await scheduler.tick()
    assert len(await sent_to(storage, sam)) == before

    # Tue 10 Nov: the acknowledgements are overdue: an alert now, and in the digest.
    clock.set(at(date(2026, 11, 10), 9))
    await scheduler.tick()
    sam_now = await bodies(storage, sam)
    assert any(
        f"{p.reference} (stage 1 (First response)) was due to be acknowledged" in b for b in sam_now
    )
    assert any("Overdue:" in b and p.reference in b for b in sam_now)
    mia_now = await bodies(storage, mia)
    assert any(f"{k.reference} (stage 1" in b and "acknowledged" in b for b in mia_now)
    await cases.acknowledge(p.complaint_id, staff_id=mia)
    await cases.acknowledge(k.complaint_id, staff_id=mia)

    # Fri 13 Nov: K's reply date (Mon 16 Nov) is moved before it passes: the usual letter.
    clock.set(at(date(2026, 11, 13), 9))
    await cases.extend(
        k.complaint_id,
        which="respond",
        new_date=date(2026, 11, 20),
        reason="We are waiting for a statement.",
        staff_id=mia,
    )
    assert "we need more time" in (await to_complainant(storage, k.complaint_id))[-1]

    # A message to P's complainant fails: both managers are told, without the address.
    async with storage.sessions() as session, session.begin():
        receipt = await session.scalar(
            select(Outbox).where(Outbox.complaint_id == p.complaint_id).order_by(Outbox.id)
        )
        assert receipt is not None
        receipt.state, receipt.last_error = "failed", "address refused: p@example.org"
    await scheduler.tick()
    failed = [b for b in await bodies(storage, sam) if "could not be delivered" in b]
    assert len(failed) == 1 and "webchat" in failed[0] and "p@example.org" not in failed[0]

    # Tue 17 Nov: P's reply was due Mon 16 Nov and has not been sent.
    clock.set(at(date(2026, 11, 17), 9))
    await scheduler.tick()
    assert any(
        f"The reply to {p.reference}" in b and "Mon 16 Nov 2026" in b
        for b in await bodies(storage, mia)
    )
    # Staff set a new date: the complainant gets the holding message the procedure promises.
    await cases.extend(
        p.complaint_id,
        which="respond",
        new_date=date(2026, 11, 24),
        reason="Two of the team were ill.",
        staff_id=mia,
    )
    holding = (await to_complainant(storage, p.complaint_id))[-1]
    assert "we have not been able to reply to your complaint" in holding
    assert "by Monday 16 November 2026, as we said we would" in holding
    assert "We will reply by Tuesday 24 November 2026." in holding

    # K is answered and escalated: stage 2 is the director's.
    await cases.reply(k.complaint_id, "Our answer.", staff_id=mia)
    clock.set(at(date(2026, 11, 18), 9))
    await cases.escalate(k.complaint_id, reasons="Not satisfied.")
    await scheduler.tick()
    assert any(
        b.startswith(f"{k.reference} has been taken to stage 2")
        for b in await bodies(storage, dora)
    )

    # Over the whole month: Sam never heard a word about K, nobody saw the complaint's text.
    for staff_id in (mia, sam, dora, ada):
        for body in await bodies(storage, staff_id):
            assert WORDS not in body
            assert "Two of the team" not in body
    assert all(k.reference not in b for b in await bodies(storage, sam))
    # Every alert went once: running the day again queues nothing new.
    counts = [len(await sent_to(storage, s)) for s in (mia, sam, dora, ada)]
    await scheduler.tick()
    assert [len(await sent_to(storage, s)) for s in (mia, sam, dora, ada)] == counts


async def test_staff_channels_follow_what_is_configured(storage: Storage, clock: FakeClock) -> None:
    mia = await add(storage, "mia@example.org", ["manager"], chat="5001")
    scheduler = Scheduler(storage, channels=frozenset({"telegram"}))
    await storage.cases.submit(NewComplaint(kind=Kind.COMPLAINT, description=WORDS))
    await scheduler.tick()
    assert {(r.channel, r.address) for r in await sent_to(storage, mia)} == {("telegram", "5001")}
