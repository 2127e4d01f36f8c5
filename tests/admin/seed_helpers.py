"""Shared steps of the seed-rule tests (tests/admin/test_seed_*.py)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from storage.models import Outbox
from storage.runtime import Storage
from tests.admin.helpers import token, version_of


async def outbox_bodies(storage: Storage, complaint_id: int | None = None) -> list[str]:
    """Every message queued so far (for one case, when given), oldest first."""
    async with storage.sessions() as session:
        query = select(Outbox.body).order_by(Outbox.id)
        if complaint_id is not None:
            query = query.where(Outbox.complaint_id == complaint_id)
        return list(await session.scalars(query))


async def act(
    client: TestClient, case_id: int, name: str, form: dict[str, str], *, status: int = 303
) -> str:
    """Do a case action through the staff view (its final POST, after any preview)."""
    page = await client.get(f"/staff/cases/{case_id}")
    html = await page.text()
    data = {
        "csrf": await token(client, f"/staff/cases/{case_id}"),
        "version": str(version_of(html)),
    }
    response = await client.post(
        f"/staff/cases/{case_id}/actions/{name}", data={**data, **form}, allow_redirects=False
    )
    assert response.status == status, (name, response.status, await response.text())
    return await response.text()
