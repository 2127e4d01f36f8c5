"""The declared lifecycle (procedures/lifecycle.py) against every preset, on real storage.

At each step of a walk through a case's life, every staff action is tried for real (in a
transaction that is rolled back, as the preview does): storage must do exactly the ones the
table allows and refuse the others. Then one allowed action is done and the walk goes on.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from procedures import letters, lifecycle
from procedures.case import Kind, NewComplaint, Received
from procedures.lifecycle import TABLE, Actor, Facts, Status
from procedures.loader import load_procedure, preset_names
from services.actions import ACTIONS, preview
from storage.errors import CaseError
from storage.models import StaffUser
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.admin.helpers import add_staff, panel_signs_off
from tests.conftest import FakeClock

PRESETS = tuple(preset_names())
COMPLAINT = NewComplaint(
    kind=Kind.COMPLAINT,
    description="The session was cancelled without notice.",
    received_via=Received.WEBCHAT,
)


def form_for(name: str, storage: Storage) -> dict[str, str]:
    later = (storage.cases.today() + timedelta(days=400)).isoformat()
    return {
        "body": "Our answer.",
        "question": "Which session was it?",
        "which": "respond",
        "new_date": later,
        "reason": "We need to speak to the tutor.",
        "reasons": "I am not satisfied.",
        "outcome": "upheld",
        "apology": "on",
        "notify": "on",
    }


@pytest.fixture(params=PRESETS)
async def preset_storage(
    request: pytest.FixtureRequest, db_url: str, settings: Settings, clock: FakeClock
) -> AsyncIterator[Storage]:
    opened = await open_storage(
        replace(settings, database_url=db_url, procedure=request.param),
        run_migrations=False,
        clock=clock,
    )
    yield opened
    await opened.close()


async def signer(storage: Storage, role: str) -> int:
    """One account per role that may sign off (its previews roll back: never involved)."""
    email = f"signer-{role}@example.org"
    async with storage.sessions() as session:
        found = await session.scalar(select(StaffUser.id).where(StaffUser.email == email))
    return found if found is not None else (await add_staff(storage, email, [role])).id


async def what_storage_allows(storage: Storage, case_id: int) -> list[str]:
    done = []
    for name in ACTIONS:
        view = await storage.cases.get(case_id)
        staff_id = None
        if name == "sign_off" and view.stages:  # a sign-off is always someone's
            staff_id = await signer(storage, view.stages[-1].handler_role)
        try:
            await preview(
                storage,
                case_id,
                name,
                form_for(name, storage),
                staff_id=staff_id,  # type: ignore[arg-type]
                version=view.version,
            )
        except CaseError:
            continue
        done.append(name)
    return done


@pytest.mark.parametrize("informal", [False, True])
async def test_storage_does_what_the_table_allows_and_nothing_else(
    preset_storage: Storage, clock: FakeClock, informal: bool
) -> None:
    storage = preset_storage
    procedure = storage.procedure
    if informal and not procedure.has_informal_route:
        pytest.skip("no informal route in this procedure")
    done = await storage.cases.submit(replace(COMPLAINT, formal=not informal))
    seen: set[Status] = set()
    # A path through the life of a case: the first allowed action of each preference.
    preference = [
        "acknowledge",
        "request_information",
        "sign_off",
        "reply",
        "escalate",
        "refer",
        "close",
    ]
    for _ in range(30):
        facts = await storage.cases.current_facts(done.complaint_id)
        seen.add(facts.status)
        table = [n for n in lifecycle.allowed(facts, Actor.STAFF) if n in ACTIONS]
        assert set(await what_storage_allows(storage, done.complaint_id)) == set(table), facts
        if facts.status is Status.AWAITING:
            await storage.cases.add_information(done.complaint_id, "It was Tuesday.")
            preference.remove("request_information")
            continue
        following = next((n for n in preference if n in table), None)
        if following is None:
            break
        await perform_action(storage, done.complaint_id, following)
        clock.advance(days=1)
    assert Status.OPEN in seen or Status.INFORMAL in seen
    assert facts.status in lifecycle.ENDED


async def perform_action(storage: Storage, case_id: int, name: str) -> None:
    from services.actions import perform

    if name == "sign_off":
        await panel_signs_off(storage, case_id)
        return
    view = await storage.cases.get(case_id)
    await perform(
        storage,
        case_id,
        name,
        form_for(name, storage),
        staff_id=None,  # type: ignore[arg-type]
        version=view.version,
    )


async def test_a_compliment_is_recorded_and_only_closed_or_noted(storage: Storage) -> None:
    done = await storage.cases.submit(replace(COMPLAINT, kind=Kind.COMPLIMENT))
    view = await storage.cases.get(done.complaint_id)
    assert view.status == Status.RECORDED
    assert set(await what_storage_allows(storage, done.complaint_id)) == {"close", "note"}


def test_every_letter_the_table_names_exists() -> None:
    for transition in TABLE:
        if transition.letter is not None:
            assert inspect.isfunction(getattr(letters, transition.letter)), transition.name


@pytest.mark.parametrize("preset", PRESETS)
def test_every_state_is_reachable_in_every_preset(preset: str) -> None:
    """A pure walk of the table from a new case: every state can be reached."""
    procedure = load_procedure(preset)
    first = lifecycle.initial(is_case=True, informal=procedure.has_informal_route)
    stage = lifecycle.INFORMAL_STAGE if first is Status.INFORMAL else 1
    frontier = [Facts.of(procedure, status=first, kind="complaint", stage=stage)]
    seen = set(frontier)
    while frontier:
        facts = frontier.pop()
        for actor in Actor:
            for name in lifecycle.allowed(facts, actor):
                moves = name in ("escalate", "request_next_stage")
                number = (facts.stage or 0) + moves
                following = Facts.of(
                    procedure,
                    status=lifecycle.BY_NAME[name].target(facts),
                    kind="complaint",
                    stage=number,
                    acknowledged=not moves and (facts.acknowledged or name == "acknowledge"),
                    responded=not moves and (facts.responded or name == "reply"),
                    signed_off=0 if moves else facts.signed_off + (name == "sign_off"),
                )
                if following not in seen:
                    seen.add(following)
                    frontier.append(following)
    reached = {facts.status for facts in seen} | {Status.RECORDED}
    expected = set(Status)
    if not procedure.has_informal_route:
        expected.discard(Status.INFORMAL)
    if procedure.external_body is None:
        expected.discard(Status.REFERRED)
    assert reached == expected
    # The final stage is reached, and nothing moves a case beyond it.
    assert max(f.stage or 0 for f in seen) == procedure.last_stage
