"""What the dialogue needs to know about where it runs, beyond the person's own answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from procedures.lifecycle import Facts
from procedures.model import Handler, Procedure

CHANNELS = ("telegram", "webchat", "console", "staff")


@dataclass(frozen=True)
class CaseFacts:
    """One of the person's complaints, as the lifecycle table sees it."""

    reference: str
    facts: Facts


@dataclass(frozen=True)
class Context:
    """The organisation's procedure, today's date (organisation time zone) and the channel.

    `channel` decides how "this chat" is worded and whether replies can come back through it;
    "staff" is a member of staff typing in what someone told them by phone, letter or in person.
    `case_stage` is the stage the person's complaint is at, for "I am not satisfied";
    `cases` the person's complaints, newest first (empty where storage was not asked).
    `email`: whether anything here can send email; with no mail server, replies by email
    are not offered (a promise nothing would keep).
    """

    procedure: Procedure
    today: date
    channel: str = "webchat"
    case_stage: int = 1
    cases: tuple[CaseFacts, ...] = ()
    email: bool = True

    def case(self, reference: str | None) -> CaseFacts | None:
        """The complaint `reference`, or the newest one."""
        for case in self.cases:
            if reference is None or case.reference == reference:
                return case
        return None

    @property
    def staff(self) -> bool:
        return self.channel == "staff"

    @property
    def can_reply_in_chat(self) -> bool:
        return self.channel != "staff"


def routing_handler(procedure: Procedure) -> Handler | None:
    """The first-stage handler that has someone else take over complaints about them.

    West Wilts: a complaint about the Coordinator goes to the Chair. When the first stage is the
    informal one, the first formal stage decides.
    """
    for stage in procedure.stages[:2]:
        if stage.handler.alternative_role:
            return stage.handler
        if not stage.informal:
            break
    return None
