"""Shared steps of the staff view tests: accounts, signing in, forms, complaints."""

from __future__ import annotations

import re
from dataclasses import replace

from aiohttp.test_utils import TestClient

from procedures.case import Kind, NewComplaint, Received
from storage.runtime import Storage
from storage.staff import StaffDirectory
from storage.views import StaffView, Submitted

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')

COMPLAINT = NewComplaint(
    kind=Kind.COMPLAINT,
    description="The session on Tuesday was cancelled without notice.",
    complainant_name="Alex Example",
    received_via=Received.WEBCHAT,
)


async def add_staff(
    storage: Storage, email: str, roles: list[str], name: str | None = None
) -> StaffView:
    directory = StaffDirectory(storage.sessions, storage.procedure)
    return await directory.add(
        email, name or email.split("@")[0].title(), PASSWORD, roles, now=storage.cases.clock()
    )


async def submit(storage: Storage, visitor: str = "visitor-1", **changes: object) -> Submitted:
    new = replace(COMPLAINT, **changes)  # type: ignore[arg-type]
    return await storage.cases.submit(new, channel="webchat", external_id=visitor)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form token"
    return found.group(1)


def version_of(html: str) -> int:
    found = VERSION.search(html)
    assert found, "the page has no case version"
    return int(found.group(1))


async def case_form(client: TestClient, path: str, **fields: str) -> dict[str, str]:
    """What a case page's action form posts: its token and case version, plus `fields`."""
    html = await (await client.get(path)).text()
    return {"csrf": csrf_of(html), "version": str(version_of(html)), **fields}


async def login(client: TestClient, email: str, password: str = PASSWORD, code: str = "") -> int:
    """Sign in through the form; returns the status of the answer to the POST."""
    page = await client.get("/staff/login")
    token = csrf_of(await page.text())
    response = await client.post(
        "/staff/login",
        data={"email": email, "password": password, "code": code, "csrf": token},
        allow_redirects=False,
    )
    return response.status


async def token(client: TestClient, path: str = "/staff/") -> str:
    """The form token of a signed-in page."""
    page = await client.get(path)
    assert page.status == 200, (path, page.status)
    return csrf_of(await page.text())


def session_cookie(client: TestClient) -> str | None:
    for cookie in client.session.cookie_jar:
        if cookie.key == "staff_session":
            return cookie.value
    return None
