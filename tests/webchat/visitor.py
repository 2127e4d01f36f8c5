"""A web chat visitor for tests: a real HTTP client that reads the page like a browser would.

It keeps the cookie, reads the form's hidden fields, the buttons and the open question
(data-step), and answers by plan (tests/scripted.py): for each question, the answers in turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

import aiohttp

from tests.scripted import Action, choice_id


@dataclass
class Page:
    bubbles: list[tuple[str, str]] = field(default_factory=list)  # (class, text)
    hidden: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    step: str = ""
    lang: str = ""
    dir: str = ""

    @property
    def said(self) -> list[str]:
        """What the assistant said on this page, in order."""
        return [text for cls, text in self.bubbles if "theirs" in cls]

    @property
    def last(self) -> str:
        return self.said[-1] if self.said else ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self._bubble: str | None = None
        self._button: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.page.lang, self.page.dir = a.get("lang", ""), a.get("dir", "")
        elif tag == "p" and "bubble" in a.get("class", ""):
            self._bubble, self._text = a["class"], []
        elif tag == "input" and a.get("type") == "hidden":
            self.page.hidden[a["name"]] = a.get("value", "")
        elif tag == "button" and a.get("name") == "choice":
            self._button, self._text = a["value"], []
        elif tag == "form" and a.get("id") == "answer":
            self.page.step = a.get("data-step", "")
        elif tag == "bdi" and self._bubble is not None:
            self._text.append("\u2068")  # <bdi> is the page's form of an isolate

    def handle_data(self, data: str) -> None:
        if self._bubble is not None or self._button is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "bdi" and self._bubble is not None:
            self._text.append("\u2069")
        elif tag == "p" and self._bubble is not None:
            self.page.bubbles.append((self._bubble, "".join(self._text)))
            self._bubble = None
        elif tag == "button" and self._button is not None:
            self.page.buttons.append((self._button, "".join(self._text).strip()))
            self._button = None


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    return reader.page


@dataclass
class Visitor:
    session: aiohttp.ClientSession
    base: str
    page: Page = field(default_factory=Page)

    async def open(self) -> Page:
        async with self.session.get(f"{self.base}/chat") as response:
            assert response.status == 200
            self.page = read_page(await response.text())
        return self.page

    async def post(
        self, data: Mapping[str, str], files: Sequence[tuple[str, bytes, str]] = ()
    ) -> Page:
        form = aiohttp.FormData()
        # "seen": the messages this page showed, which the server then counts as delivered.
        for key in ("csrf", "nonce", "seen"):
            form.add_field(key, self.page.hidden.get(key, ""))
        for key, value in data.items():
            form.add_field(key, value)
        for name, content, mime in files:
            form.add_field("file", content, filename=name, content_type=mime)
        async with self.session.post(f"{self.base}/chat", data=form) as response:
            assert response.status == 200, await response.text()
            self.page = read_page(await response.text())
        return self.page

    async def poll(self) -> list[str]:
        """What chat.js does: confirm the messages shown so far, fetch any new ones (and
        confirm those at the next poll)."""
        seen = self.page.hidden.get("seen", "")
        query = f"?seen={seen}" if seen else ""
        async with self.session.get(f"{self.base}/chat/poll{query}") as response:
            assert response.status == 200
            body = await response.json()
        self.page.hidden["seen"] = body["seen"]
        return list(body["messages"])

    async def tap(self, value: str) -> Page:
        """Press a button by its value ("yes"), full id ("cmd:help") or "*" for the first."""
        offered = [v for v, _ in self.page.buttons]
        choice = choice_id(self.page.step, value, offered)
        assert choice in offered or choice.startswith("cmd:"), f"{choice} not in {offered}"
        return await self.post({"choice": choice})

    async def send(self, text: str) -> Page:
        return await self.post({"text": text})

    async def follow(self, plan: Mapping[str, Sequence[Action]], until: str) -> Page:
        """Answer each question by the plan until the question `until` is open."""
        queues = {step: list(actions) for step, actions in plan.items()}
        for _ in range(60):
            step = self.page.step
            if step == until:
                return self.page
            assert queues.get(step), f"no plan for question '{step}': {self.page.last}"
            kind, value = queues[step].pop(0)
            await (self.tap(value) if kind == "tap" else self.send(value))
        raise AssertionError("the conversation did not reach " + until)
