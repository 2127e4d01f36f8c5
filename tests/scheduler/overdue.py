"""Many open cases with their dates passed, one of them about a member of staff: what the
scheduler's alert tests seed through the real case operations."""

from __future__ import annotations

from datetime import UTC, datetime

from procedures.case import Kind, NewComplaint
from storage.runtime import Storage
from storage.staff import StaffDirectory
from storage.visibility import name_subject
from tests.conftest import FakeClock


async def overdue_cases(storage: Storage, clock: FakeClock, cases: int, staff: int) -> list[int]:
    """`staff` managers and `cases` complaints received Mon 2 Nov 2026 (acknowledge by 9 Nov,
    reply by 16 Nov); the first complaint is about the second manager. Returns
    [the managers' ids..., that complaint's id]."""
    clock.set(datetime(2026, 11, 2, 9, tzinfo=UTC))
    directory = StaffDirectory(storage.sessions, storage.procedure)
    roles, now = ["manager"], clock.now
    ids = [
        (await directory.add(f"m{n}@example.org", f"M{n}", "a safe password", roles, now=now)).id
        for n in range(staff)
    ]
    new = NewComplaint(kind=Kind.COMPLAINT, description="The session was cancelled.")
    made = [
        await storage.cases.submit(new, channel="webchat", external_id=f"p{n}")
        for n in range(cases)
    ]
    about = made[0].complaint_id
    version = (await storage.cases.get(about)).version
    await name_subject(
        storage.cases, about, ids[1], staff_id=ids[0], expected_version=version, reason="He ran it."
    )
    return [*ids, about]
