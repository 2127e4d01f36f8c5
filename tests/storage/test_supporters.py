"""A named supporter gets a copy of every message to the complainant only with consent: by
email (the worker sends it) or by phone (a task for staff), with one translated line saying
why. Without consent, no copies: the case page shows them as a contact only."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from procedures.case import Kind, NewComplaint, Received, Supporter
from services.retention import Retention
from storage.models import AuditEvent, Outbox
from storage.models import Supporter as SupporterRow
from storage.queries import Queries
from storage.runtime import Storage
from storage.staff import StaffDirectory

NEW = NewComplaint(
    kind=Kind.COMPLAINT,
    description="The session on Tuesday was cancelled without notice.",
    complainant_name="Alex Example",
    received_via=Received.WEBCHAT,
    adjustments=("helper",),
)
ROBIN = Supporter(name="Robin Carer", email="robin@example.org", consent=True)


async def outbox(storage: Storage) -> list[Outbox]:
    async with storage.sessions() as session:
        return list(await session.scalars(select(Outbox).order_by(Outbox.id)))


async def staff_id(storage: Storage) -> int:
    directory = StaffDirectory(storage.sessions, storage.procedure)
    made = await directory.add(
        "cat@example.org",
        "Cat",
        "correct horse battery staple",
        ["manager"],
        now=storage.cases.clock(),
    )
    return made.id


async def test_with_consent_every_message_is_copied_by_email(storage: Storage) -> None:
    me = await staff_id(storage)
    done = await storage.cases.submit(
        replace(NEW, supporter=ROBIN), channel="webchat", external_id="v1", inline=True
    )
    await storage.cases.acknowledge(done.complaint_id, staff_id=me)
    await storage.cases.reply(done.complaint_id, "We are sorry.", staff_id=me)
    rows = await outbox(storage)
    theirs = [r for r in rows if not r.to_supporter]
    copies = [r for r in rows if r.to_supporter]
    assert len(theirs) == len(copies) == 3
    line = "You are getting this copy as the named supporter of Alex."
    for original, copy in zip(theirs, copies, strict=True):
        assert (copy.channel, copy.address, copy.state) == ("email", "robin@example.org", "pending")
        assert copy.body == f"{line}\n\n{original.body}"
        assert copy.complaint_id == done.complaint_id
    assert theirs[0].state == "sent"  # the receipt shown in the chat; the copy still goes

    detail = await Queries(storage.cases).case_detail(done.complaint_id, me)
    assert detail.supporter is not None and detail.supporter.consent
    # The timeline holds the messages to the complainant once, not the copies.
    assert sum(e.kind == "outbound" for e in detail.timeline) == 3


async def test_by_phone_a_copy_is_a_task_for_staff(storage: Storage) -> None:
    me = await staff_id(storage)
    phone = Supporter(name="Robin Carer", phone="+447700900123", consent=True)
    await storage.cases.submit(replace(NEW, supporter=phone), channel="webchat", external_id="v1")
    [_, copy] = await outbox(storage)
    assert (copy.channel, copy.address, copy.state) == ("phone", "+447700900123", "manual")
    board = await Queries(storage.cases).dashboard(me)
    [task] = board.outbox_tasks
    assert task.to_supporter and task.address == "+447700900123"
    await Queries(storage.cases).mark_delivered(task.id, me)
    async with storage.sessions() as session:
        assert await session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == "delivered_by_hand")
        )


async def test_without_consent_no_copies_and_a_contact_only(storage: Storage) -> None:
    me = await staff_id(storage)
    done = await storage.cases.submit(
        replace(NEW, supporter=replace(ROBIN, consent=False)), channel="webchat", external_id="v1"
    )
    await storage.cases.acknowledge(done.complaint_id, staff_id=me)
    assert not [r for r in await outbox(storage) if r.to_supporter]
    detail = await Queries(storage.cases).case_detail(done.complaint_id, me)
    assert detail.supporter is not None and not detail.supporter.consent
    assert detail.supporter.address == "robin@example.org"


async def test_the_line_is_in_their_language(storage: Storage) -> None:
    await storage.cases.submit(
        replace(NEW, supporter=ROBIN, language="pl", complainant_name=""),
        channel="webchat",
        external_id="v1",
    )
    [_, copy] = await outbox(storage)
    assert copy.language == "pl"
    assert copy.body.startswith("Otrzymujesz tę kopię, ponieważ ktoś wskazał cię")


async def test_a_later_complaint_naming_no_supporter_stops_the_copies(storage: Storage) -> None:
    me = await staff_id(storage)
    await storage.cases.submit(replace(NEW, supporter=ROBIN), channel="webchat", external_id="v1")
    second = await storage.cases.submit(
        replace(NEW, adjustments=()), channel="webchat", external_id="v1"
    )
    async with storage.sessions() as session:
        assert await session.scalar(select(SupporterRow.id)) is None
    before = len(await outbox(storage))
    await storage.cases.acknowledge(second.complaint_id, staff_id=me)
    rows = await outbox(storage)
    assert len(rows) == before + 1 and not rows[-1].to_supporter


async def test_erasing_the_person_erases_their_supporter(storage: Storage) -> None:
    done = await storage.cases.submit(
        replace(NEW, supporter=ROBIN), channel="webchat", external_id="v1"
    )
    retention = Retention(storage.sessions, storage.procedure, storage.settings.attachments_dir)
    await retention.erase_person(
        done.person_id, staff_id=None, reason="Asked by email", now=storage.cases.clock()
    )
    async with storage.sessions() as session:
        assert await session.scalar(select(SupporterRow.id)) is None
        assert not list(await session.scalars(select(Outbox.id)))
