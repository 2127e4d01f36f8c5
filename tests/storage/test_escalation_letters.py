"""Point 3: each channel's answer says how to ask for the next stage in that channel: in a
chat, reply there; by email or post, write to the next stage's own contact, by when."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from procedures.case import ContactMethod, Kind, NewComplaint, Received
from procedures.loader import load_procedure
from storage.models import Outbox
from storage.runtime import Storage

NEW = NewComplaint(
    kind=Kind.COMPLAINT, description="The hall was locked.", received_via=Received.WEBCHAT
)


async def answer_letter(storage: Storage, new: NewComplaint, **identity: str) -> str:
    wilts = load_procedure("west-wilts-ccc")
    storage = replace(storage, procedure=wilts, cases=replace(storage.cases, procedure=wilts))
    done = await storage.cases.submit(new, **identity)  # type: ignore[arg-type]
    await storage.cases.reply(done.complaint_id, "Our answer.", staff_id=None)
    async with storage.sessions() as session:
        bodies = list(
            await session.scalars(
                select(Outbox.body)
                .where(Outbox.complaint_id == done.complaint_id)
                .order_by(Outbox.id)
            )
        )
    return bodies[-1]


@pytest.mark.parametrize(
    "how",
    [
        {"contact_method": ContactMethod.EMAIL, "email": "sam@example.org"},
        {"contact_method": ContactMethod.POST, "postal_address": "1 High St, Trowbridge"},
    ],
)
async def test_by_email_and_post_the_letter_names_the_next_stages_contact(
    storage: Storage, how: dict[str, object]
) -> None:
    letter = await answer_letter(storage, replace(NEW, **how))  # type: ignore[arg-type]
    assert "in this chat" not in letter
    assert "To ask, write to" in letter
    assert "PO Box 5504" in letter
    assert "Please ask by" in letter


async def test_in_a_chat_the_letter_says_to_reply_there(storage: Storage) -> None:
    letter = await answer_letter(storage, NEW, channel="webchat", external_id="v1")
    assert 'reply "I am not satisfied" in this chat' in letter
