"""CAST: "If that member of staff is a Director we will ask a suitable person from an
external organisation to investigate the complaint with the other Directors"."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from storage.runtime import Storage
from storage.visibility import name_subject
from tests.admin.helpers import add_staff, login, submit, token, version_of


@pytest.fixture
def procedure() -> str:
    return "cast"


async def test_cast_complaint_about_a_director_gets_an_external_investigator(
    storage: Storage, client: TestClient
) -> None:
    director = await add_staff(storage, "director@example.org", ["director"])
    await add_staff(storage, "other.director@example.org", ["director", "staff", "admin"])
    plain = await add_staff(storage, "worker@example.org", ["staff"])
    about_director = await submit(storage, "v1")
    about_worker = await submit(storage, "v2")
    for case, subject in ((about_director, director), (about_worker, plain)):
        version = (await storage.cases.get(case.complaint_id)).version
        await name_subject(
            storage.cases, case.complaint_id, subject.id, staff_id=1, expected_version=version
        )
    assert await login(client, "other.director@example.org") == 303
    url = f"/staff/cases/{about_director.complaint_id}"
    page = await (await client.get(url)).text()
    assert 'id="needs-investigator"' in page
    other = await client.get(f"/staff/cases/{about_worker.complaint_id}")
    assert 'id="needs-investigator"' not in await other.text()

    form = {"csrf": await token(client, url), "version": str(version_of(page))}
    missing = await client.post(f"{url}/investigator", data={**form, "name": "Pat Outside"})
    assert missing.status == 400
    form["version"] = str(version_of(await (await client.get(url)).text()))
    done = await client.post(
        f"{url}/investigator",
        data={**form, "name": "Pat Outside", "organisation": "Arts Mediation Ltd"},
        allow_redirects=False,
    )
    assert done.status == 303
    page = await (await client.get(url)).text()
    assert 'id="needs-investigator"' not in page
    assert "Investigated by someone from outside: Pat Outside, Arts Mediation Ltd." in page
