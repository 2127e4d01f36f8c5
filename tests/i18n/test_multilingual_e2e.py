"""A complaint made in Welsh, Polish and Arabic, through the web chat over real HTTP and through
the real Telegram Application against the fake Bot API; then staff acknowledge and answer it
days later (storage.cases), and each person gets those messages in their own language, with
dates written the way their locale writes them.

Expected words come from the catalogs (locales.translator), and dates from Babel through
Translator.date, so the tests check the wiring (the language chosen once is used for every
later message, in every channel), not a copy of the translations.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.delivery import DeliveryWorker
from bot.telegram.app import build_application, running
from bot.telegram.sender import TelegramSender
from locales import Translator, translator
from server import create_app
from storage.delivery import DeliveryStore
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from storage.views import CaseView
from tests.conftest import FakeClock
from tests.fakes.botapi import BotMessage, FakeBotAPI, FakeUser
from tests.scripted import Action, send, tap
from tests.telegram.helpers import TOKEN, fast_limits, moving
from tests.webchat.visitor import Visitor

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"C-2026-\d{4}")
# A procedure with an informal route and a 14-day window for asking for stage 2, so the answer
# staff send later carries a date ("Please ask by ...") as well as the acknowledgement.
PROCEDURE = "west-wilts-ccc"


@dataclass(frozen=True)
class Person:
    """What someone types, in their own language, and what staff write back to them."""

    lang: str
    yes: str  # typed instead of tapping "Yes" (the catalog's yes words)
    description: str
    when: str  # a month name in their language
    outcome: str
    name: str
    staff_reply: str  # staff write in whatever language they can


PEOPLE = {
    "cy": Person(
        "cy",
        yes="ie",
        description="Roedd yr ystafell wedi'i chloi pan gyrhaeddon ni, ddwywaith.",
        when="Hydref",
        outcome="Ymddiheuriad a dyddiad newydd.",
        name="Siân Jones",
        staff_reply="Mae'n ddrwg iawn gennym. Bydd yr ystafell ar agor o 8 y bore.",
    ),
    "pl": Person(
        "pl",
        yes="tak",
        description="Sala była zamknięta, kiedy przyszliśmy, i to dwa razy.",
        when="październik",
        outcome="Przeprosiny i nowy termin.",
        name="Zofia Nowak",
        staff_reply="Bardzo przepraszamy. Sala będzie otwarta od 8 rano.",
    ),
    "ar": Person(
        "ar",
        yes="نعم",
        description="كانت القاعة مغلقة عندما وصلنا، مرتين.",
        when="أكتوبر",
        outcome="اعتذار وموعد جديد.",
        name="ليلى حسن",
        staff_reply="نعتذر كثيرًا. ستكون القاعة مفتوحة من الساعة الثامنة صباحًا.",
    ),
}
LANGS = sorted(PEOPLE)
# December as each locale writes it in a date (Babel's CLDR data, spelled out to be read).
DECEMBER = {"cy": "Rhagfyr", "pl": "grudnia", "ar": "ديسمبر"}


def later_messages_are_in_their_language(
    t: Translator, case: CaseView, person: Person, received: list[str]
) -> None:
    """The acknowledgement and the answer staff sent later, checked against the catalog."""
    stage = case.stage
    assert stage is not None and stage.respond_by is not None and stage.escalate_by is not None
    started = t.gettext(
        "We have started looking at your complaint {reference}.", reference=case.reference
    )
    assert started != "We have started looking at your complaint {reference}."  # translated
    [acknowledgement] = [text for text in received if started in text]
    [answer] = [text for text in received if person.staff_reply in text]
    assert t.gettext("We aim to reply by {date}.", date=t.date(stage.respond_by)) in acknowledgement

    assert (
        t.gettext("Our answer to your complaint {reference}:", reference=case.reference) in answer
    )
    assert t.gettext("Please ask by {date}.", date=t.date(stage.escalate_by)) in answer
    # The way on, in their words, naming the button they would tap.
    assert t.gettext('To ask, reply "I am not satisfied" in this chat.') in answer
    # Dates in their locale's words ("2 grudnia 2026"), no English month or weekday names.
    assert stage.escalate_by.month == 12
    assert DECEMBER[person.lang] in answer
    for day in (stage.respond_by, stage.escalate_by):
        assert translator("en").date(day) not in acknowledgement + answer
        assert day.strftime("%B") not in acknowledgement + answer


async def staff_answer_later(storage: Storage, clock: FakeClock, case_id: int, body: str) -> None:
    """Staff acknowledge the case two days on, and answer it two weeks after that.

    Received Monday 2 November 2026: the window for stage 2 then ends in December.
    """
    clock.advance(days=2)
    await storage.cases.acknowledge(case_id, staff_id=None)
    clock.advance(days=14)
    await storage.cases.reply(case_id, body, staff_id=None)


async def the_case(storage: Storage, reference: str) -> CaseView:
    return await storage.cases.by_reference(reference)


# -- the web chat, over real HTTP --------------------------------------------------------------


@pytest.fixture
async def web(db_url: str, settings: Settings, clock: FakeClock) -> AsyncIterator[Visitor]:
    """The real web app on a fresh database; a visitor with their own cookie on /chat."""
    storage = await open_storage(
        replace(settings, database_url=db_url, procedure=PROCEDURE),
        run_migrations=False,
        clock=clock,
    )
    server = TestServer(create_app(storage))
    await server.start_server()
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    visitor = Visitor(session, str(server.make_url("")).rstrip("/"))
    visitor.storage = storage  # type: ignore[attr-defined]
    await visitor.open()
    yield visitor
    await session.close()
    await server.close()
    await storage.close()


def web_plan(person: Person) -> dict[str, list[Action]]:
    return {
        "language": [tap(person.lang)],
        "privacy": [send(person.yes)],
        "kind": [tap("complaint")],
        "route": [tap("formal")],
        "behalf": [tap("self")],
        "category": [tap("*")],
        "about_staff": [tap("no")],
        "description": [send(person.description), tap("done")],
        "when": [send(person.when)],
        "outcome": [send(person.outcome)],
        "adjustments": [tap("none")],
        "contact_method": [tap("chat")],
        "name": [send(person.name)],
    }


@pytest.mark.parametrize("lang", LANGS)
async def test_web_chat_complaint_and_later_reply_in_their_language(
    web: Visitor, clock: FakeClock, lang: str
) -> None:
    person, t = PEOPLE[lang], translator(lang)
    storage: Storage = web.storage  # type: ignore[attr-defined]
    page = await web.tap(lang)
    # The page switches to their language at once: lang, and right-to-left for Arabic.
    assert (page.lang, page.dir) == (lang, "rtl" if lang == "ar" else "ltr")
    assert t.gettext("Shall we start?") in page.last

    await web.follow(web_plan(person), until="summary")
    assert t.gettext("Is this right?") in web.page.last
    assert person.description in web.page.last and person.name in web.page.last
    receipt_page = await web.tap("send")
    receipt = "\n".join(receipt_page.said)
    found = REFERENCE.search(receipt)
    assert found is not None, receipt
    case = await the_case(storage, found.group())
    assert case.language == lang
    assert case.stage is not None and case.stage.acknowledge_by is not None
    assert t.gettext("We have received your complaint.") in receipt
    assert t.gettext("Your reference is {reference}.", reference=case.reference) in receipt
    assert t.date(case.stage.acknowledge_by) in receipt

    await staff_answer_later(storage, clock, case.id, person.staff_reply)
    # They come back to the page later: both messages are waiting, in their language.
    page = await web.open()
    assert (page.lang, page.dir) == (lang, "rtl" if lang == "ar" else "ltr")
    case = await the_case(storage, case.reference)
    later_messages_are_in_their_language(t, case, person, page.said)


# -- Telegram: the real PTB Application polling the fake Bot API ------------------------------


@dataclass
class Telegram:
    api: FakeBotAPI
    storage: Storage
    worker: DeliveryWorker


@pytest.fixture
async def telegram(
    db_url: str,
    settings: Settings,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[Telegram]:
    """As tests/telegram/conftest.py: the Application and the outbox worker, as in `serve`."""
    caplog.set_level(logging.INFO, logger="telegram.ext.Updater")
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    async with FakeBotAPI(token=TOKEN) as api:
        configured = replace(
            settings,
            database_url=db_url,
            procedure=PROCEDURE,
            telegram_token=TOKEN,
            telegram_api_url=api.root_url,
        )
        storage = await open_storage(configured, run_migrations=False, clock=clock)
        application = build_application(storage, configured)
        try:
            async with running(application, configured):
                stop = asyncio.Event()
                worker = DeliveryWorker(
                    DeliveryStore(storage.sessions),
                    {"telegram": TelegramSender(application.bot)},
                    limits=fast_limits(),
                    clock=moving(clock),
                )
                task = asyncio.create_task(worker.run(stop))
                try:
                    yield Telegram(api, storage, worker)
                finally:
                    stop.set()
                    await task
        finally:
            await storage.close()


def _text(message: BotMessage) -> str:
    return message.text or message.caption or ""


def _saying(expect: str) -> Callable[[BotMessage], bool]:
    return lambda message: expect in _text(message)


async def _press(user: FakeUser, data: str, expect: str) -> BotMessage:
    message = next(
        m for m in reversed(user.messages()) if data in [b.callback_data for b in m.buttons]
    )
    await user.press(message, data)
    return await user.wait_for_message(_saying(expect))


async def _say(user: FakeUser, text: str, expect: str) -> BotMessage:
    await user.send_text(text)
    return await user.wait_for_message(_saying(expect))


async def _await(message: Awaitable[BotMessage]) -> str:
    return _text(await message)


@pytest.mark.parametrize("lang", LANGS)
async def test_telegram_complaint_and_later_reply_in_their_language(
    telegram: Telegram, clock: FakeClock, lang: str
) -> None:
    person, t = PEOPLE[lang], translator(lang)
    user = telegram.api.user(2000 + LANGS.index(lang), "Test", language_code=lang)
    await user.send_text("/start")
    await user.wait_for_message(
        lambda m: f"language:{lang}" in [b.callback_data for b in m.buttons]
    )
    await _press(user, f"language:{lang}", t.gettext("Shall we start?"))
    await _say(user, person.yes, t.gettext("What would you like to do?"))
    route = t.gettext(
        "Would you like us to try to sort it out informally first, or make a formal complaint?"
    )
    await _press(user, "kind:complaint", route)
    await _press(
        user, "route:formal", t.gettext("Are you doing this for yourself, or for someone else?")
    )
    await _press(user, "behalf:self", t.gettext("Is it about a particular member of staff?"))
    await _press(
        user, "about_staff:no", t.gettext("Please tell us what happened, in your own words.")
    )
    await _say(user, person.description, t.gettext("You can send more, or tap That's everything."))
    when = t.gettext(
        "When did it happen? You can write a date like 12/10/2026, "
        "or words like “last Tuesday” or “October”."
    )
    await _press(user, "description:done", when)
    await _say(user, person.when, t.gettext("What would you like to happen to put it right?"))
    await _say(
        user, person.outcome, t.gettext("Is there anything that would make this easier for you?")
    )
    await _press(user, "adjustments:none", t.gettext("How would you like us to reply to you?"))
    await _press(
        user, "contact_method:chat", t.gettext("What is your name? You don't have to tell us.")
    )
    summary = await _await(_say(user, person.name, t.gettext("Is this right?")))
    assert person.description in summary and person.name in summary
    receipt = await _await(
        _press(user, "summary:send", t.gettext("We have received your complaint."))
    )
    found = REFERENCE.search(receipt)
    assert found is not None, receipt
    storage = telegram.storage
    case = await the_case(storage, found.group())
    assert case.language == lang
    assert case.stage is not None and case.stage.acknowledge_by is not None
    assert t.gettext("Your reference is {reference}.", reference=case.reference) in receipt
    assert t.date(case.stage.acknowledge_by) in receipt

    await staff_answer_later(storage, clock, case.id, person.staff_reply)
    telegram.worker.notify()
    started = t.gettext(
        "We have started looking at your complaint {reference}.", reference=case.reference
    )
    acknowledgement = await _await(user.wait_for_message(_saying(started)))
    answer = await _await(user.wait_for_message(_saying(person.staff_reply)))
    case = await the_case(storage, case.reference)
    later_messages_are_in_their_language(t, case, person, [acknowledgement, answer])


def test_the_people_type_words_the_catalogs_know() -> None:
    """The typed "yes" is one of the catalog's yes words, and each month name is read."""
    from conversations.dates import Outcome, parse_when

    for lang, person in PEOPLE.items():
        t = translator(lang)
        yes_words = [w.strip() for w in t.gettext("yes, y, yeah, ok, okay").split(",")]
        assert person.yes in yes_words, lang
        parsed = parse_when(person.when, date(2026, 11, 2), lang)
        assert (parsed.outcome, parsed.date) == (Outcome.DATE, date(2026, 10, 31)), lang
