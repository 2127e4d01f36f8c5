"""The guided chat in a terminal: the same dialogue, typed answers, numbered buttons."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from conversations.model import Answer, Reply
from services.dialogue import ChatRunner
from storage.outbox import take_for_chat
from storage.runtime import Storage

CHANNEL = "console"


def render(reply: Reply) -> str:
    """The reply as text, buttons numbered so a number picks one."""
    lines = [reply.text]
    lines += [f"  {n}. {choice.label}" for n, choice in enumerate(reply.choices, 1)]
    return "\n".join(lines)


def to_answer(line: str, reply: Reply) -> Answer:
    """A number picks that button; anything else is typed text."""
    stripped = line.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(reply.choices):
        return Answer(choice=reply.choices[int(stripped) - 1].id)
    return Answer(text=line.rstrip("\n"))


async def _read_line(stream: TextIO) -> str:
    return await asyncio.to_thread(stream.readline)


async def run_console(
    storage: Storage, person: str, *, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> None:
    """Chat until end of input; the conversation is saved after every answer."""
    runner = ChatRunner(storage, CHANNEL)

    def say(text: str) -> None:
        stdout.write(text + "\n\n")
        stdout.flush()

    reply = await runner.current(person)
    say(render(reply))
    while True:
        for body in await take_for_chat(storage.sessions, CHANNEL, person, now=storage.clock()):
            say(body)
        stdout.write("> ")
        stdout.flush()
        line = await _read_line(stdin)
        if not line:  # end of input: everything so far is already saved
            say("")
            return
        replies = await runner.handle(person, to_answer(line, reply))
        for reply in replies or [await runner.current(person)]:
            say(render(reply))
