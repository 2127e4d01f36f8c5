"""The fake Bot API server, exercised through the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.fakes.botapi import Button, FakeBotAPI

TOKEN = "123456:TEST-TOKEN"
ALICE = 1001

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Yes", callback_data="yes"),
            InlineKeyboardButton("No", callback_data="no"),
        ]
    ]
)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


async def test_urls_follow_ptb_convention(api: FakeBotAPI, bot: Bot) -> None:
    assert api.base_url == f"http://127.0.0.1:{api.port}/bot"
    assert api.base_file_url == f"http://127.0.0.1:{api.port}/file/bot"
    assert bot.base_url == f"{api.base_url}{TOKEN}"


async def test_get_me(bot: Bot, api: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == api.bot_username
    assert api.calls[-1].method == "getMe"


async def test_wrong_token_and_unknown_method(api: FakeBotAPI, bot: Bot) -> None:
    wrong = Bot("999:WRONG", base_url=api.base_url, base_file_url=api.base_file_url)
    with pytest.raises(InvalidToken):
        async with wrong:  # shuts its connection pool down on failure too
            pass
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{api.base_url}999:WRONG/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with session.post(f"{api.base_url}{TOKEN}/noSuchMethod") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found"


async def test_send_message_with_inline_keyboard(bot: Bot, api: FakeBotAPI) -> None:
    alice = api.user(ALICE, "Alice")
    sent = await bot.send_message(ALICE, "123", reply_markup=KEYBOARD)

    assert sent.text == "123"  # form fields are not JSON-decoded when they are text
    assert sent.chat.id == ALICE
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.reply_markup == KEYBOARD
    assert alice.messages()[0].message_id == sent.message_id
    assert alice.last_buttons() == [Button("Yes", "yes"), Button("No", "no")]
    assert api.sent_at[ALICE] and api.sent_at[ALICE][0] <= time.monotonic()


async def test_send_message_errors(bot: Bot, api: FakeBotAPI) -> None:
    api.user(ALICE)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(42, "hi")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        too_long = InlineKeyboardButton("x", callback_data="d" * 65)
        await bot.send_message(ALICE, "hi", reply_markup=InlineKeyboardMarkup([[too_long]]))
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ALICE, "1 < 2", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(ALICE, "Thanks.", parse_mode=ParseMode.MARKDOWN_V2)


async def test_parse_modes_return_plain_text_with_entities(bot: Bot, api: FakeBotAPI) -> None:
    api.user(ALICE)
    sent = await bot.send_message(
        ALICE, "<b>Ref</b> 12 &amp; <a href='https://x.test/'>link</a>", parse_mode="HTML"
    )
    assert sent.text == "Ref 12 & link"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 3),
        ("text_link", 9, 4),
    ]
    sent = await bot.send_message(ALICE, "*Ref* 12\\.", parse_mode=ParseMode.MARKDOWN_V2)
    assert sent.text == "Ref 12."
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 3)]


async def test_edit_message_reply_markup_and_text(bot: Bot, api: FakeBotAPI) -> None:
    alice = api.user(ALICE)
    sent = await bot.send_message(ALICE, "Pick one", reply_markup=KEYBOARD)

    edited = await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=None)
    assert isinstance(edited, type(sent)) and edited.reply_markup is None
    assert alice.last_buttons() == []
    with pytest.raises(AssertionError, match="no button 'yes'"):
        await alice.press(sent.message_id, "yes")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=None)

    await bot.edit_message_text("Picked: yes", ALICE, sent.message_id)
    assert alice.messages()[0].text == "Picked: yes"
    assert alice.messages()[0].edits == 2
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ALICE, 999)


async def test_stale_button_can_be_pressed_explicitly(bot: Bot, api: FakeBotAPI) -> None:
    alice = api.user(ALICE)
    sent = await bot.send_message(ALICE, "Pick one", reply_markup=KEYBOARD)
    await bot.edit_message_reply_markup(ALICE, sent.message_id)

    query_id = await alice.press(sent.message_id, "yes", check=False)

    [update] = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.id == query_id
    assert update.callback_query.data == "yes"
    await update.callback_query.answer("Too late")
    assert api.callback_answer(query_id) is not None
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_get_file_and_download(bot: Bot, api: FakeBotAPI) -> None:
    alice = api.user(ALICE)
    photo = b"\xff\xd8 fake jpeg " * 100
    await alice.send_photo(photo, caption="the damp wall")
    await alice.send_document(b"%PDF-1.4", "letter.pdf", "application/pdf")
    await alice.send_voice(b"OggS voice", duration=3)

    photo_update, document_update, voice_update = await bot.get_updates()
    assert photo_update.message is not None and photo_update.message.caption == "the damp wall"
    size = photo_update.message.photo[-1]
    assert size.file_size == len(photo)
    file = await size.get_file()
    assert file.file_size == len(photo)
    assert file.file_path is not None and file.file_path.startswith(api.base_file_url + TOKEN)
    assert bytes(await file.download_as_bytearray()) == photo

    assert document_update.message is not None and document_update.message.document
    assert document_update.message.document.file_name == "letter.pdf"
    document_file = await document_update.message.document.get_file()
    assert bytes(await document_file.download_as_bytearray()) == b"%PDF-1.4"
    assert voice_update.message is not None and voice_update.message.voice
    assert voice_update.message.voice.file_size == len(b"OggS voice")

    big = await alice.send_document(b"tiny", "big.pdf", file_size=21 * 1024 * 1024)
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(big["message"]["document"]["file_id"])


async def test_bot_sends_document_and_photo(bot: Bot, api: FakeBotAPI) -> None:
    alice = api.user(ALICE)
    await bot.send_document(ALICE, b"case export", filename="case.txt", caption="<i>yours</i>",
                            parse_mode="HTML")  # fmt: skip
    await bot.send_photo(ALICE, b"\x89PNG fake")
    document, photo = alice.messages()
    assert document.caption == "yours"
    assert document.data["document"]["file_name"] == "case.txt"
    stored = api.files[document.data["document"]["file_id"]]
    assert stored.data == b"case export"
    assert api.files[photo.data["photo"][-1]["file_id"]].data == b"\x89PNG fake"


async def test_get_updates_offsets_and_long_polling(bot: Bot, api: FakeBotAPI) -> None:
    alice = api.user(ALICE)
    for text in ("one", "two", "three"):
        await alice.send_text(text)

    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["one", "two", "three"]
    ids = [u.update_id for u in first]
    assert ids == sorted(ids)
    # An offset confirms every earlier update: they are never returned again.
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u.update_id for u in await bot.get_updates()] == ids[1:]
    assert [u.update_id for u in await bot.get_updates(offset=ids[1], limit=1)] == [ids[1]]
    # A negative offset keeps only the last -offset updates and forgets the rest.
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [ids[2]]
    assert [u.update_id for u in await bot.get_updates()] == [ids[2]]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert api.pending_update_count == 0

    # Long polling answers as soon as an update arrives...
    poll = asyncio.create_task(bot.get_updates(offset=ids[2] + 1, timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    started = time.monotonic()
    await alice.send_text("four")
    [update] = await poll
    assert time.monotonic() - started < 1
    assert update.message is not None and update.message.text == "four"
    # ...and honours its timeout when none does.
    started = time.monotonic()
    assert await bot.get_updates(offset=update.update_id + 1, timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 2


async def test_repeated_update_id_is_delivered_again(bot: Bot, api: FakeBotAPI) -> None:
    alice = api.user(ALICE)
    original = await alice.send_text("/start")
    [first] = await bot.get_updates()
    await api.send_raw_update(original)
    [again] = await bot.get_updates(offset=first.update_id + 1)
    assert again.update_id == first.update_id
    assert again.message is not None and again.message.text == "/start"
    assert await bot.get_updates(offset=first.update_id + 1) == ()


async def test_newer_get_updates_ends_older_with_conflict(bot: Bot, api: FakeBotAPI) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    async with Bot(TOKEN, base_url=api.base_url) as second_instance:
        assert await second_instance.get_updates() == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates"):
        await older


async def test_commands_per_scope_and_language(bot: Bot, api: FakeBotAPI) -> None:
    english = [BotCommand("start", "Start a complaint"), BotCommand("status", "Case status")]
    welsh = [BotCommand("start", "Dechrau cwyn")]
    await bot.set_my_commands(english)
    await bot.set_my_commands(welsh, language_code="cy")
    await bot.set_my_commands(english[:1], scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(welsh, scope=BotCommandScopeChat(ALICE), language_code="cy")

    assert await bot.get_my_commands() == tuple(english)
    assert await bot.get_my_commands(language_code="cy") == tuple(welsh)
    assert api.commands[("all_private_chats", "")] == [
        {"command": "start", "description": "Start a complaint"}
    ]
    assert ("chat:1001", "cy") in api.commands
    await bot.delete_my_commands(language_code="cy")
    assert await bot.get_my_commands(language_code="cy") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_send_chat_action(bot: Bot, api: FakeBotAPI) -> None:
    api.user(ALICE)
    assert await bot.send_chat_action(ALICE, ChatAction.TYPING)
    assert api.chat_actions == [(ALICE, "typing")]


async def test_rate_limit_surfaces_as_retry_after(
    bot: Bot, api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # opt in to timedelta, without a deprecation warning
    alice = api.user(ALICE)
    api.faults.fail_next(status=429, method="sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(ALICE, "hi")
    assert raised.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(ALICE, "hi")  # only the next call failed
    assert [m.text for m in alice.messages()] == ["hi"]
    assert api.faults.injected == [("sendMessage", 429)]


async def test_server_error_and_blocked_chat(bot: Bot, api: FakeBotAPI) -> None:
    alice = api.user(ALICE)
    api.faults.fail_next(2, status=500)
    with pytest.raises(NetworkError, match=r"(?i)Internal Server Error"):
        await bot.send_message(ALICE, "hi")
    with pytest.raises(NetworkError):
        await bot.get_me()

    alice.block_bot()
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(ALICE, "hi")
    api.faults.unblock(ALICE)
    await bot.send_message(ALICE, "hi")
    assert len(alice.messages()) == 1


async def test_random_faults_are_seeded(
    bot: Bot, api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    api.user(ALICE)

    async def outcomes() -> list[str]:
        api.faults.fail_randomly(0.3, seed=7, retry_after=0.5)
        results = []
        for _ in range(30):
            try:
                await bot.send_message(ALICE, "hi")
                results.append("ok")
            except RetryAfter:
                results.append("429")
            except NetworkError:
                results.append("500")
        return results

    first = await outcomes()
    assert await outcomes() == first
    assert {"ok", "429", "500"} <= set(first)
    assert first.count("ok") == len(api.messages(ALICE)) // 2


async def test_delay_provokes_client_timeout_but_still_sends(api: FakeBotAPI) -> None:
    alice = api.user(ALICE)
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(TOKEN, base_url=api.base_url, request=request) as bot:
        api.faults.delay(0.5, method="sendMessage", count=1)
        with pytest.raises(TimedOut):
            await bot.send_message(ALICE, "slow")
        # Like the real server, the request the client gave up on still lands.
        message = await alice.wait_for_message(timeout=2)
        assert message.text == "slow"


async def test_wait_for_message_times_out_with_assertion(api: FakeBotAPI) -> None:
    alice = api.user(ALICE)
    with pytest.raises(AssertionError, match="no matching bot message"):
        await alice.wait_for_message(timeout=0.05)


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[tuple[str, list[tuple[str | None, dict[str, Any]]]]]:
    received: list[tuple[str | None, dict[str, Any]]] = []
    fail_first = [True]

    async def receive(request: web.Request) -> web.Response:
        if fail_first.pop() if fail_first else False:
            return web.Response(status=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        received.append((secret, await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/telegram", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/telegram", received
    finally:
        await runner.cleanup()


async def test_webhook_delivery_with_secret(
    bot: Bot, api: FakeBotAPI, webhook_receiver: tuple[str, list[tuple[str | None, dict[str, Any]]]]
) -> None:
    url, received = webhook_receiver
    alice = api.user(ALICE)
    assert await bot.set_webhook(url, secret_token="s3cret-token")
    info = await bot.get_webhook_info()
    assert info.url == url

    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    update = await alice.send_text("hello")

    await api.wait_until(lambda: received, timeout=3)
    secret, body = received[0]
    assert secret == "s3cret-token"
    assert body == json.loads(json.dumps(update))
    assert Update.de_json(body, bot).message.text == "hello"  # type: ignore[union-attr]
    # The receiver failed the first attempt; the update was retried, not lost.
    assert [outcome for _, outcome in api.webhook_attempts] == [500, 200]
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500"

    assert await bot.delete_webhook()
    await alice.send_text("polling again")
    [polled] = await bot.get_updates()
    assert polled.message is not None and polled.message.text == "polling again"


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask a question with buttons."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("Is it urgent?", reply_markup=KEYBOARD)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and replace the buttons with the choice."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"Urgent: {query.data}")


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo free text."""
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(f"You said: {update.effective_message.text}")


async def test_application_polling_end_to_end(api: FakeBotAPI) -> None:
    alice = api.user(ALICE, "Alice")
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await alice.send_text("/start")
            question = await alice.wait_for_message()
            assert question.text == "Is it urgent?"
            assert [b.text for b in alice.last_buttons()] == ["Yes", "No"]

            query_id = await alice.press(question, "yes")
            await api.wait_until(lambda: api.callback_answer(query_id))
            await api.wait_until(lambda: question.text == "Urgent: yes")
            assert question.buttons == []  # editing the text without a keyboard drops it

            await alice.send_text("the boiler is broken")
            echo = await alice.wait_for_message()
            assert echo.text == "You said: the boiler is broken"
        finally:
            await app.updater.stop()
            await app.stop()
    # PTB's shutdown confirmed everything it fetched.
    assert api.pending_update_count == 0
