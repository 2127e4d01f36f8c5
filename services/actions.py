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

from storage.cases import ENDED, OUTCOMES
from storage.errors import InvalidInput
from storage.models import Outbox
from storage.name_sharing import ask_to_share_name, record_name_choice
from storage.runtime import Storage
from storage.views import CaseDetail

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
        raise InvalidInput("give the new date as a date, for example 2026-12-31") from None


def which(form: Form) -> str:
    value = text(form, "which") or "respond"
    if value not in ("acknowledge", "respond"):
        raise InvalidInput("choose which date to extend")
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
            raise InvalidInput("choose the outcome")
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
            raise InvalidInput("choose what they answered")
        await record_name_choice(cases, case_id, share=text(form, "share") == "yes", **common)
    elif name == "note":
        await cases.add_note(case_id, text(form, "body"), staff_id=staff_id)
    else:
        raise InvalidInput(f"unknown action {name}")


def available(detail: CaseDetail, last_stage: int, final: bool, external_body: bool) -> list[str]:
    """The actions that fit the case as it is now (storage refuses the others anyway).

    `final`: the current stage is marked final in the procedure."""
    case = detail.case
    if case.status in ENDED:
        return ["note"]
    if case.kind == "enquiry":
        record = case.stage
        open_reply = record is not None and record.responded_at is None
        return [*(["reply", "extend"] if open_reply else []), "message", "close", "note"]
    if case.kind != "complaint":
        return ["note", "close"]
    names = ["message", "request_information"]
    record = case.stage
    if record is not None:
        if record.acknowledged_at is None and record.responded_at is None:
            names.insert(0, "acknowledge")
        if record.responded_at is None:
            names.insert(1 if "acknowledge" in names else 0, "reply")
            names.append("extend")
        if record.number < last_stage and not (record.number and final):
            names.append("escalate")
        if record.number == last_stage and record.responded_at and external_body:
            names.append("refer")
        names.append("outcome")
    if not detail.share_name:
        names += ["ask_name", "name_choice"]
    return [*names, "close", "note"]
