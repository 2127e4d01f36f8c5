"""Repeats, restarts, webhooks, faults, files and logs: the Telegram channel under stress."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.delivery import DeliveryWorker
from bot.telegram.app import TelegramApp, build_application, running
from bot.telegram.commands import telegram_languages
from bot.telegram.sender import TelegramSender
from server import create_app
from storage.delivery import DeliveryStore
from storage.models import Draft, Outbox, Person, ProcessedUpdate
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.conftest import FakeClock
from tests.fakes.botapi import FakeBotAPI, FakeUser
from tests.telegram.helpers import (
    ALICE,
    TOKEN,
    begin,
    eventually,
    fast_limits,
    moving,
    outbox_states,
    press,
    say,
)

pytestmark = pytest.mark.e2e


async def draft_of(storage: Storage, user_id: int) -> dict[str, Any] | None:
    return await storage.drafts.load("telegram", str(user_id))


async def test_commands_registered_in_each_language(api: FakeBotAPI, bot: TelegramApp) -> None:
    names = ["start", "help", "status", "language", "cancel", "mydata"]
    assert [c["command"] for c in api.commands[("default", "")]] == names
    for code in telegram_languages():
        assert [c["command"] for c in api.commands[("default", code)]] == names
    assert "en_Easy" not in telegram_languages() and "cy" in telegram_languages()


async def test_repeated_update_id_changes_nothing(
    api: FakeBotAPI, storage: Storage, bot: TelegramApp
) -> None:
    alice = api.user(ALICE)
    delivered: list[dict[str, Any]] = []
    send_raw_update = api.send_raw_update

    async def recording(update: dict[str, Any]) -> dict[str, Any]:
        sent = await send_raw_update(update)
        delivered.append(sent)
        return sent

    api.send_raw_update = recording  # type: ignore[method-assign]
    await begin(alice)
    await say(alice, "The boiler is broken.", "You can send more")
    press_update = next(u for u in reversed(delivered) if "callback_query" in u)
    text_update = delivered[-1]
    before = (await draft_of(storage, ALICE), len(alice.messages()))

    await send_raw_update(text_update)  # Telegram delivers both again, same update ids
    await send_raw_update(press_update)
    await say(alice, "/status", "You have not made a complaint")  # handled after the repeats
    await alice.wait_for_message()  # /status then asks the open question again

    assert (await draft_of(storage, ALICE), len(alice.messages()) - 2) == before
    assert api.pending_update_count == 0


async def test_restart_between_answers_resumes_at_the_same_question(
    api: FakeBotAPI, storage: Storage, settings: Settings, clock: FakeClock
) -> None:
    alice = api.user(ALICE)
    async with running(build_application(storage, settings), settings):
        await say(alice, "/start", "Which language")
        await press(alice, "language:en", "Shall we start?")
        question = await press(alice, "privacy:yes", "What would you like to do?")
    # The bot is down; the person answers anyway, and Telegram keeps the update.
    await alice.press(question, "kind:complaint")

    restarted = await open_storage(storage.settings, run_migrations=False, clock=clock)
    try:
        async with running(build_application(restarted, settings), settings):
            await alice.wait_for_message(lambda m: "for yourself" in (m.text or ""))
            again = await say(alice, "/start", "Welcome back")
            assert "for yourself" in (again.text or "")
            await press(alice, "behalf:self", "What is it mainly about?")
    finally:
        await restarted.close()


async def test_webhook_checks_the_secret(
    api: FakeBotAPI,
    storage: Storage,
    settings: Settings,
    clock: FakeClock,
    unused_tcp_port: int,
) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/webhook"
    hooked = Settings(
        **{
            **settings.__dict__,
            "database_url": storage.settings.database_url,
            "telegram_webhook_url": url,
            "telegram_webhook_secret": "hook-secret_1",
        }
    )
    webhook_storage = await open_storage(hooked, run_migrations=False, clock=clock)
    application = build_application(webhook_storage, hooked)
    runner = web.AppRunner(create_app(webhook_storage, telegram=application), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
        async with running(application, hooked):
            assert api.webhook.url == url and api.webhook.secret_token == "hook-secret_1"
            alice = api.user(ALICE)
            await say(alice, "/start", "Which language")  # pushed by the fake, with the secret
            await press(alice, "language:en", "Shall we start?")
            assert {outcome for _, outcome in api.webhook_attempts} == {200}

            bob = api.user(2002, "Bob")
            update = {
                "update_id": 990001,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": bob.as_chat(),
                    "from": bob.as_user(),
                    "text": "/start",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                },
            }
            async with aiohttp.ClientSession() as session:
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                    async with session.post(url, json=update, headers=headers) as response:
                        assert response.status == 403
                assert await draft_of(webhook_storage, 2002) is None
                async with webhook_storage.sessions() as db:
                    stored = await db.scalar(
                        select(func.count()).where(ProcessedUpdate.update_id == "990001")
                    )
                    assert stored == 0
                assert bob.messages() == []

                right = {"X-Telegram-Bot-Api-Secret-Token": "hook-secret_1"}
                async with session.post(url, json=update, headers=right) as response:
                    assert response.status == 200
            assert "Which language" in (bob.messages()[-1].text or "")
            assert await draft_of(webhook_storage, 2002) is not None
    finally:
        await runner.cleanup()
        await webhook_storage.close()


async def test_outbox_under_faults_delivers_each_message_once(
    api: FakeBotAPI, storage: Storage, bot: TelegramApp, clock: FakeClock, no_backoff: None
) -> None:
    chats = [api.user(3000 + n) for n in range(3)]
    bodies = {chat.id: [f"Message {n} for {chat.id}." for n in range(8)] for chat in chats}
    async with storage.sessions() as session, session.begin():
        person = Person(created_at=clock())
        session.add(person)
        await session.flush()
        for n in range(8):
            for chat in chats:
                session.add(
                    Outbox(
                        person_id=person.id,
                        channel="telegram",
                        address=str(chat.id),
                        body=bodies[chat.id][n],
                        next_attempt_at=clock(),
                        created_at=clock(),
                    )
                )
    api.faults.fail_randomly(0.2, seed=5, statuses=(429, 500), retry_after=0.2)
    worker = DeliveryWorker(
        DeliveryStore(storage.sessions),
        {"telegram": TelegramSender(bot.bot)},
        limits=fast_limits(),
        clock=moving(clock),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:

        async def settled() -> dict[str, str] | None:
            states = await outbox_states(storage)
            return states if set(states.values()) <= {"sent", "failed"} else None

        states = await eventually(settled, timeout=20)
    finally:
        stop.set()
        await task
    assert {status for _, status in api.faults.injected} == {429, 500}
    assert len(states) == 24
    for chat in chats:
        shown = [m.text for m in chat.messages()]
        for body in bodies[chat.id]:
            assert shown.count(body) == (1 if states[body] == "sent" else 0), body
        assert shown == [b for b in bodies[chat.id] if b in shown]  # in order


async def test_files_too_big_or_unsupported_get_a_kind_answer(
    api: FakeBotAPI, storage: Storage, bot: TelegramApp
) -> None:
    alice = api.user(ALICE)
    await begin(alice)
    await alice.send_document(b"tiny", "huge.pdf", file_size=21 * 1024 * 1024)
    await alice.wait_for_message(lambda m: "too big" in (m.text or ""))
    assert api.calls_of("getFile") == []  # refused from file_size, before any download

    storage.attachments.max_bytes = 1024  # our own limit, lower than Telegram's
    await alice.send_photo(b"x" * 5000, file_size=100)  # Telegram's size is wrong
    await alice.wait_for_message(lambda m: "smaller than" in (m.text or ""))

    await alice.send_document(b"PK\x03\x04", "archive.zip", "application/zip")
    await alice.wait_for_message(lambda m: "can't keep that kind of file" in (m.text or ""))

    location = {"location": {"latitude": 51.5, "longitude": -0.1}}
    await api.send_raw_update({"message": {**_message(alice), **location}})
    await alice.wait_for_message(lambda m: "can only read" in (m.text or ""))

    # The conversation goes on where it was.
    await say(alice, "The boiler is broken.", "You can send more")
    draft = await draft_of(storage, ALICE)
    assert draft is not None and draft["step"] == "description"


def _message(user: FakeUser) -> dict[str, Any]:
    return {"message_id": 900, "date": 0, "chat": user.as_chat(), "from": user.as_user()}


async def test_token_never_logged_at_debug(
    api: FakeBotAPI, storage: Storage, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("telegram", "telegram.ext.Updater", "aiohttp", "sqlalchemy"):
        caplog.set_level(logging.DEBUG, logger=name)
    alice = api.user(ALICE)
    application = build_application(storage, settings)
    async with running(application, settings):
        await begin(alice)
        await alice.send_photo(b"\xff\xd8 photo" * 10, caption="the wall")
        await alice.wait_for_message(lambda m: "kept" in (m.text or "") or "got" in (m.text or ""))
        api.faults.fail_next(status=500, method="sendMessage")
        await alice.send_text("Another line.")  # the reply fails: the error handler logs
        await alice.wait_for_message(lambda m: "went wrong" in (m.text or ""))
        sender = TelegramSender(application.bot)
        async with storage.sessions() as session, session.begin():
            person = Person(created_at=storage.clock())
            session.add(person)
            await session.flush()
            row = Outbox(
                person_id=person.id,
                channel="telegram",
                address=str(ALICE),
                body="From staff.",
                next_attempt_at=storage.clock(),
                created_at=storage.clock(),
            )
            session.add(row)
        worker = DeliveryWorker(DeliveryStore(storage.sessions), {"telegram": sender})
        await worker.drain_once()
        await alice.wait_for_message(lambda m: m.text == "From staff.")
    assert any(r.name.startswith("telegram") for r in caplog.records)  # DEBUG was on
    secret = TOKEN.split(":", 1)[1]
    assert secret not in caplog.text
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in str(record.exc_text or "")
    assert await draft_of(storage, ALICE) is not None
    async with storage.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Draft)) == 1
