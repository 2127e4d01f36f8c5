"""What each complaint's receipt promised stays true for that complaint (issue 14).

1. A second complaint with other needs and another reply channel does not rewrite the
   first: its case page, its later messages, the call tasks and the report keep its own.
   Staff can change one complaint's copy (audited) without touching the other.
2. A receipt shown in the web chat is "sent" only once the page confirms it; a page that
   never arrived (lost response) is made up for on the next visit, once.
3. Whoever chose email gets the receipt by email too, through a real SMTP server.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from bot.delivery import DeliveryWorker
from bot.email import EmailSender
from storage.delivery import DeliveryStore
from storage.models import AuditEvent, Complaint, Outbox
from storage.promises import PromiseChange
from storage.queries import Queries
from storage.reports import build_report
from storage.runtime import Storage
from storage.staff import StaffDirectory
from tests.bot.test_email import Inbox, smtp  # noqa: F401 (fixture)
from tests.scripted import COMPLAINT_PLAN, Action, send, tap
from tests.webchat.test_webchat import REFERENCE, Open, open_chat, stored  # noqa: F401
from tests.webchat.visitor import Visitor

FIRST: dict[str, list[Action]] = {
    **COMPLAINT_PLAN,
    "adjustments": [tap("large_print"), tap("phone_call"), tap("done")],
    "contact_method": [tap("chat")],
    "call_phone": [send("07700 900123")],
}
SECOND: dict[str, list[Action]] = {
    **COMPLAINT_PLAN,
    "description": [send("The car park was closed without notice."), tap("done")],
    "adjustments": [tap("none")],
    "contact_method": [tap("email")],
    "contact_detail": [send("sam@example.org")],
}


async def make_two(visitor: Visitor) -> tuple[Complaint, Complaint]:
    await visitor.follow(FIRST, until="summary")
    await visitor.tap("send")
    await visitor.tap("new")
    await visitor.follow(SECOND, until="summary")
    await visitor.tap("send")
    first, second = await stored(visitor.storage)  # type: ignore[attr-defined]
    return first, second


async def messages_about(storage: Storage, complaint_id: int) -> list[Outbox]:
    async with storage.sessions() as session:
        return list(
            await session.scalars(
                select(Outbox)
                .where(Outbox.complaint_id == complaint_id, Outbox.to_supporter.is_(False))
                .order_by(Outbox.id)
            )
        )


async def test_a_second_complaint_does_not_rewrite_the_first(open_chat: Open) -> None:  # noqa: F811
    visitor = await open_chat()
    storage: Storage = visitor.storage  # type: ignore[attr-defined]
    first, second = await make_two(visitor)
    assert first.person_id == second.person_id
    queries = Queries(storage.cases)
    staff = await _admin(storage)

    page = await queries.case_detail(first.id, staff)
    assert set(page.person.adjustments) == {"large_print", "phone_call"}
    assert page.person.contact_method == "chat"
    assert (await queries.case_detail(second.id, staff)).person.contact_method == "email"

    # Later staff messages on complaint 1 go to the web chat; on complaint 2 by email.
    await storage.cases.reply(first.id, "About the room.", staff_id=None, ends_stage=False)
    await storage.cases.reply(second.id, "About the car park.", staff_id=None, ends_stage=False)
    assert (await messages_about(storage, first.id))[-1].channel == "webchat"
    assert (await messages_about(storage, second.id))[-1].channel == "email"

    board = await queries.dashboard(staff)
    assert [c.complaint_id for c in board.calls] == [first.id]  # still one call to make
    today = storage.cases.today()
    report = await build_report(
        storage.sessions,
        storage.procedure,
        storage.calendar,
        start=date(today.year, 1, 1),
        end=today,
        as_of=today,
        zone=storage.cases.zone,
    )
    needs = {t.key: t.count for t in report.adjustments}
    assert needs.get("large_print") == 1 and needs.get("phone_call") == 1

    # Staff change complaint 1's copy only: replies by post now; complaint 2 is untouched.
    changed = await storage.cases.change_promise(
        first.id,
        PromiseChange(
            language="en",
            adjustments=("large_print",),
            adjustments_note="",
            contact_method="post",
            email="",
            phone="07700 900123",
            postal_address="1 High Street, Trowbridge",
        ),
        staff_id=staff,
    )
    assert "contact_method" in changed and "adjustments" in changed
    await storage.cases.reply(first.id, "A letter.", staff_id=None, ends_stage=False)
    letter = (await messages_about(storage, first.id))[-1]
    assert (letter.channel, letter.state) == ("post", "manual")
    assert letter.subject.startswith("[LARGE PRINT]")
    assert (await queries.case_detail(second.id, staff)).person.contact_method == "email"
    async with storage.sessions() as session:
        audit = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "change_promise")
        )
    assert audit is not None and audit.complaint_id == first.id and audit.staff_id == staff
    assert "1 High Street" not in audit.detail  # which fields, never their content


async def test_a_receipt_whose_page_never_arrived_is_shown_on_the_next_visit(
    open_chat: Open,  # noqa: F811
) -> None:
    visitor = await open_chat()
    storage: Storage = visitor.storage  # type: ignore[attr-defined]
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    await visitor.tap("send")  # the response is "lost": the visitor never reads it
    [complaint] = await stored(storage)
    [row] = await messages_about(storage, complaint.id)
    assert row.state == "shown" and row.sent_at is None

    page = await visitor.open()  # a reload: the receipt again, then the menu
    assert any(complaint.reference in said for said in page.said)
    assert page.step == "menu"
    assert await visitor.poll() == []  # chat.js confirms what the page showed
    async with storage.sessions() as session:
        row = await session.get_one(Outbox, row.id)
    assert row.state == "sent" and row.sent_at is not None
    page = await visitor.open()
    assert not any(complaint.reference in said for said in page.said)  # once, not again


async def test_a_receipt_for_someone_who_chose_email_is_emailed(
    open_chat: Open,  # noqa: F811
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp
    visitor = await open_chat()
    storage: Storage = visitor.storage  # type: ignore[attr-defined]
    plan = {
        **COMPLAINT_PLAN,
        "contact_method": [tap("email")],
        "contact_detail": [send("sam@example.org")],
    }
    await visitor.follow(plan, until="summary")
    page = await visitor.tap("send")
    reference = REFERENCE.search(" ".join(page.said))
    assert reference is not None  # shown on the page as well

    settings = replace(
        storage.settings, smtp_host="127.0.0.1", smtp_port=port, smtp_from="c@example.org"
    )
    worker = DeliveryWorker(
        DeliveryStore(storage.sessions),
        {"email": EmailSender(settings, storage.procedure.organisation)},
        clock=storage.clock,
    )
    assert await worker.drain_once() == 1
    [message] = inbox.messages
    assert message["To"] == "sam@example.org"
    assert reference.group() in message.get_payload(decode=True).decode()
    [complaint] = await stored(storage)
    rows = {r.channel: r.state for r in await messages_about(storage, complaint.id)}
    assert rows == {"webchat": "shown", "email": "sent"}


async def test_with_no_mail_server_email_is_a_task_for_staff(open_chat: Open) -> None:  # noqa: F811
    visitor = await open_chat()
    storage: Storage = visitor.storage  # type: ignore[attr-defined]
    plan = {
        **COMPLAINT_PLAN,
        "contact_method": [tap("email")],
        "contact_detail": [send("sam@example.org")],
    }
    await visitor.follow(plan, until="summary")
    await visitor.tap("send")
    worker = DeliveryWorker(
        DeliveryStore(storage.sessions), {}, unsendable={"email": "No mail server is set."}
    )
    await worker.recover()
    board = await Queries(storage.cases).dashboard(await _admin(storage))
    [task] = [t for t in board.outbox_tasks if t.channel == "email"]
    assert task.state == "manual" and "No mail server" in task.last_error


async def _admin(storage: Storage) -> int:
    directory = StaffDirectory(storage.sessions, storage.procedure)
    made = await directory.add(
        "admin@example.org", "Ada Admin", "a long password 123", ["admin"], now=storage.clock()
    )
    return made.id
