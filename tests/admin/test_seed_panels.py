"""Panels of people not involved before, each a different person, before a decision is sent.

Creative Alliance stage 2: "the SMT will assign two members who were not involved in the
initial investigation". West Wilts stage 3: "A panel of 3 Committee members will be
convened, not including the person who investigated at Stage 2". The procedure file states
the number (panel_size); the lifecycle table refuses the decision until it is met.
"""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from storage.runtime import Storage
from tests.admin.helpers import add_staff, login, submit
from tests.admin.seed_helpers import act, outbox_bodies


async def page_of(client: TestClient, case_id: int) -> str:
    return await (await client.get(f"/staff/cases/{case_id}")).text()


async def signs(client: TestClient, email: str, case_id: int, *, status: int = 303) -> str:
    assert await login(client, email) == 303
    return await act(client, case_id, "sign_off", {}, status=status)


async def decision_refused(client: TestClient, case_id: int, email: str) -> None:
    assert await login(client, email) == 303
    refused = await act(client, case_id, "reply", {"body": "Our decision."}, status=409)
    assert "the panel has not all signed off the decision yet" in refused


@pytest.mark.parametrize("procedure", ["creative-alliance"])
async def test_creative_alliance_smt_review_signed_off_by_two_members_not_involved(
    storage: Storage, client: TestClient
) -> None:
    assert storage.procedure.stage(2).panel_size == 2  # the procedure file says two
    await add_staff(storage, "inv@example.org", ["staff", "smt"], "Ivy Inv")
    await add_staff(storage, "smt1@example.org", ["smt"], "Sam One")
    await add_staff(storage, "smt2@example.org", ["smt"], "Sol Two")
    case = await submit(storage)
    # Stage 1, investigated by Ivy, who also sits on the SMT.
    assert await login(client, "inv@example.org") == 303
    await act(client, case.complaint_id, "reply", {"body": "Our findings."})
    await storage.cases.escalate(case.complaint_id, reasons="Not satisfied.")

    refused = await signs(client, "inv@example.org", case.complaint_id, status=403)
    assert "not involved at an earlier stage" in refused
    await signs(client, "smt1@example.org", case.complaint_id)
    again = await signs(client, "smt1@example.org", case.complaint_id, status=400)
    assert "already signed this off" in again
    page = await page_of(client, case.complaint_id)
    assert "1 of 2: Sam One" in page and "1 more needed" in page
    await decision_refused(client, case.complaint_id, "smt1@example.org")

    await signs(client, "smt2@example.org", case.complaint_id)
    page = await page_of(client, case.complaint_id)
    assert "2 of 2: Sam One, Sol Two" in page and "more needed" not in page
    await act(client, case.complaint_id, "reply", {"body": "Our review decision."})
    assert "Our review decision." in (await outbox_bodies(storage, case.complaint_id))[-1]


@pytest.mark.parametrize("procedure", ["west-wilts-ccc"])
async def test_west_wilts_stage3_panel_of_three_not_including_stage2_investigator(
    storage: Storage, client: TestClient
) -> None:
    assert storage.procedure.stage(3).panel_size == 3
    await add_staff(storage, "chair@example.org", ["chair", "panel"], "Chris Chair")
    for n in (1, 2, 3):
        await add_staff(storage, f"p{n}@example.org", ["panel"], f"Panel Member {n}")
    case = await submit(storage)
    await storage.cases.reply(case.complaint_id, "Stage 1 answer.", staff_id=None)
    await storage.cases.escalate(case.complaint_id, reasons="Not satisfied.")
    # The Chair investigates stage 2 ...
    assert await login(client, "chair@example.org") == 303
    await act(client, case.complaint_id, "reply", {"body": "Stage 2 answer."})
    await storage.cases.escalate(case.complaint_id, reasons="Still not satisfied.")
    # ... so cannot sit on the stage 3 panel.
    refused = await signs(client, "chair@example.org", case.complaint_id, status=403)
    assert "not involved at an earlier stage" in refused

    await signs(client, "p1@example.org", case.complaint_id)
    await signs(client, "p2@example.org", case.complaint_id)
    page = await page_of(client, case.complaint_id)
    assert "2 of 3: Panel Member 1, Panel Member 2" in page and "1 more needed" in page
    await decision_refused(client, case.complaint_id, "p2@example.org")
    await signs(client, "p3@example.org", case.complaint_id)
    await act(client, case.complaint_id, "reply", {"body": "The panel's decision."})
    assert "The panel's decision." in (await outbox_bodies(storage, case.complaint_id))[-1]
