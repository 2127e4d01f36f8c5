"""The staff view's action buttons are the lifecycle table's, in every state a case can be in.

Each case is brought to its state through storage; the page is fetched over HTTP and its
action forms are read back. The table (procedures/lifecycle.py) decides; the page only shows.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient

from procedures import lifecycle
from procedures.case import Kind
from procedures.lifecycle import Actor, Status
from services.actions import ACTIONS, facts_of
from storage.runtime import Storage
from storage.staff import procedure_roles
from tests.admin.helpers import COMPLAINT, add_staff, login, panel_signs_off, submit
from tests.conftest import FakeClock

ACTION_FORM = re.compile(r'action="/staff/cases/\d+/actions/(\w+)(?:/preview)?"')
Setup = Callable[[Storage, int], Awaitable[None]]


async def nothing(storage: Storage, case_id: int) -> None:
    return None


async def acknowledged(storage: Storage, case_id: int) -> None:
    await storage.cases.acknowledge(case_id, staff_id=None)


async def awaiting(storage: Storage, case_id: int) -> None:
    await storage.cases.request_information(case_id, "Which day?", staff_id=None)


async def responded(storage: Storage, case_id: int) -> None:
    await panel_signs_off(storage, case_id)
    await storage.cases.reply(case_id, "Our answer.", staff_id=None)


async def asked_after_answer(storage: Storage, case_id: int) -> None:
    await responded(storage, case_id)
    await awaiting(storage, case_id)


async def next_stage(storage: Storage, case_id: int) -> None:
    await responded(storage, case_id)
    await storage.cases.escalate(case_id, reasons="Not satisfied.")


async def final_answered(storage: Storage, case_id: int) -> None:
    await responded(storage, case_id)
    for _ in range(storage.procedure.last_stage - 1):
        await storage.cases.escalate(case_id, reasons="Not satisfied.")
        await responded(storage, case_id)


async def referred(storage: Storage, case_id: int) -> None:
    await final_answered(storage, case_id)
    await storage.cases.refer_external(case_id, staff_id=None)


async def closed(storage: Storage, case_id: int) -> None:
    await storage.cases.close(case_id, staff_id=None)


async def withdrawn(storage: Storage, case_id: int) -> None:
    await storage.cases.withdraw(case_id)


SETUPS: dict[str, tuple[Setup, Status]] = {
    "open": (nothing, Status.OPEN),
    "acknowledged": (acknowledged, Status.ACKNOWLEDGED),
    "awaiting": (awaiting, Status.AWAITING),
    "responded": (responded, Status.RESPONDED),
    "awaiting after the answer": (asked_after_answer, Status.AWAITING),
    "stage 2 open": (next_stage, Status.OPEN),
    "final stage answered": (final_answered, Status.RESPONDED),
    "referred": (referred, Status.REFERRED),
    "closed": (closed, Status.CLOSED),
    "withdrawn": (withdrawn, Status.WITHDRAWN),
}


async def buttons(client: TestClient, case_id: int) -> list[str]:
    page = await client.get(f"/staff/cases/{case_id}")
    assert page.status == 200
    return list(dict.fromkeys(ACTION_FORM.findall(await page.text())))


async def signed_in(storage: Storage, client: TestClient) -> None:
    await add_staff(storage, "all@example.org", list(procedure_roles(storage.procedure)))
    assert await login(client, "all@example.org") == 303


def table_buttons(storage: Storage, view: object) -> list[str]:
    facts = facts_of(storage.procedure, view, storage.cases.today())  # type: ignore[arg-type]
    return [n for n in lifecycle.allowed(facts, Actor.STAFF) if n in ACTIONS]


@pytest.mark.parametrize("state", sorted(SETUPS))
async def test_the_case_page_offers_what_the_table_allows(
    storage: Storage, client: TestClient, clock: FakeClock, state: str
) -> None:
    await signed_in(storage, client)
    done = await submit(storage)
    setup, expected = SETUPS[state]
    await setup(storage, done.complaint_id)
    view = await storage.cases.get(done.complaint_id)
    assert view.status == expected
    shown = await buttons(client, done.complaint_id)
    assert shown == table_buttons(storage, view)
    assert "note" in shown  # an internal note is always possible


async def test_a_compliment_offers_only_close_and_note(
    storage: Storage, client: TestClient
) -> None:
    await signed_in(storage, client)
    done = await storage.cases.submit(replace(COMPLAINT, kind=Kind.COMPLIMENT))
    view = await storage.cases.get(done.complaint_id)
    assert view.status == Status.RECORDED
    assert await buttons(client, done.complaint_id) == table_buttons(storage, view)
    assert await buttons(client, done.complaint_id) == ["close", "note"]


@pytest.mark.parametrize("procedure", ["creative-alliance"])
async def test_an_informal_case_offers_what_the_table_allows(
    storage: Storage, client: TestClient
) -> None:
    await signed_in(storage, client)
    done = await submit(storage, formal=False)
    view = await storage.cases.get(done.complaint_id)
    assert view.status == Status.INFORMAL
    assert await buttons(client, done.complaint_id) == table_buttons(storage, view)


async def test_every_state_of_the_table_is_covered() -> None:
    covered = {status for _, status in SETUPS.values()} | {Status.RECORDED, Status.INFORMAL}
    assert covered == set(Status)
