"""A local Telegram Bot API server for tests.

`FakeBotAPI` speaks the subset of the Bot API our bot uses, with the real response shapes and
error descriptions, so the real python-telegram-bot `Bot`/`Application` can run against it
offline through `base_url`/`base_file_url`. Tests act as complainants through `FakeUser` and
inject faults through `api.faults`.

    async with FakeBotAPI(token="123:TEST") as api:
        bot = telegram.Bot(token, base_url=api.base_url, base_file_url=api.base_file_url)
        alice = api.user(1001, "Alice")
        await alice.send_text("/start")
        reply = await alice.wait_for_message()

Run standalone with `python -m tests.fakes.botapi --port 8081 --token T`.

Where the real server is lenient or undocumented the fake is strict on purpose (it rejects
malformed HTML, a second answer to one callback query, buttons with over-long callback data),
so that bugs surface here rather than in production.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import itertools
import json
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import aiohttp
from aiohttp import web

JSON = dict[str, Any]
Handler = Callable[[JSON], Any]
T = TypeVar("T")

#: Telegram's cloud Bot API refuses getFile for bigger files.
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# Update types the real server withholds unless allowed_updates names them.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# Form fields PTB sends as plain strings; every other field is JSON-encoded
# (see telegram/request/_requestparameter.py), so a text of "123" must not become an int.
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "file_id",
        "language_code",
        "inline_message_id",
        "action",
        "ip_address",
        "description",
        "short_description",
        "name",
        "business_connection_id",
        "message_effect_id",
    }
)

_STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}

_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class BotAPIError(Exception):
    """An error answer of the Bot API, raised by method handlers and fault rules."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def response(self) -> web.Response:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.code)


def _bad_request(message: str) -> BotAPIError:
    return BotAPIError(400, f"Bad Request: {message}")


def _error_for_status(status: int, retry_after: float = 1) -> BotAPIError:
    if status == 429:
        shown = int(retry_after) if float(retry_after).is_integer() else retry_after
        return BotAPIError(429, f"Too Many Requests: retry after {shown}", {"retry_after": shown})
    return BotAPIError(status, _STATUS_TEXT.get(status, "Internal Server Error"))


class Call(NamedTuple):
    """One authorised request the server received, whether it succeeded or was faulted."""

    method: str
    params: JSON


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    #: What getFile and the message report; tests may declare a size other than len(data)
    #: to check that the bot trusts neither blindly.
    file_size: int

    def as_file(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class BotMessage:
    """A message the bot sent, kept current through edits."""

    data: JSON  # the Message object as the server would return it now
    sent_params: JSON  # the parameters of the send call, as received
    edits: int = 0
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.data["chat"]["id"])

    @property
    def text(self) -> str | None:
        """The text as shown, after parse_mode (markup removed, see `entities`)."""
        return self.data.get("text")

    @property
    def caption(self) -> str | None:
        return self.data.get("caption")

    @property
    def entities(self) -> list[JSON]:
        return list(self.data.get("entities") or self.data.get("caption_entities") or [])

    @property
    def reply_markup(self) -> JSON | None:
        return self.data.get("reply_markup")

    @property
    def keyboard(self) -> list[list[Button]]:
        """Rows of the current inline keyboard (empty when it has none)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            [Button(b["text"], b.get("callback_data"), b.get("url")) for b in row] for row in rows
        ]

    @property
    def buttons(self) -> list[Button]:
        return [button for row in self.keyboard for button in row]


@dataclass
class AnsweredCallback:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass
class WebhookState:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Queued:
    update: JSON
    # An update injected with an id at or below one already queued (a redelivery) is handed
    # out once at its place in the queue whatever the offset, then forgotten on confirmation.
    stale: bool
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


@dataclass
class _FailRule:
    status: int
    method: str | None
    remaining: int
    retry_after: float


@dataclass
class _Delay:
    seconds: float
    method: str | None
    remaining: int | None


class Faults:
    """Knobs for injecting Bot API failures; all apply to requests with a valid token.

    Order per request: delay, then `fail_next` rules, then blocked chats, then random failures.
    Method names are the canonical Bot API spelling ("sendMessage"); file downloads count as
    the method "file".
    """

    def __init__(self) -> None:
        self.blocked_chats: set[int] = set()
        self.random_rate = 0.0
        self.random_methods: frozenset[str] = frozenset({"sendMessage"})
        self.random_statuses: tuple[int, ...] = (429, 500)
        self.random_retry_after: float = 1
        self.rng = random.Random(0)
        #: (method, status) of every fault answered, so tests can check faults really fired.
        self.injected: list[tuple[str, int]] = []
        self._rules: list[_FailRule] = []
        self._delays: list[_Delay] = []

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 429,
        method: str | None = None,
        retry_after: float = 1,
    ) -> None:
        """Answer the next `count` calls of `method` (or of any method) with `status`."""
        self._rules.append(_FailRule(status, method, count, retry_after))

    def block(self, chat_id: int) -> None:
        """Answer 403 "bot was blocked by the user" to every call aimed at this chat."""
        self.blocked_chats.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked_chats.discard(chat_id)

    def fail_randomly(
        self,
        rate: float,
        *,
        seed: int = 0,
        methods: Iterable[str] = ("sendMessage",),
        statuses: Iterable[int] = (429, 500),
        retry_after: float = 1,
    ) -> None:
        """Answer a seeded random fraction `rate` of calls of `methods` with one of `statuses`."""
        self.random_rate = rate
        self.rng = random.Random(seed)
        self.random_methods = frozenset(methods)
        self.random_statuses = tuple(statuses)
        self.random_retry_after = retry_after

    def delay(self, seconds: float, *, method: str | None = None, count: int | None = None) -> None:
        """Hold answers of `method` (or all) for `seconds`, for `count` calls or until cleared.

        As with the real server, a request whose client gave up still takes effect afterwards.
        """
        self._delays.append(_Delay(seconds, method, count))

    def clear(self) -> None:
        self.blocked_chats.clear()
        self.random_rate = 0.0
        self._rules.clear()
        self._delays.clear()

    def _take_delay(self, method: str) -> float:
        total = 0.0
        for delay in self._delays:
            if delay.method in (None, method) and delay.remaining != 0:
                total += delay.seconds
                if delay.remaining is not None:
                    delay.remaining -= 1
        self._delays = [d for d in self._delays if d.remaining != 0]
        return total

    def _take_error(self, method: str, params: JSON) -> BotAPIError | None:
        for rule in self._rules:
            if rule.method in (None, method) and rule.remaining > 0:
                rule.remaining -= 1
                self._rules = [r for r in self._rules if r.remaining > 0]
                return self._record(method, _error_for_status(rule.status, rule.retry_after))
        chat_id = _as_int(params.get("chat_id"))
        if chat_id is not None and chat_id in self.blocked_chats:
            return self._record(method, _error_for_status(403))
        # The generator is drawn only for matching calls, so a seed gives the same faults.
        matches = method in self.random_methods and self.random_rate > 0
        if matches and self.rng.random() < self.random_rate:
            status = self.rng.choice(self.random_statuses)
            return self._record(method, _error_for_status(status, self.random_retry_after))
        return None

    def _record(self, method: str, error: BotAPIError) -> BotAPIError:
        self.injected.append((method, error.code))
        return error


class _Chat:
    def __init__(self, user: FakeUser) -> None:
        self.user = user
        self.message_ids = itertools.count(1)
        self.messages: dict[int, JSON | BotMessage] = {}
        self.bot_messages: list[BotMessage] = []


class FakeUser:
    """A person talking to the bot in a private chat (chat id == user id)."""

    def __init__(
        self,
        api: FakeBotAPI,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> None:
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self._read = 0  # index into the bot's messages: wait_for_message's cursor

    @property
    def chat_id(self) -> int:
        return self.id

    def as_user(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    def as_chat(self) -> JSON:
        data: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    async def send_text(self, text: str) -> JSON:
        """Send a text message (a leading /command gets its entity); returns the update."""
        content: JSON = {"text": text}
        if command := re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text):
            length = _utf16_len(command.group(0))
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self._send(content)

    async def send_photo(
        self,
        data: bytes,
        caption: str | None = None,
        *,
        width: int = 1280,
        height: int = 960,
        file_size: int | None = None,
    ) -> JSON:
        stored = self.api.add_file(data, "photos", ".jpg", file_size=file_size)
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": stored.file_size,
        }
        return await self._send(_with_caption({"photo": [size]}, caption))

    async def send_document(
        self,
        data: bytes,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        *,
        caption: str | None = None,
        file_size: int | None = None,
    ) -> JSON:
        suffix = os.path.splitext(file_name)[1] or ".bin"
        stored = self.api.add_file(data, "documents", suffix, file_size=file_size)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": stored.file_size,
        }
        return await self._send(_with_caption({"document": document}, caption))

    async def send_voice(
        self,
        data: bytes,
        duration: int = 1,
        *,
        mime_type: str = "audio/ogg",
        file_size: int | None = None,
    ) -> JSON:
        stored = self.api.add_file(data, "voice", ".oga", file_size=file_size)
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": mime_type,
            "file_size": stored.file_size,
        }
        return await self._send({"voice": voice})

    async def press(
        self, message: BotMessage | int, callback_data: str, *, check: bool = True
    ) -> str:
        """Press an inline button; returns the callback query id.

        Raises AssertionError unless the message currently shows a button with this
        callback_data; `check=False` presses it anyway, like a stale keyboard on a phone.
        """
        chat = self.api._chat(self.id)
        message_id = message.message_id if isinstance(message, BotMessage) else message
        found = chat.messages.get(message_id)
        if not isinstance(found, BotMessage) or found.deleted:
            raise AssertionError(f"no bot message {message_id} in chat {self.id}")
        if check and callback_data not in [b.callback_data for b in found.buttons]:
            shown = [b.callback_data for b in found.buttons]
            raise AssertionError(
                f"message {message_id} has no button {callback_data!r}; it shows {shown}"
            )
        query_id = str(next(self.api._query_ids))
        self.api._open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": self.as_user(),
            "message": json.loads(json.dumps(found.data)),
            "chat_instance": str(-self.id),
            "data": callback_data,
        }
        await self.api.send_raw_update({"callback_query": query})
        return query_id

    def messages(self) -> list[BotMessage]:
        """Messages the bot sent to this chat, oldest first, as they look now."""
        return [m for m in self.api._chat(self.id).bot_messages if not m.deleted]

    def last_message(self) -> BotMessage | None:
        shown = self.messages()
        return shown[-1] if shown else None

    def last_buttons(self) -> list[Button]:
        """Buttons of the bot's latest message (empty if it has none)."""
        last = self.last_message()
        return last.buttons if last else []

    async def wait_for_message(
        self,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain number reads best in tests
    ) -> BotMessage:
        """The next bot message (after those already returned here) matching `predicate`."""
        bot_messages = self.api._chat(self.id).bot_messages

        def find() -> BotMessage | None:
            for index in range(self._read, len(bot_messages)):
                if predicate is None or predicate(bot_messages[index]):
                    self._read = index + 1
                    return bot_messages[index]
            return None

        try:
            return await self.api.wait_until(find, timeout)
        except TimeoutError:
            texts = [m.text or m.caption for m in bot_messages[self._read :]]
            raise AssertionError(
                f"no matching bot message in chat {self.id} within {timeout}s; unread: {texts}"
            ) from None

    def block_bot(self) -> None:
        self.api.faults.block(self.id)

    def unblock_bot(self) -> None:
        self.api.faults.unblock(self.id)

    async def _send(self, content: JSON) -> JSON:
        chat = self.api._chat(self.id)
        message = {
            "message_id": next(chat.message_ids),
            "from": self.as_user(),
            "chat": self.as_chat(),
            "date": self.api._now(),
            **content,
        }
        chat.messages[message["message_id"]] = message
        return await self.api.send_raw_update({"message": message})


class FakeBotAPI:
    """An in-process Bot API server on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "complaints_test_bot",
        bot_first_name: str = "Complaints Test Bot",
        webhook_retry_delay: float = 0.2,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.webhook_retry_delay = webhook_retry_delay
        self.clock = clock

        self.faults = Faults()
        self.calls: list[Call] = []
        self.answered_callbacks: list[AnsweredCallback] = []
        #: Commands by (scope key, language code): scope key is the scope type ("default",
        #: "all_private_chats", ...) with ":chat_id" / ":chat_id:user_id" where the scope has them.
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        #: time.monotonic() of every message the bot successfully sent, per chat.
        self.sent_at: dict[int, list[float]] = {}
        self.files: dict[str, StoredFile] = {}
        self.webhook = WebhookState()
        #: (update_id, HTTP status or error text) of every webhook delivery attempt.
        self.webhook_attempts: list[tuple[int, int | str]] = []

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, _Chat] = {}
        self._queue: list[_Queued] = []
        self._max_update_id = 0
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._query_ids = itertools.count(4_000_000_000_001)
        self._open_queries: set[str] = set()
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._closing = False
        self._closed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None

        methods: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
        }
        # The real server matches method names case-insensitively.
        self._methods = {name.lower(): (name, handler) for name, handler in methods.items()}
        self.app = self._make_app()

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For `Bot(base_url=...)`: PTB appends the token."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    async def start(self) -> None:
        # No access log: request paths carry the token.
        self._runner = web.AppRunner(
            self.app, access_log=None, handler_cancellation=False, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def stop(self) -> None:
        self._closing = True
        self._closed.set()
        self._notify()  # long polls and waits return now rather than at their timeout
        await self._stop_webhook_delivery()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- test-side API ---------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """The person with this id, created with a private chat on first use."""
        if user_id not in self._users:
            user = FakeUser(
                self,
                user_id,
                first_name,
                last_name=last_name,
                username=username,
                language_code=language_code,
            )
            self._users[user_id] = user
            self._chats[user_id] = _Chat(user)
        return self._users[user_id]

    async def send_raw_update(self, update: JSON) -> JSON:
        """Queue an update exactly as given; an update_id is assigned if missing."""
        update = dict(update)
        stale = "update_id" in update and int(update["update_id"]) <= self._max_update_id
        if "update_id" not in update:
            update = {"update_id": self._max_update_id + 1, **update}
        self._max_update_id = max(self._max_update_id, int(update["update_id"]))
        self._queue.append(_Queued(update, stale))
        self._notify()
        return update

    def add_file(
        self, data: bytes, folder: str, suffix: str, *, file_size: int | None = None
    ) -> StoredFile:
        """Register a file for getFile and download (as an upload by a user would)."""
        number = next(self._file_ids)
        stored = StoredFile(
            file_id=f"FAKEFILE{number:06d}{'x' * 20}",
            file_unique_id=f"U{number:06d}",
            file_path=f"{folder}/file_{number}{suffix}",
            data=data,
            file_size=len(data) if file_size is None else file_size,
        )
        self.files[stored.file_id] = stored
        return stored

    def messages(self, chat_id: int) -> list[BotMessage]:
        return self._chat(chat_id).user.messages()

    def callback_answer(self, callback_query_id: str) -> AnsweredCallback | None:
        return next(
            (a for a in self.answered_callbacks if a.callback_query_id == callback_query_id), None
        )

    def calls_of(self, method: str) -> list[JSON]:
        return [call.params for call in self.calls if call.method == method]

    @property
    def pending_update_count(self) -> int:
        return len(self._queue)

    async def wait_until(
        self,
        condition: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain number reads best in tests
    ) -> T:
        """Wait until `condition()` returns something truthy, re-checked on every change."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if result := condition():
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            await self._wait_change(remaining)

    # -- plumbing --------------------------------------------------------------------------

    def _now(self) -> int:
        return int(self.clock())

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_change(self, seconds: float | None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), seconds)

    def _chat(self, chat_id: int) -> _Chat:
        try:
            return self._chats[chat_id]
        except KeyError:
            raise KeyError(f"unknown chat {chat_id}; create the user with api.user()") from None

    def _bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        app.router.add_post("/_fake/users/{user_id}/text", self._control_text)
        app.router.add_post("/_fake/users/{user_id}/press", self._control_press)
        app.router.add_get("/_fake/chats/{chat_id}/messages", self._control_messages)
        app.router.add_post("/_fake/faults", self._control_faults)
        app.router.add_get("/_fake/stats", self._control_stats)
        return app

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return BotAPIError(401, "Unauthorized").response()
        entry = self._methods.get(request.match_info["method"].lower())
        if entry is None:
            return BotAPIError(404, "Not Found").response()
        name, handler = entry
        try:
            params = await _read_params(request)
        except ValueError as exc:
            return _bad_request(str(exc)).response()
        self.calls.append(Call(name, params))
        try:
            await self._apply_faults(name, params)
            result = await handler(params)
        except BotAPIError as exc:
            return exc.response()
        finally:
            self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _apply_faults(self, method: str, params: JSON) -> None:
        if seconds := self.faults._take_delay(method):
            await self._sleep(seconds)
        if error := self.faults._take_error(method, params):
            raise error

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return BotAPIError(401, "Unauthorized").response()
        try:
            await self._apply_faults("file", {})
        except BotAPIError as exc:
            return exc.response()
        path = request.match_info["file_path"]
        stored = next((f for f in self.files.values() if f.file_path == path), None)
        if stored is None:
            return BotAPIError(404, "Not Found").response()
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # -- updates and webhooks --------------------------------------------------------------

    def _allowed(self, queued: _Queued) -> bool:
        allowed = self._allowed_updates
        if allowed:
            return queued.kind in allowed
        return queued.kind not in _OPT_IN_UPDATES

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._queue = [
                q for q in self._queue if not (q.delivered if q.stale else q.update_id < offset)
            ]
        elif offset < 0:
            self._queue = self._queue[offset:]

    def _ready(self, offset: int, limit: int) -> list[_Queued]:
        self._queue = [q for q in self._queue if self._allowed(q)]
        ready = [q for q in self._queue if q.stale or offset <= 0 or q.update_id >= offset]
        return ready[:limit]

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook.url:
            raise BotAPIError(409, _WEBHOOK_CONFLICT)
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if params.get("allowed_updates") is not None:
            self._allowed_updates = list(params["allowed_updates"])
        self._confirm(offset)
        # A newer getUpdates ends an older one with 409, as on the real server.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.webhook.url:
                raise BotAPIError(409, _WEBHOOK_CONFLICT)
            if generation != self._poll_generation:
                raise BotAPIError(409, _POLL_CONFLICT)
            ready = self._ready(offset, limit)
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._closing:
                break
            await self._wait_change(remaining)
        for queued in ready:
            queued.delivered = True
        return [queued.update for queued in ready]

    async def _set_webhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params)
        if not re.match(r"https?://", url):
            raise _bad_request("bad webhook: HTTPS url must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook = WebhookState(
            url=url,
            secret_token=None if secret is None else str(secret),
            max_connections=int(params.get("max_connections") or 40),
            allowed_updates=params.get("allowed_updates"),
        )
        if params.get("allowed_updates") is not None:
            self._allowed_updates = list(params["allowed_updates"])
        await self._stop_webhook_delivery()
        self._webhook_task = asyncio.create_task(self._deliver_webhooks(self.webhook))
        self._notify()  # a pending getUpdates now ends with 409
        return True

    async def _delete_webhook(self, params: JSON) -> bool:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook = WebhookState()
        await self._stop_webhook_delivery()
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self.webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook.url:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
            if self.webhook.last_error_date is not None:
                info["last_error_date"] = self.webhook.last_error_date
                info["last_error_message"] = self.webhook.last_error_message
        return info

    async def _stop_webhook_delivery(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver_webhooks(self, webhook: WebhookState) -> None:
        # One update at a time, in order, retried until acknowledged with a 2xx: the real
        # server may deliver concurrently, but in-order delivery keeps tests deterministic.
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        while not self._closing:
            self._queue = [q for q in self._queue if self._allowed(q)]
            if not self._queue:
                await self._wait_change(None)
                continue
            queued = self._queue[0]
            outcome: int | str
            try:
                async with self._session.post(
                    webhook.url, data=json.dumps(queued.update), headers=headers
                ) as response:
                    await response.read()
                    outcome = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                outcome = str(exc) or type(exc).__name__
            self.webhook_attempts.append((queued.update_id, outcome))
            if isinstance(outcome, int) and 200 <= outcome < 300:
                with contextlib.suppress(ValueError):
                    self._queue.remove(queued)
            else:
                webhook.last_error_date = self._now()
                webhook.last_error_message = (
                    f"Wrong response from the webhook: {outcome}"
                    if isinstance(outcome, int)
                    else outcome
                )
                self._notify()
                await self._sleep(self.webhook_retry_delay)
            self._notify()

    # -- methods ---------------------------------------------------------------------------

    async def _get_me(self, params: JSON) -> JSON:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _target_chat(self, params: JSON) -> _Chat:
        chat_id = _as_int(params.get("chat_id"))
        if chat_id is None:
            if params.get("chat_id") in (None, ""):
                raise _bad_request("chat_id is empty")
            raise _bad_request("chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad_request("chat not found")
        return chat

    def _new_bot_message(self, chat: _Chat, params: JSON, content: JSON) -> BotMessage:
        data: JSON = {
            "message_id": next(chat.message_ids),
            "from": self._bot_user(),
            "chat": chat.user.as_chat(),
            "date": self._now(),
            **content,
        }
        if markup := _inline_markup(params.get("reply_markup")):
            data["reply_markup"] = markup
        message = BotMessage(data=data, sent_params=params)
        chat.messages[message.message_id] = message
        chat.bot_messages.append(message)
        self.sent_at.setdefault(chat.user.id, []).append(time.monotonic())
        return message

    async def _send_message(self, params: JSON) -> JSON:
        chat = self._target_chat(params)
        source = params.get("text")
        if not source:
            raise _bad_request("message text is empty")
        text, entities = _format(str(source), params.get("parse_mode"), params.get("entities"))
        if not text.strip():
            raise _bad_request("message text is empty")
        if _utf16_len(text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        if preview := params.get("link_preview_options"):
            content["link_preview_options"] = preview
        return self._new_bot_message(chat, params, content).data

    def _caption(self, params: JSON) -> JSON:
        source = params.get("caption")
        if not source:
            return {}
        entities_param = params.get("caption_entities")
        text, entities = _format(str(source), params.get("parse_mode"), entities_param)
        if _utf16_len(text) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return {"caption": text, **({"caption_entities": entities} if entities else {})}

    def _uploaded(self, params: JSON, name: str, folder: str, suffix: str) -> StoredFile:
        value = params.get(name)
        if isinstance(value, Upload):
            if not value.data:
                raise _bad_request("file must be non-empty")
            ext = os.path.splitext(value.filename or "")[1] or suffix
            return self.add_file(value.data, folder, ext)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        raise _bad_request(f"wrong remote file identifier specified for {name}")

    async def _send_photo(self, params: JSON) -> JSON:
        chat = self._target_chat(params)
        stored = self._uploaded(params, "photo", "photos", ".jpg")
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 1280,
            "height": 960,
            "file_size": stored.file_size,
        }
        return self._new_bot_message(chat, params, {"photo": [size], **self._caption(params)}).data

    async def _send_document(self, params: JSON) -> JSON:
        chat = self._target_chat(params)
        stored = self._uploaded(params, "document", "documents", ".bin")
        upload = params.get("document")
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }
        if isinstance(upload, Upload):
            if upload.filename:
                document["file_name"] = upload.filename
            document["mime_type"] = upload.content_type
        content = {"document": document, **self._caption(params)}
        return self._new_bot_message(chat, params, content).data

    def _message_to_edit(self, params: JSON) -> BotMessage:
        if params.get("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")  # inline mode is not used by our bot
        chat = self._target_chat(params)
        message_id = _as_int(params.get("message_id"))
        found = chat.messages.get(message_id) if message_id is not None else None
        if found is None or (isinstance(found, BotMessage) and found.deleted):
            raise _bad_request("message to edit not found")
        if not isinstance(found, BotMessage):
            raise _bad_request("message can't be edited")
        return found

    def _apply_edit(
        self, message: BotMessage, params: JSON, content: JSON, replaced: tuple[str, ...] = ()
    ) -> JSON:
        # Leaving out reply_markup removes the inline keyboard, as on the real server.
        dropped = {"reply_markup", "edit_date", *replaced}
        updated = {k: v for k, v in message.data.items() if k not in dropped}
        updated.update(content)
        if markup := _inline_markup(params.get("reply_markup")):
            updated["reply_markup"] = markup
        if updated == {k: v for k, v in message.data.items() if k != "edit_date"}:
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        updated["edit_date"] = self._now()
        message.data = updated
        message.edits += 1
        return updated

    async def _edit_message_text(self, params: JSON) -> JSON:
        message = self._message_to_edit(params)
        if "text" not in message.data:
            raise _bad_request("there is no text in the message to edit")
        source = params.get("text")
        if not source:
            raise _bad_request("message text is empty")
        text, entities = _format(str(source), params.get("parse_mode"), params.get("entities"))
        if _utf16_len(text) > MAX_TEXT_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        content: JSON = {"text": text, **({"entities": entities} if entities else {})}
        return self._apply_edit(message, params, content, ("text", "entities"))

    async def _edit_message_caption(self, params: JSON) -> JSON:
        message = self._message_to_edit(params)
        if "text" in message.data:
            raise _bad_request("there is no caption in the message to edit")
        content = self._caption(params)
        return self._apply_edit(message, params, content, ("caption", "caption_entities"))

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        message = self._message_to_edit(params)
        return self._apply_edit(message, params, {})

    async def _delete_message(self, params: JSON) -> bool:
        chat = self._target_chat(params)
        found = chat.messages.get(_as_int(params.get("message_id")) or 0)
        if found is None or (isinstance(found, BotMessage) and found.deleted):
            raise _bad_request("message to delete not found")
        if isinstance(found, BotMessage):
            found.deleted = True
        else:
            del chat.messages[int(found["message_id"])]
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        cache_time = params.get("cache_time")
        self.answered_callbacks.append(
            AnsweredCallback(
                callback_query_id=query_id,
                text=None if text is None else str(text),
                show_alert=bool(params.get("show_alert")),
                url=params.get("url"),
                cache_time=None if cache_time is None else int(cache_time),
            )
        )
        return True

    def _commands_key(self, params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, Mapping) or "type" not in scope:
            raise _bad_request("can't parse BotCommandScope JSON object")
        key = "".join(
            [str(scope["type"])] + [f":{scope[k]}" for k in ("chat_id", "user_id") if k in scope]
        )
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad_request("invalid language code specified")
        return key, language

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("too many commands specified")
        for command in commands:
            name = command.get("command", "") if isinstance(command, Mapping) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        if commands:
            self.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        return list(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSON) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _get_file(self, params: JSON) -> JSON:
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad_request("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise _bad_request("file is too big")
        return stored.as_file()

    async def _send_chat_action(self, params: JSON) -> bool:
        chat = self._target_chat(params)
        action = str(params.get("action") or "")
        if action not in {
            "typing",
            "upload_photo",
            "record_video",
            "upload_video",
            "record_voice",
            "upload_voice",
            "upload_document",
            "choose_sticker",
            "find_location",
            "record_video_note",
            "upload_video_note",
        }:
            raise _bad_request("wrong parameter action in request")
        self.chat_actions.append((chat.user.id, action))
        return True

    # -- control endpoints for standalone runs ---------------------------------------------

    async def _control_text(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = self.user(int(request.match_info["user_id"]), body.get("first_name", "Test"))
        return web.json_response(await user.send_text(str(body["text"])))

    async def _control_press(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = self.user(int(request.match_info["user_id"]))
        try:
            query_id = await user.press(
                int(body["message_id"]), str(body["data"]), check=body.get("check", True)
            )
        except AssertionError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"callback_query_id": query_id})

    async def _control_messages(self, request: web.Request) -> web.Response:
        chat_id = int(request.match_info["chat_id"])
        if chat_id not in self._chats:
            return web.json_response([])
        return web.json_response([m.data for m in self.messages(chat_id)])

    async def _control_faults(self, request: web.Request) -> web.Response:
        body: JSON = await request.json()
        if body.get("clear"):
            self.faults.clear()
        if "random_rate" in body:
            self.faults.fail_randomly(
                float(body["random_rate"]),
                seed=int(body.get("seed", 0)),
                retry_after=float(body.get("retry_after", 1)),
            )
        for chat_id in body.get("block", []):
            self.faults.block(int(chat_id))
        if "fail_next" in body:
            rule = body["fail_next"]
            self.faults.fail_next(
                int(rule.get("count", 1)),
                status=int(rule.get("status", 429)),
                method=rule.get("method"),
                retry_after=float(rule.get("retry_after", 1)),
            )
        return web.json_response({"ok": True})

    async def _control_stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "sent_at": {str(chat): times for chat, times in self.sent_at.items()},
                "calls": len(self.calls),
                "injected": self.faults.injected,
                "pending_update_count": len(self._queue),
            }
        )


# -- request parsing ---------------------------------------------------------------------


def _coerce(name: str, raw: str) -> Any:
    if name in _STRING_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


async def _read_params(request: web.Request) -> JSON:
    params: JSON = {name: _coerce(name, value) for name, value in request.query.items()}
    if request.method != "POST" or not request.body_exists:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("request body must be a JSON object")
        params.update(body)
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                params[part.name] = Upload(part.filename, content_type, bytes(await part.read()))
            else:
                params[part.name] = _coerce(part.name, await part.text())
    else:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                params[name] = Upload(value.filename, value.content_type, value.file.read())
            else:
                raw = value if isinstance(value, str) else bytes(value).decode()
                params[name] = _coerce(name, raw)
    # Files sent alongside JSON objects are referenced as attach://<part name>.
    for name, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[name] = params.get(value.removeprefix("attach://"), value)
    return params


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def _inline_markup(markup: object) -> JSON | None:
    """The inline keyboard to store on a message, after the server's validation.

    Reply keyboards are accepted but not part of the returned Message, as on the real server.
    """
    if markup is None or markup == "":
        return None
    if not isinstance(markup, Mapping):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request("can't parse inline keyboard button: InlineKeyboardMarkup expected")
    for row in rows:
        for button in row:
            if not isinstance(button, Mapping) or not button.get("text"):
                raise _bad_request("can't parse inline keyboard button: Text buttons are unallowed")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise _bad_request("BUTTON_DATA_INVALID")
            if data is None and not button.get("url") and len(button) == 1:
                raise _bad_request("can't parse inline keyboard button: Text buttons are unallowed")
    rows = [list(row) for row in rows if row]
    return {"inline_keyboard": rows} if rows else None


def _with_caption(content: JSON, caption: str | None) -> JSON:
    return {**content, "caption": caption} if caption is not None else content


# -- formatting: parse_mode to plain text + entities, as the real server returns them -----


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _EntityParseError(Exception):
    pass


def _format(source: str, parse_mode: object, entities: object) -> tuple[str, list[JSON]]:
    mode = str(parse_mode or "").lower()
    try:
        if mode == "html":
            return _parse_html(source)
        if mode == "markdownv2":
            return _parse_markdown_v2(source)
    except _EntityParseError as exc:
        raise _bad_request(f"can't parse entities: {exc}") from None
    if mode and mode != "markdown":
        raise _bad_request("unsupported parse_mode")
    # Legacy Markdown is not parsed: the text is kept as sent.
    return source, list(entities) if isinstance(entities, list) else []


_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
_HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_HTML_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}


def _html_attr(attrs: str, name: str) -> str | None:
    found = re.search(rf"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""", attrs)
    if not found:
        return None
    return html.unescape(next(g for g in found.groups() if g is not None))


def _parse_html(source: str) -> tuple[str, list[JSON]]:
    out: list[str] = []
    length = 0  # in UTF-16 code units, the unit of entity offsets
    stack: list[tuple[str, int, JSON | None]] = []
    entities: list[JSON] = []
    pos = 0

    def byte_offset() -> int:
        return len(source[:pos].encode())

    while pos < len(source):
        char = source[pos]
        if char == "<":
            tag = _HTML_TAG.match(source, pos)
            if tag is None:
                raise _EntityParseError(f'Unexpected "<" at byte offset {byte_offset()}')
            closing, name, attrs = tag.group(1) == "/", tag.group(2).lower(), tag.group(3)
            if closing:
                if not stack or stack[-1][0] != name:
                    raise _EntityParseError(
                        f'Unmatched end tag at byte offset {byte_offset()}, found "</{name}>"'
                    )
                _, start, closed = stack.pop()
                if closed is not None and length > start:
                    entities.append({**closed, "offset": start, "length": length - start})
            else:
                if name not in _HTML_TYPES:
                    raise _EntityParseError(
                        f'Unsupported start tag "{name}" at byte offset {byte_offset()}'
                    )
                entity: JSON | None = {"type": _HTML_TYPES[name]}
                if name == "span" and _html_attr(attrs, "class") != "tg-spoiler":
                    raise _EntityParseError(
                        f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset()}'
                    )
                if name == "a":
                    href = _html_attr(attrs, "href")
                    entity = {"type": "text_link", "url": href} if href else None
                elif name == "blockquote" and re.search(r"\bexpandable\b", attrs):
                    entity = {"type": "expandable_blockquote"}
                elif name == "tg-emoji":
                    entity = {
                        "type": "custom_emoji",
                        "custom_emoji_id": _html_attr(attrs, "emoji-id"),
                    }
                elif name == "code" and stack and stack[-1][0] == "pre":
                    language = (_html_attr(attrs, "class") or "").removeprefix("language-")
                    parent = stack[-1][2]
                    if language and parent is not None:
                        parent["language"] = language
                    entity = None  # <pre><code> is a single pre entity
                stack.append((name, length, entity))
            pos = tag.end()
            continue
        if char == "&" and (ref := _HTML_ENTITY.match(source, pos)):
            chunk, pos = html.unescape(ref.group(0)), ref.end()
        else:
            end = min(
                [i for i in (source.find("<", pos + 1), source.find("&", pos + 1)) if i != -1]
                or [len(source)]
            )
            chunk, pos = source[pos:end], end
        out.append(chunk)
        length += _utf16_len(chunk)
    if stack:
        raise _EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_MARKERS = {
    "||": "spoiler",
    "__": "underline",
    "*": "bold",
    "_": "italic",
    "~": "strikethrough",
}


def _parse_markdown_v2(source: str) -> tuple[str, list[JSON]]:
    out: list[str] = []
    length = 0
    stack: list[tuple[str, int, JSON]] = []
    entities: list[JSON] = []
    pos = 0

    def emit(chunk: str) -> None:
        nonlocal length
        out.append(chunk)
        length += _utf16_len(chunk)

    def close(marker: str) -> None:
        _, start, entity = stack.pop()
        if length > start:
            entities.append({**entity, "offset": start, "length": length - start})

    while pos < len(source):
        char = source[pos]
        top = stack[-1][0] if stack else None
        if char == "\\":
            if pos + 1 >= len(source) or not 0 < ord(source[pos + 1]) < 127:
                raise _EntityParseError("Character '\\' is reserved and must be escaped")
            emit(source[pos + 1])
            pos += 2
            continue
        if top in ("`", "```"):
            if source.startswith(top, pos):
                close(top)
                pos += len(top)
            else:
                emit(char)
                pos += 1
            continue
        if source.startswith("```", pos):
            newline = source.find("\n", pos + 3)
            first_line = source[pos + 3 : newline] if newline != -1 else ""
            entity: JSON = {"type": "pre"}
            if first_line and " " not in first_line and "`" not in first_line:
                entity["language"] = first_line
                pos = newline + 1
            else:
                pos += 3
            stack.append(("```", length, entity))
            continue
        if char == "`":
            stack.append(("`", length, {"type": "code"}))
            pos += 1
            continue
        if char == "[":
            stack.append(("[", length, {"type": "text_link"}))
            pos += 1
            continue
        if char == "]" and top == "[":
            link = re.compile(r"\(((?:\\.|[^\\)])*)\)").match(source, pos + 1)
            if link is None:
                raise _EntityParseError("Can't find end of a URL")
            stack[-1][2]["url"] = re.sub(r"\\(.)", r"\1", link.group(1))
            close("[")
            pos = link.end()
            continue
        marker = next((m for m in _MD2_MARKERS if source.startswith(m, pos)), None)
        if marker is not None:
            if top == marker:
                close(marker)
            elif any(m == marker for m, _, _ in stack):
                raise _EntityParseError(f"Can't find end of the entity at byte offset {pos}")
            else:
                stack.append((marker, length, {"type": _MD2_MARKERS[marker]}))
            pos += len(marker)
            continue
        if char == ">" and (pos == 0 or source[pos - 1] == "\n"):
            if top != ">":
                stack.append((">", length, {"type": "blockquote"}))
            pos += 1
            continue
        if char == "\n" and top == ">" and not source.startswith(">", pos + 1):
            close(">")
        if char in _MD2_RESERVED:
            raise _EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        emit(char)
        pos += 1
    if stack and stack[-1][0] == ">":
        close(">")
    if stack:
        offset = len(source.encode())
        raise _EntityParseError(f"Can't find end of the entity starting at byte offset {offset}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


# -- standalone mode ---------------------------------------------------------------------


async def _serve(token: str, host: str, port: int) -> None:
    async with FakeBotAPI(token, host=host, port=port) as api:
        # Never print the token: runs are logged.
        print(f"Fake Bot API listening on {api.root_url} (base_url {api.base_url}<token>)")
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the fake Telegram Bot API server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--token",
        default=os.environ.get("FAKE_BOTAPI_TOKEN"),
        help="the bot token to accept (default: $FAKE_BOTAPI_TOKEN)",
    )
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("--token or FAKE_BOTAPI_TOKEN is required")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.token, args.host, args.port))


if __name__ == "__main__":
    main()
