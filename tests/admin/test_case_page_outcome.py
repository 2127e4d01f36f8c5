"""The case page: the outcome's apology and actions, and a long description shown once,
folded after its first lines with the whole text a tap away."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from storage.runtime import Storage
from storage.staff import procedure_roles
from tests.admin.helpers import add_staff, login, submit


async def signed_in(storage: Storage, client: TestClient) -> None:
    await add_staff(storage, "all@example.org", list(procedure_roles(storage.procedure)))
    assert await login(client, "all@example.org") == 303


async def test_the_outcome_shows_its_apology_and_actions(
    storage: Storage, client: TestClient
) -> None:
    await signed_in(storage, client)
    done = await submit(storage)
    await storage.cases.record_outcome(
        done.complaint_id,
        outcome="partly_upheld",
        apology=True,
        actions="We will text people when a session is cancelled.",
        policy_change="Cancellations are now posted on the website.",
        staff_id=None,
    )
    page = await (await client.get(f"/staff/cases/{done.complaint_id}")).text()
    assert 'id="outcome-apology"><dt>Apology</dt><dd>Yes' in page
    assert "We will text people when a session is cancelled." in page
    assert "Cancellations are now posted on the website." in page


async def test_a_long_description_is_shown_once_and_folded(
    storage: Storage, client: TestClient
) -> None:
    await signed_in(storage, client)
    long = "\n".join(f"Line {n}: the heating in the hall failed again." for n in range(40))
    done = await submit(storage, description=long)
    page = await (await client.get(f"/staff/cases/{done.complaint_id}")).text()
    assert page.count("Line 39: the heating") == 1  # the whole text, once
    assert '<details class="description" id="description">' in page
    assert "Show the whole text" in page
    assert "Shown above, under What they told us" in page  # not repeated on the timeline


async def test_a_short_description_is_not_folded(storage: Storage, client: TestClient) -> None:
    await signed_in(storage, client)
    done = await submit(storage)
    page = await (await client.get(f"/staff/cases/{done.complaint_id}")).text()
    assert '<details class="description"' not in page
    assert page.count("The session on Tuesday was cancelled without notice.") == 1
