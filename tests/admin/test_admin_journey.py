"""The staff view as a busy member of staff reads it (issue 20): errors are sentences with the
values that matter, roles have names, a used setup link says what to do."""

from __future__ import annotations

import re
from html import unescape

from aiohttp.test_utils import TestClient

from services.setup import setup_token
from storage.runtime import Storage
from tests.admin.helpers import PASSWORD, add_staff, case_form, csrf_of, login, submit


def text_of(html: str) -> str:
    """The page's words, as a person reads them (tags dropped, entities decoded)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


async def test_an_extension_to_a_past_date_says_which_dates_decide(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "coord@example.org", ["coordinator", "admin"])
    assert await login(client, "coord@example.org") == 303
    done = await submit(storage)  # received Monday 2 November 2026; reply by 23 November
    path = f"/staff/cases/{done.complaint_id}"
    data = await case_form(
        client, path, which="respond", new_date="2026-11-20", reason="We are waiting for a report."
    )
    refused = await client.post(path + "/actions/extend/preview", data=data)
    assert refused.status == 400
    said = text_of(await refused.text())
    found = re.search(r"The new reply-by date must be later than [^.]*\.", said)
    assert found, said
    sentence = found.group()
    assert "the current reply-by date, " in sentence and "2026" in sentence
    assert "today, Monday 2 November 2026" in sentence
    assert "Friday 20 November 2026 is not." in said


async def test_errors_are_sentences(storage: Storage, client: TestClient) -> None:
    await add_staff(storage, "coord@example.org", ["coordinator", "admin"])
    assert await login(client, "coord@example.org") == 303
    html = await (await client.get("/staff/accounts")).text()
    data = {"csrf": csrf_of(html), "email": "not-an-address", "name": "Jo", "password": PASSWORD}
    refused = await client.post("/staff/accounts", data={**data, "role": "coordinator"})
    alert = re.search(r'role="alert">([^<]*)<', await refused.text())
    assert alert is not None
    message = unescape(alert.group(1))
    assert message[0].isupper() and message.endswith("."), message


async def test_pages_show_role_names_not_ids(storage: Storage, client: TestClient) -> None:
    await add_staff(storage, "coord@example.org", ["coordinator", "admin"])
    assert await login(client, "coord@example.org") == 303
    for page in ("/staff/accounts", "/staff/account", "/staff/cases"):
        said = text_of(await (await client.get(page)).text())
        assert "Coordinator (stage 1)" in said, page
        assert "coordinator" not in said.replace("coord@example.org", ""), page
    said = text_of(await (await client.get("/staff/accounts")).text())
    assert "Chair (stages 1, 2)" in said and "Administrator" in said
    assert " chair " not in said and " admin " not in said


async def test_a_used_setup_link_says_so_and_how_to_sign_in(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "first@example.org", ["admin"])
    response = await client.get("/staff/setup?token=" + setup_token("test-secret-key"))
    assert response.status == 410
    html = await response.text()
    said = text_of(html)
    assert "404" not in said and "Not Found" not in said
    assert "This setup link has been used" in said
    assert "Sign in with that account's email address and password." in said
    assert 'href="/staff/login"' in html
    wrong = await client.get("/staff/setup?token=wrong")
    assert wrong.status == 404
    assert "There is no such page." in text_of(await wrong.text())
