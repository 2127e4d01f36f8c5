"""Cambridge Art Therapy: "if an investigation cannot proceed or be fairly conducted without
the complainant being identified, the complainant will be given the option whether or not to
proceed"."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from storage.runtime import Storage
from tests.admin.helpers import add_staff, login, submit
from tests.admin.seed_helpers import act, outbox_bodies

NAME = "Alex Example"


@pytest.fixture
def procedure() -> str:
    return "cambridge-art-therapy"


async def test_cat_name_hidden_from_investigators_until_the_person_agrees(
    storage: Storage, client: TestClient, other_client: TestClient
) -> None:
    await add_staff(storage, "therapist@example.org", ["therapist"])
    await add_staff(storage, "admin@example.org", ["admin"])
    assert await login(client, "therapist@example.org") == 303
    assert await login(other_client, "admin@example.org") == 303
    case = await submit(storage, share_name=False, email="alex@example.org")
    url = f"/staff/cases/{case.complaint_id}"

    page = await (await client.get(url)).text()
    assert NAME not in page and "alex@example.org" not in page
    assert "asked not to be identified" in page
    listed = await (await client.get("/staff/cases")).text()
    assert case.reference in listed and NAME not in listed
    assert case.reference not in await (await client.get("/staff/cases?q=Alex")).text()
    assert NAME in await (await other_client.get(url)).text()  # the records keeper

    await act(client, case.complaint_id, "ask_name", {})
    question = (await outbox_bodies(storage, case.complaint_id))[-1]
    assert "Do you agree that we share your name with them?" in question
    assert (await storage.cases.get(case.complaint_id)).status == "awaiting_complainant"

    await act(client, case.complaint_id, "name_choice", {"share": "no"})
    page = await (await client.get(url)).text()
    assert NAME not in page and "chose not to share their name" in page

    await act(client, case.complaint_id, "name_choice", {"share": "yes"})
    page = await (await client.get(url)).text()
    assert NAME in page and "asked not to be identified" not in page
