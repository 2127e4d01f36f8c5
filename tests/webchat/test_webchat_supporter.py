"""The supporter ("someone to help me") over real HTTP: the web chat asks for them, and with
consent they get a copy of the receipt and of every later message."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Outbox, Supporter
from storage.runtime import Storage
from tests.scripted import COMPLAINT_PLAN, send, tap
from tests.webchat.test_webchat import Open, open_chat, stored  # noqa: F401 (fixture)


async def test_a_supporter_named_in_the_web_chat_gets_copies(open_chat: Open) -> None:  # noqa: F811
    visitor = await open_chat()
    storage: Storage = visitor.storage  # type: ignore[attr-defined]
    plan = {
        **COMPLAINT_PLAN,
        "adjustments": [tap("helper"), tap("done")],
        "supporter_name": [send("Robin Carer")],
        "supporter_contact": [send("not an address"), send("robin@example.org")],
        "supporter_consent": [tap("yes")],
    }
    await visitor.follow(plan, until="supporter_contact")
    page = await visitor.send("not an address")
    assert page.step == "supporter_contact" and "07700 900123" in page.last
    await visitor.follow(plan, until="summary")
    assert "Robin Carer" in visitor.page.last and "robin@example.org" in visitor.page.last
    await visitor.tap("send")

    [complaint] = await stored(storage)
    async with storage.sessions() as session:
        [supporter] = await session.scalars(select(Supporter))
        rows = list(await session.scalars(select(Outbox).order_by(Outbox.id)))
    assert (supporter.name, supporter.channel, supporter.address, supporter.consent) == (
        "Robin Carer",
        "email",
        "robin@example.org",
        True,
    )
    receipt, copy = rows
    assert receipt.channel == "webchat" and not receipt.to_supporter
    assert copy.to_supporter and copy.channel == "email" and copy.state == "pending"
    assert copy.address == "robin@example.org" and copy.complaint_id == complaint.id
    assert copy.body.startswith("You are getting this copy as the named supporter of Sam.")
    assert receipt.body in copy.body
