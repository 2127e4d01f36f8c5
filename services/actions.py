"""The procedure's actions on a case: what each asks for, what it sends, and doing it.

Every action that writes to the complainant has a preview step showing the exact text, in
the person's language: the operation itself runs and is rolled back (see `preview`), so the
preview cannot drift from what storage/cases.py sends (a test compares the two).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from procedures import lifecycle
from procedures.lifecycle import Actor, Facts
from procedures.model import Procedure
from storage.cases import OUTCOMES
from storage.errors import InvalidInput
from storage.models import Outbox
from storage.name_sharing import ask_to_share_name, record_name_choice
from storage.runtime import Storage
from storage.sign_offs import sign_off
from storage.views import CaseDetail, CaseView
from storage.window_decisions import decide_window

Form = Mapping[str, object]


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # the heading of its form and the words of its button
    sends: bool  # writes to the complainant, so it has a preview step
    done: str  # said after it is done
    acting: bool = True  # needs the stage's handler role (notes do not)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("acknowledge", "Acknowledge", True, "Acknowledgement sent."),
        Action("reply", "Send the answer for this stage", True, "Answer sent."),
        Action("message", "Send a message", True, "Message sent."),
        Action("request_information", "Ask for more information", True, "Question sent."),
        Action("extend", "Extend a time limit", True, "New date sent."),
        Action("escalate", "Move to the next stage", True, "Moved to the next stage."),
        Action("refer", "Refer to the external body", True, "Referral sent."),
        Action("close", "Close the case", True, "Case closed."),
        Action("outcome", "Record the outcome", True, "Outcome recorded."),
        Action("ask_name", "Ask if we may share their name", True, "Question sent."),
        Action("name_choice", "Record their answer about their name", False, "Answer recorded."),
        Action("sign_off", "Sign off the decision", False, "Signed off."),
        Action("accept_late", "Accept it despite the time limit", True, "Decision sent."),
        Action("decline_late", "Decline it: outside the time limit", True, "Decision sent."),
        Action("note", "Add an internal note", False, "Note added.", acting=False),
    )
}
OUTCOME_WORDS = {"upheld": "Upheld", "partly_upheld": "Partly upheld", "not_upheld": "Not upheld"}


def text(form: Form, name: str) -> str:
    return str(form.get(name, "") or "")


def checked(form: Form, name: str) -> bool:
    return text(form, name) in ("on", "yes", "1", "true")


def new_date(form: Form) -> date:
    try:
        return date.fromisoformat(text(form, "new_date"))
    except ValueError:
        raise InvalidInput("Give the new date as a date, for example 2026-12-31.") from None


def which(form: Form) -> str:
    value = text(form, "which") or "respond"
    if value not in ("acknowledge", "respond"):
        raise InvalidInput("Choose which date to extend.")
    return value


async def preview(
    storage: Storage, case_id: int, name: str, form: Form, *, staff_id: int, version: int
) -> str:
    """What the complainant will receive, exactly: the real operation, run in a transaction
    that is then rolled back, and the messages it queued. Nothing is worded twice, and a
    refusal (a date too early, a stage already answered) shows before anything is sent."""
    async with storage.engine.connect() as connection:
        outer = await connection.begin()
        try:
            sessions = async_sessionmaker(
                bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
            dry = replace(storage, cases=replace(storage.cases, sessions=sessions))
            before = await connection.scalar(select(func.coalesce(func.max(Outbox.id), 0)))
            await perform(dry, case_id, name, form, staff_id=staff_id, version=version)
            bodies = await connection.scalars(
                select(Outbox.body)
                .where(Outbox.complaint_id == case_id, Outbox.id > before)
                .order_by(Outbox.id)
            )
            return "\n\n".join(bodies)
        finally:
            await outer.rollback()


async def perform(
    storage: Storage, case_id: int, name: str, form: Form, *, staff_id: int, version: int
) -> None:
    cases = storage.cases
    common = {"staff_id": staff_id, "expected_version": version}
    if name == "acknowledge":
        await cases.acknowledge(case_id, **common)
    elif name in ("reply", "message"):
        await cases.reply(case_id, text(form, "body"), ends_stage=name == "reply", **common)
    elif name == "request_information":
        await cases.request_information(case_id, text(form, "question"), **common)
    elif name == "extend":
        await cases.extend(
            case_id,
            which=which(form),
            new_date=new_date(form),
            reason=text(form, "reason"),
            **common,
        )
    elif name == "escalate":
        await cases.escalate(case_id, reasons=text(form, "reasons"), **common)
    elif name == "refer":
        await cases.refer_external(case_id, **common)
    elif name == "close":
        await cases.close(case_id, notify=checked(form, "notify"), **common)
    elif name == "outcome":
        if text(form, "outcome") not in OUTCOMES:
            raise InvalidInput("Choose the outcome.")
        await cases.record_outcome(
            case_id,
            outcome=text(form, "outcome"),
            apology=checked(form, "apology"),
            actions=text(form, "actions"),
            policy_change=text(form, "policy_change"),
            no_apology_reason=text(form, "no_apology_reason"),
            **common,
        )
    elif name == "ask_name":
        await ask_to_share_name(cases, case_id, **common)
    elif name == "name_choice":
        if text(form, "share") not in ("yes", "no"):
            raise InvalidInput("Choose what they answered.")
        await record_name_choice(cases, case_id, share=text(form, "share") == "yes", **common)
    elif name == "sign_off":
        await sign_off(cases, case_id, **common)
    elif name in ("accept_late", "decline_late"):
        await decide_window(
            cases, case_id, accept=name == "accept_late", reason=text(form, "reason"), **common
        )
    elif name == "note":
        await cases.add_note(case_id, text(form, "body"), staff_id=staff_id)
    else:
        raise InvalidInput(f"Unknown action {name}.")


def facts_of(
    procedure: Procedure,
    case: CaseView,
    today: date,
    *,
    name_shared: bool = True,
    signed_off: int = 0,
    late_undecided: bool = False,
) -> Facts:
    """The case as the lifecycle table sees it (the same facts storage checks)."""
    stage = case.stage
    return Facts.of(
        procedure,
        status=case.status,
        kind=case.kind,
        stage=stage.number if stage else None,
        acknowledged=bool(stage and stage.acknowledged_at),
        responded=bool(stage and stage.responded_at),
        respond_by=stage.respond_by if stage else None,
        escalate_by=stage.escalate_by if stage else None,
        today=today,
        name_shared=name_shared,
        signed_off=signed_off,
        late_undecided=late_undecided,
    )


def available(procedure: Procedure, detail: CaseDetail, today: date) -> list[str]:
    """The staff view's buttons: what the lifecycle table lets staff do now, in its order."""
    facts = facts_of(
        procedure,
        detail.case,
        today,
        name_shared=detail.share_name,
        signed_off=len(detail.sign_offs),
        late_undecided=detail.window_decision_due,
    )
    return [name for name in lifecycle.allowed(facts, Actor.STAFF) if name in ACTIONS]
