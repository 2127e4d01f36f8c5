"""Seed rules about what the letters say: apologies and policy changes (Cambridge Art
Therapy), the external bodies' contact details and notes, and final decisions (Creative
Alliance, West Wilts)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from storage.runtime import Storage
from tests.admin.helpers import add_staff, login, panel_signs_off, submit
from tests.admin.seed_helpers import act, outbox_bodies


async def answer_final_stage(storage: Storage, case_id: int) -> str:
    """Answer every stage and ask for the next, up to the final stage's answer."""
    cases = storage.cases
    for _ in range(storage.procedure.last_stage - 1):
        await panel_signs_off(storage, case_id)
        await cases.reply(case_id, "Our answer at this stage.", staff_id=None)
        await cases.escalate(case_id, reasons="Not satisfied.")
    await panel_signs_off(storage, case_id)
    await cases.reply(case_id, "Our final answer.", staff_id=None)
    return (await outbox_bodies(storage, case_id))[-1]


@pytest.mark.parametrize("procedure", ["cambridge-art-therapy"])
async def test_cat_upheld_complaint_receives_an_apology(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "therapist@example.org", ["therapist"])
    assert await login(client, "therapist@example.org") == 303
    case = await submit(storage)
    refused = await act(client, case.complaint_id, "outcome", {"outcome": "upheld"}, status=400)
    assert "needs an apology, or a reason why there is none" in refused
    await act(client, case.complaint_id, "outcome", {"outcome": "upheld", "apology": "yes"})
    await act(client, case.complaint_id, "reply", {"body": "You were right."})
    letter = (await outbox_bodies(storage, case.complaint_id))[-1]
    assert "You were right." in letter
    assert "We are sorry for what went wrong, and we apologise." in letter

    other = await submit(storage, "visitor-2")
    reason = {"outcome": "partly_upheld", "no_apology_reason": "The fault was the venue's."}
    await act(client, other.complaint_id, "outcome", reason)
    await act(client, other.complaint_id, "reply", {"body": "Partly right."})
    assert "apologise" not in (await outbox_bodies(storage, other.complaint_id))[-1]


@pytest.mark.parametrize("procedure", ["cambridge-art-therapy"])
async def test_cat_complainant_informed_of_changes_to_cat_policy(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "therapist@example.org", ["therapist"])
    assert await login(client, "therapist@example.org") == 303
    case = await submit(storage)
    await act(client, case.complaint_id, "reply", {"body": "We are looking into our rota."})
    before = len(await outbox_bodies(storage, case.complaint_id))
    change = "Sessions are now confirmed by text the day before."
    form = {"outcome": "upheld", "apology": "yes", "policy_change": change}
    await act(client, case.complaint_id, "outcome", form)
    sent = await outbox_bodies(storage, case.complaint_id)
    assert len(sent) == before + 1
    assert f"Because of your complaint, we have changed how we work: {change}" in sent[-1]
    assert "we apologise" in sent[-1]
    await act(client, case.complaint_id, "outcome", form)  # the same again: nothing new to tell
    assert len(await outbox_bodies(storage, case.complaint_id)) == before + 1


@pytest.mark.parametrize("procedure", ["cambridge-art-therapy"])
async def test_cat_final_letter_gives_hcpc_contact_and_commissioned_only_note(
    storage: Storage,
) -> None:
    case = await submit(storage)
    letter = await answer_final_stage(storage, case.complaint_id)
    assert "Only if CAT was commissioned by another organisation" in letter
    assert "Website: http://www.hcpc-uk.co.uk/" in letter


@pytest.mark.parametrize("procedure", ["calat"])
async def test_calat_final_response_names_the_ombudsman_with_its_contact(
    storage: Storage,
) -> None:
    case = await submit(storage)
    letter = await answer_final_stage(storage, case.complaint_id)
    assert "Local Government Ombudsman" in letter
    assert "Website: https://www.lgo.org.uk" in letter


@pytest.mark.parametrize("procedure", ["west-wilts-ccc"])
async def test_west_wilts_stage3_decision_is_final_and_gives_naccc_address(
    storage: Storage,
) -> None:
    case = await submit(storage)
    letter = await answer_final_stage(storage, case.complaint_id)
    assert "This decision is final." in letter
    assert "Address: 5 Russel Place, Nottingham NG1 5HJ" in letter
    assert "not to conduct a formal investigation" in letter  # NACCC's note
    first = (await outbox_bodies(storage, case.complaint_id))[1]
    assert "This decision is final." not in first  # stage 1 is not final


@pytest.mark.parametrize("procedure", ["creative-alliance"])
async def test_creative_alliance_board_decision_is_final(storage: Storage) -> None:
    case = await submit(storage)
    letter = await answer_final_stage(storage, case.complaint_id)
    assert "This decision is final." in letter
