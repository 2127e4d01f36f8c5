"""Telegram keeps the same limits as the web chat (issue 15, points 11-12; services/limits.py):
files only once the conversation takes them, a count per complaint, bytes per person in an
hour; a complaint too long is kept whole as a file for staff, and the person is told in
their language. Through the real PTB Application and the fake Bot API."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bot.telegram.app import TelegramApp
from locales import translator
from procedures.model import Contact
from services import limits
from storage.models import Attachment, Complaint
from storage.runtime import Storage
from tests.fakes.botapi import FakeBotAPI
from tests.telegram.helpers import ALICE, after_description, begin, press, say, to_description

pytestmark = pytest.mark.e2e

JPEG = b"\xff\xd8\xff a photo of the wall "
TOO_EARLY = (
    "Please send files when I ask for them, after you tell me what happened. "
    "I have not kept that file."
)
TOO_MANY = "You have sent a lot of files."
KEPT = "Your message was very long, so I have kept all of it as a file for the staff to read."


async def attachments(storage: Storage) -> list[Attachment]:
    async with storage.sessions() as session:
        return list(await session.scalars(select(Attachment).order_by(Attachment.id)))


def text_of(message: object) -> str:
    return getattr(message, "text", None) or getattr(message, "caption", None) or ""


async def test_a_file_before_the_privacy_step_is_refused_in_the_persons_language(
    api: FakeBotAPI, storage: Storage, bot: TelegramApp
) -> None:
    alice = api.user(ALICE, language_code="pl")
    await alice.send_text("/start")
    await alice.wait_for_message(lambda m: "language:pl" in [b.callback_data for b in m.buttons])
    await press(alice, "language:pl", "")  # the privacy question, in Polish
    await alice.send_photo(JPEG * 10, caption="my complaint")
    refusal = translator("pl").gettext(TOO_EARLY)
    assert refusal != TOO_EARLY
    await alice.wait_for_message(lambda m: refusal in text_of(m))
    assert api.calls_of("getFile") == []  # not even downloaded
    assert await attachments(storage) == []
    draft = await storage.drafts.load("telegram", str(ALICE))
    assert draft is not None and "files" not in draft["answers"]


async def test_files_per_complaint_are_limited(
    api: FakeBotAPI, storage: Storage, bot: TelegramApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "FILES_PER_COMPLAINT", 2)
    alice = api.user(ALICE, language_code="en")
    await begin(alice)
    for n in range(2):
        await alice.send_photo(JPEG + bytes([n]) * 10)
        await alice.wait_for_message(lambda m: "kept the file" in text_of(m))
    await alice.send_photo(JPEG + b"third")
    await alice.wait_for_message(lambda m: TOO_MANY in text_of(m))
    assert len(await attachments(storage)) == 2
    # The conversation goes on: words still count.
    await say(alice, "The wall is damp.", "You can send more")


async def test_bytes_per_person_in_an_hour_are_limited(
    api: FakeBotAPI, storage: Storage, bot: TelegramApp
) -> None:
    storage.attachments.max_bytes = 4096  # two of the largest files an hour: 8 KB
    alice = api.user(ALICE, language_code="en")
    await begin(alice)
    photo = JPEG * 150  # about 3.5 KB
    for n in range(2):
        await alice.send_photo(photo + bytes([n]))
        await alice.wait_for_message(lambda m: "kept the file" in text_of(m))
    await alice.send_photo(photo + b"\x02")
    await alice.wait_for_message(lambda m: TOO_MANY in text_of(m))
    assert len(await attachments(storage)) == 2


async def test_a_complaint_too_long_is_kept_whole_as_a_file(
    api: FakeBotAPI, storage: Storage, bot: TelegramApp
) -> None:
    alice = api.user(ALICE, language_code="en")
    await begin(alice)
    # Telegram's messages stop at 4,096 characters; thirteen of them pass the complaint's
    # 50,000.
    parts = [f"Part {n}: " + "the boiler broke again. " * 160 for n in range(13)]
    assert all(len(p) <= 4096 for p in parts) and sum(map(len, parts)) > limits.COMPLAINT_CHARS
    for part in parts[:-1]:
        await say(alice, part, "You can send more")
    await alice.send_text(parts[-1])
    await alice.wait_for_message(lambda m: KEPT in text_of(m))
    [kept] = await attachments(storage)
    assert storage.attachments.read(kept.sha256).decode() == parts[-1]  # all of it
    await after_description(alice)
    await press(alice, "summary:send", "Your reference is")
    async with storage.sessions() as session:
        complaint = await session.scalar(select(Complaint))
        linked = await session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.complaint_id.is_not(None))
        )
    assert complaint is not None and parts[-1] not in complaint.description
    assert "Part 11:" in complaint.description and linked == 1


async def test_a_long_answer_before_the_privacy_step_is_refused_kindly(
    api: FakeBotAPI, storage: Storage, bot: TelegramApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MESSAGE_CHARS", 300)  # Telegram itself stops at 4,096
    alice = api.user(ALICE, language_code="en")
    await say(alice, "/start", "Which language")
    await press(alice, "language:en", "Shall we start?")
    await say(alice, "Let me tell you everything. " * 20, "too long")
    await alice.wait_for_message(lambda m: "Shall we start?" in text_of(m))  # asked again
    assert await attachments(storage) == []
    draft = await storage.drafts.load("telegram", str(ALICE))
    assert draft is not None and draft["step"] == "privacy" and not draft["answers"].get("notes")


async def test_complaints_per_person_in_an_hour_are_limited_with_another_way_in(
    api: FakeBotAPI, storage: Storage, bot: TelegramApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point 10 in Telegram too: the limit is the runner's, whichever channel sends."""
    monkeypatch.setattr(limits, "COMPLAINTS_PER_HOUR", 1)
    storage.procedure = replace(storage.procedure, contact=Contact(phone="01632 960000"))
    alice = api.user(ALICE, language_code="en")
    await begin(alice)
    await say(alice, "The boiler is broken.", "You can send more")
    await after_description(alice)
    await press(alice, "summary:send", "Your reference is")
    await to_description(alice, await press(alice, "menu:new", "What would you like to do?"))
    await say(alice, "And the radiator.", "You can send more")
    await after_description(alice)
    refusal = await press(alice, "summary:send", "several complaints in a short time")
    assert "01632 960000" in text_of(refusal)  # another way to reach the organisation
    async with storage.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Complaint)) == 1
    # Nothing typed is lost: the read-back is asked again, with the answers kept.
    draft = await storage.drafts.load("telegram", str(ALICE))
    assert draft is not None and draft["step"] == "summary"
    assert "And the radiator." in draft["answers"]["description"]
