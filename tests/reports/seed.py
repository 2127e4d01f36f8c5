"""A case book for reports, made with the real case operations over two months.

The model procedure: stage 1 acknowledge 5 / respond 10 working days, stage 2 acknowledge 5 /
respond 20, then the ombudsman. England's calendar: Fri 25 and Mon 28 December 2026 are bank
holidays. Every date below was worked out by hand; the test counts the figures by hand too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from procedures.case import ContactMethod, Kind, NewComplaint, Received
from storage.runtime import Storage
from tests.conftest import FakeClock

BASE = NewComplaint(kind=Kind.COMPLAINT, description="Something went wrong.")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def seed(storage: Storage, clock: FakeClock) -> dict[str, int]:
    cases = storage.cases
    ids: dict[str, int] = {}
    visitor = 0

    async def submit(name: str, day: date, **changes: object) -> int:
        nonlocal visitor
        visitor += 1
        clock.set(at(day))
        new = replace(BASE, **changes)  # type: ignore[arg-type]
        if new.received_via in (Received.PHONE, Received.EMAIL):
            done = await cases.submit(new)
        else:
            channel = new.received_via.value
            done = await cases.submit(new, channel=channel, external_id=f"v{visitor}")
        ids[name] = done.complaint_id
        return done.complaint_id

    async def on(day: date) -> None:
        clock.set(at(day, 11))

    # Outside the period, before it: Fri 30 Oct.
    await submit("X", date(2026, 10, 30), category="other")

    # A: Mon 2 Nov. Ack due Mon 9 Nov, reply due Mon 16 Nov.
    a = await submit(
        "A",
        date(2026, 11, 2),
        category="standard_of_service",
        adjustments=("large_print",),
    )
    await on(date(2026, 11, 4))
    await cases.acknowledge(a, staff_id=None)  # on time
    await on(date(2026, 11, 13))
    await cases.reply(a, "We are sorry.", staff_id=None)  # on time, 9 working days
    await cases.record_outcome(
        a,
        outcome="upheld",
        apology=True,
        policy_change="Cancellations are now sent by text message",
        staff_id=None,
    )
    await on(date(2026, 11, 16))
    await cases.close(a, staff_id=None)

    # B: Tue 3 Nov, Polish, about a named member of staff. Ack due Tue 10, reply due Tue 17.
    b = await submit(
        "B",
        date(2026, 11, 3),
        category="staff_conduct",
        received_via=Received.TELEGRAM,
        language="pl",
        about_staff="Sam Jones",
    )
    await on(date(2026, 11, 12))
    await cases.acknowledge(b, staff_id=None)  # late (due 10 Nov)
    await on(date(2026, 11, 16))
    await cases.extend(
        b,
        which="respond",
        new_date=date(2026, 11, 27),
        reason="Waiting for a witness statement",
        staff_id=None,
    )
    await on(date(2026, 11, 25))
    await cases.reply(b, "Our answer.", staff_id=None)  # within the extension; 16 working days
    await cases.record_outcome(
        b,
        outcome="partly_upheld",
        apology=True,
        actions="Training on respectful communication",
        staff_id=None,
    )
    # Stage 2 from Thu 26 Nov: ack due Thu 3 Dec, reply due Thu 24 Dec.
    await on(date(2026, 11, 26))
    await cases.escalate(b, reasons="Not satisfied.")
    await on(date(2026, 12, 1))
    await cases.acknowledge(b, staff_id=None)  # on time
    await on(date(2026, 12, 22))
    await cases.reply(b, "Final answer.", staff_id=None)  # on time; 18 working days
    await cases.record_outcome(b, outcome="not_upheld", staff_id=None)
    await on(date(2026, 12, 23))
    await cases.refer_external(b, staff_id=None)

    # C: Wed 4 Nov, a compliment.
    await submit("C", date(2026, 11, 4), kind=Kind.COMPLIMENT, description="Thank you!")

    # D: Mon 9 Nov by phone; never acknowledged or answered (due 16 and 23 Nov).
    await submit(
        "D",
        date(2026, 11, 9),
        category="failure_to_act",
        received_via=Received.PHONE,
        adjustments=("phone_call", "large_print"),
        contact_method=ContactMethod.PHONE,
        phone="01234 567890",
    )

    # I: Tue 1 Dec, feedback.
    await submit("I", date(2026, 12, 1), kind=Kind.FEEDBACK, description="The form is long.")

    # J: Wed 2 Dec, about the manager role. Ack due Wed 9 Dec, reply due Wed 16 Dec.
    j = await submit("J", date(2026, 12, 2), category="staff_conduct", about_role="manager")
    await on(date(2026, 12, 15))
    await cases.reply(j, "Our answer.", staff_id=None)  # ack late, reply on time; 9 days
    await cases.record_outcome(j, outcome="not_upheld", staff_id=None)
    await on(date(2026, 12, 16))
    await cases.close(j, staff_id=None)

    # E: Mon 7 Dec, Welsh. Ack due Mon 14 Dec: acknowledged that day, then withdrawn.
    e = await submit("E", date(2026, 12, 7), category="standard_of_service", language="cy")
    await on(date(2026, 12, 14))
    await cases.acknowledge(e, staff_id=None)
    await on(date(2026, 12, 16))
    await cases.withdraw(e)

    # F: Thu 10 Dec, a compliment in Polish by Telegram.
    await submit(
        "F",
        date(2026, 12, 10),
        kind=Kind.COMPLIMENT,
        description="Dziękuję",
        received_via=Received.TELEGRAM,
        language="pl",
    )

    # G: Mon 14 Dec by email. Ack due Mon 21 Dec; reply due Wed 30 Dec (25, 28 are holidays).
    g = await submit(
        "G",
        date(2026, 12, 14),
        category="information",
        received_via=Received.EMAIL,
        contact_method=ContactMethod.EMAIL,
        email="g@example.org",
    )
    await on(date(2026, 12, 18))
    await cases.acknowledge(g, staff_id=None)  # on time; never answered

    # Outside the period, after it: Mon 4 Jan 2027.
    await submit("H", date(2027, 1, 4), category="other")
    return ids
