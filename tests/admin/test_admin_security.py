"""Sessions, CSRF and Origin, cookie flags, headers, throttling, escaping, locking, setup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, make_mocked_request
from sqlalchemy import func, select

from admin.security import set_session_cookie
from services.setup import setup_link, setup_token
from storage import staff
from storage.models import Outbox, StaffSession, Throttle
from storage.runtime import Storage
from storage.staff import StaffDirectory, totp_code, verify_totp
from tests.admin.helpers import (
    PASSWORD,
    add_staff,
    case_form,
    csrf_of,
    login,
    session_cookie,
    submit,
    token,
    version_of,
)
from tests.conftest import FakeClock

XSS = (
    '<script>alert("x")</script><img src=x onerror=alert(1)>'
    '"><svg onload=alert(2)></textarea><a href="javascript:alert(3)">'
)


async def signed_in_coordinator(storage: Storage, client: TestClient) -> int:
    staff = await add_staff(storage, "coord@example.org", ["coordinator", "admin"])
    assert await login(client, "coord@example.org") == 303
    return staff.id


async def test_login_logout_and_the_old_cookie_is_dead(
    storage: Storage, client: TestClient
) -> None:
    await signed_in_coordinator(storage, client)
    cookie = session_cookie(client)
    assert cookie and (await client.get("/staff/")).status == 200
    logout = await client.post(
        "/staff/logout", data={"csrf": await token(client)}, allow_redirects=False
    )
    assert logout.status == 303
    client.session.cookie_jar.update_cookies({"staff_session": cookie})
    again = await client.get("/staff/", allow_redirects=False)
    assert again.status == 303
    assert again.headers["Location"].startswith("/staff/login")


async def test_signing_in_rotates_the_session(storage: Storage, client: TestClient) -> None:
    await signed_in_coordinator(storage, client)
    first = session_cookie(client)
    assert await login(client, "coord@example.org") == 303
    second = session_cookie(client)
    assert first and second and first != second
    async with storage.sessions() as session:
        assert await session.scalar(select(func.count(StaffSession.id))) == 1
    # A value planted before signing in never becomes the session.
    client.session.cookie_jar.update_cookies({"staff_session": "planted-by-someone-else"})
    assert await login(client, "coord@example.org") == 303
    assert session_cookie(client) != "planted-by-someone-else"


async def test_idle_timeout(storage: Storage, client: TestClient, clock: FakeClock) -> None:
    await signed_in_coordinator(storage, client)
    for _ in range(3):
        clock.advance(minutes=29)
        assert (await client.get("/staff/", allow_redirects=False)).status == 200
    clock.advance(minutes=31)
    assert (await client.get("/staff/", allow_redirects=False)).status == 303


async def test_absolute_timeout(storage: Storage, client: TestClient, clock: FakeClock) -> None:
    await signed_in_coordinator(storage, client)
    for _ in range(28):  # 11 h 40 min, never idle for 30 minutes
        clock.advance(minutes=25)
        assert (await client.get("/staff/cases", allow_redirects=False)).status == 200
    clock.advance(minutes=25)  # past 12 hours in all
    assert (await client.get("/staff/cases", allow_redirects=False)).status == 303


async def test_password_change_and_disabling_end_sessions(
    storage: Storage, client: TestClient, other_client: TestClient
) -> None:
    me = await signed_in_coordinator(storage, client)
    colleague = await add_staff(storage, "case@example.org", ["coordinator"])
    assert await login(other_client, "case@example.org") == 303
    directory = StaffDirectory(storage.sessions, storage.procedure)
    await directory.set_active(colleague.id, False, now=storage.cases.clock(), by=me)
    assert (await other_client.get("/staff/", allow_redirects=False)).status == 303
    assert await login(other_client, "case@example.org") == 401
    # Changing one's own password ends the other sessions; this browser gets a new one.
    assert await login(other_client, "coord@example.org") == 303
    new = "a brand new long password"
    changed = await client.post(
        "/staff/account/password",
        data={"csrf": await token(client), "current": PASSWORD, "new": new, "new_again": new},
        allow_redirects=False,
    )
    assert changed.status == 303
    assert (await client.get("/staff/", allow_redirects=False)).status == 200
    assert (await other_client.get("/staff/", allow_redirects=False)).status == 303
    assert await login(other_client, "coord@example.org", new) == 303


@pytest.mark.parametrize("given", [None, "", "wrong-token"])
async def test_csrf_missing_or_wrong_is_refused(
    storage: Storage, client: TestClient, given: str | None
) -> None:
    await signed_in_coordinator(storage, client)
    done = await submit(storage)
    data = {"body": "A note.", "version": "1"}
    if given is not None:
        data["csrf"] = given
    response = await client.post(f"/staff/cases/{done.complaint_id}/actions/note", data=data)
    assert response.status == 403
    # Signed in, even the login form needs the session's token: right credentials posted
    # from elsewhere (login CSRF) are refused, not signed in (303).
    right = {"email": "coord@example.org", "password": PASSWORD}
    if given is not None:
        right["csrf"] = given
    login_post = await client.post("/staff/login", data=right, allow_redirects=False)
    assert login_post.status == 403


async def test_login_form_needs_its_token(storage: Storage, client: TestClient) -> None:
    await add_staff(storage, "coord@example.org", ["coordinator"])
    bare = await client.post(
        "/staff/login", data={"email": "coord@example.org", "password": PASSWORD}
    )
    assert bare.status == 403


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, 403),
        ({"Sec-Fetch-Site": "same-site"}, 403),
        ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, 303),
        ({}, 303),
    ],
)
async def test_origin_is_checked(
    storage: Storage, client: TestClient, headers: dict[str, str], status: int
) -> None:
    await signed_in_coordinator(storage, client)
    done = await submit(storage)
    data = {"csrf": await token(client), "body": "A note.", "version": "1"}
    response = await client.post(
        f"/staff/cases/{done.complaint_id}/actions/note",
        data=data,
        headers=headers,
        allow_redirects=False,
    )
    assert response.status == status


async def test_own_origin_is_accepted(storage: Storage, client: TestClient) -> None:
    await signed_in_coordinator(storage, client)
    done = await submit(storage)
    origin = f"http://{client.host}:{client.port}"
    response = await client.post(
        f"/staff/cases/{done.complaint_id}/actions/note",
        data={"csrf": await token(client), "body": "A note.", "version": "1"},
        headers={"Origin": origin, "Host": f"{client.host}:{client.port}"},
        allow_redirects=False,
    )
    assert response.status == 303


async def test_cookie_flags(storage: Storage, client: TestClient) -> None:
    await add_staff(storage, "coord@example.org", ["coordinator"])
    page = await client.get("/staff/login")
    posted = await client.post(
        "/staff/login",
        data={
            "email": "coord@example.org",
            "password": PASSWORD,
            "csrf": csrf_of(await page.text()),
        },
        allow_redirects=False,
    )
    header = next(v for v in posted.headers.getall("Set-Cookie") if v.startswith("staff_session="))
    assert "HttpOnly" in header
    assert "SameSite=Strict" in header
    assert "Path=/staff" in header
    assert "Secure" not in header  # plain HTTP here: a Secure cookie would never come back
    request = make_mocked_request("GET", "/staff/login").clone(scheme="https")
    response = web.Response()
    set_session_cookie(request, response, "value")
    morsel = response.cookies["staff_session"]
    assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Strict"


async def test_security_headers_on_every_response(storage: Storage, client: TestClient) -> None:
    await signed_in_coordinator(storage, client)
    done = await submit(storage)
    paths = [
        "/staff/",
        "/staff/cases",
        f"/staff/cases/{done.complaint_id}",
        "/staff/cases/999999",
        "/staff/accounts",
        "/staff/audit",
        "/staff/account",
        "/staff/intake",
        "/staff/static/admin.css",
        "/staff/no-such-page",
    ]
    responses = [await client.get(p, allow_redirects=False) for p in paths]
    responses.append(await client.post("/staff/logout", data={}, allow_redirects=False))
    await client.post("/staff/logout", data={"csrf": await token(client)})
    responses.append(await client.get("/staff/", allow_redirects=False))
    responses.append(await client.get("/staff/login"))
    for response in responses:
        csp = response.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp, response.url
        assert "unsafe-inline" not in csp
        assert "script-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


async def test_throttling_per_account(
    storage: Storage, client: TestClient, clock: FakeClock
) -> None:
    await add_staff(storage, "coord@example.org", ["coordinator"])
    for _ in range(5):
        assert await login(client, "coord@example.org", "wrong password here") == 401
    assert await login(client, "coord@example.org") == 429
    clock.advance(minutes=16)
    assert await login(client, "coord@example.org") == 303
    async with storage.sessions() as session:
        left = await session.scalar(
            select(func.count()).select_from(Throttle).where(Throttle.key.contains("|"))
        )
    assert left == 0  # a success clears this browser's account-and-address count


async def test_throttling_per_address(storage: Storage, client: TestClient) -> None:
    """Spraying many accounts from one address stops at MAX_PER_ADDRESS attempts."""
    await add_staff(storage, "coord@example.org", ["coordinator"])
    for n in range(staff.MAX_PER_ADDRESS):
        assert await login(client, f"guess{n}@example.org", "wrong password here") == 401
    assert await login(client, "coord@example.org") == 429


async def test_html_in_complaints_is_escaped_everywhere(
    storage: Storage, client: TestClient, clock: FakeClock
) -> None:
    await signed_in_coordinator(storage, client)
    done = await submit(
        storage,
        description=XSS,
        complainant_name=XSS,
        desired_outcome=XSS,
        about_staff=XSS,
        adjustments_note=XSS,
        incident_text=XSS,
    )
    await storage.cases.add_note(done.complaint_id, XSS, staff_id=None)
    clock.advance(days=30)
    assert await login(client, "coord@example.org") == 303
    for path in ["/staff/", f"/staff/cases/{done.complaint_id}", "/staff/cases?q=C-2026"]:
        html = await (await client.get(path)).text()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<svg onload" not in html
        assert '<a href="javascript:' not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, path  # shown, escaped


async def test_second_member_of_staff_gets_changed_meanwhile(
    storage: Storage, client: TestClient, other_client: TestClient
) -> None:
    await signed_in_coordinator(storage, client)
    await add_staff(storage, "second@example.org", ["coordinator"])
    assert await login(other_client, "second@example.org") == 303
    done = await submit(storage)
    path = f"/staff/cases/{done.complaint_id}"
    first_page = await (await client.get(path)).text()
    second_page = await (await other_client.get(path)).text()
    first = {"csrf": csrf_of(first_page), "version": str(version_of(first_page))}
    second = {"csrf": csrf_of(second_page), "version": str(version_of(second_page))}
    ok = await client.post(path + "/actions/acknowledge", data=first, allow_redirects=False)
    assert ok.status == 303
    late = await other_client.post(path + "/actions/acknowledge", data=second)
    assert late.status == 409
    assert "Changed meanwhile" in await late.text()
    also_late = await other_client.post(path + "/actions/message", data={**second, "body": "Hello"})
    assert also_late.status == 409
    async with storage.sessions() as session:
        sent = await session.scalar(
            select(func.count(Outbox.id)).where(Outbox.complaint_id == done.complaint_id)
        )
    assert sent == 2  # the receipt and one acknowledgement


async def test_invalid_input_shows_the_form_again(storage: Storage, client: TestClient) -> None:
    await signed_in_coordinator(storage, client)
    done = await submit(storage)
    path = f"/staff/cases/{done.complaint_id}"
    data = await case_form(client, path, which="respond", new_date="2026-11-03", reason="")
    response = await client.post(path + "/actions/extend/preview", data=data)
    assert response.status == 400
    text = await response.text()
    assert "needs a reason" in text
    assert 'id="ext-date"' in text and 'value="2026-11-03"' in text
    past = {**data, "reason": "We are waiting for a report.", "new_date": "2026-11-01"}
    # Storage's own rule, found at the preview step already (it runs the real operation).
    refused = await client.post(path + "/actions/extend/preview", data=past)
    assert refused.status == 400
    assert "must be later" in await refused.text()
    sent = await client.post(path + "/actions/extend", data=past)
    assert sent.status == 400


async def test_attachments_are_downloads(storage: Storage, client: TestClient) -> None:
    await signed_in_coordinator(storage, client)
    stored = await storage.attachments.save(
        b"<html><script>alert(1)</script></html>",
        name='evil"name.txt',
        mime_type="text/plain",
        kind="document",
        now=storage.cases.clock(),
    )
    done = await submit(storage, attachments=(stored.sha256,))
    html = await (await client.get(f"/staff/cases/{done.complaint_id}")).text()
    link = html.split(f"/staff/cases/{done.complaint_id}/attachments/")[1].split('"')[0]
    response = await client.get(f"/staff/cases/{done.complaint_id}/attachments/{link}")
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="evil_name.txt"'
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    other = await submit(storage, visitor="visitor-2")
    wrong_case = await client.get(f"/staff/cases/{other.complaint_id}/attachments/{link}")
    assert wrong_case.status == 404


async def test_first_run_setup(storage: Storage, client: TestClient) -> None:
    link = await setup_link(storage)
    assert link is not None and link.endswith(setup_token("test-secret-key"))
    assert (await client.get("/staff/setup?token=wrong")).status == 404
    page = await client.get("/staff/setup?token=" + setup_token("test-secret-key"))
    assert page.status == 200
    data = {
        "csrf": csrf_of(await page.text()),
        "token": setup_token("test-secret-key"),
        "name": "First Admin",
        "email": "first@example.org",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "role": ["admin", "coordinator"],
    }
    made = await client.post("/staff/setup", data=data, allow_redirects=False)
    assert made.status == 303
    assert (await client.get("/staff/accounts")).status == 200
    assert await setup_link(storage) is None
    again = await client.get("/staff/setup?token=" + setup_token("test-secret-key"))
    assert again.status == 410  # the link was used: a page says so and how to sign in


async def test_admin_pages_are_for_admins(storage: Storage, client: TestClient) -> None:
    await add_staff(storage, "case@example.org", ["coordinator"])
    assert await login(client, "case@example.org") == 303
    assert (await client.get("/staff/accounts")).status == 403
    assert (await client.get("/staff/audit")).status == 403
    posted = await client.post(
        "/staff/accounts",
        data={"csrf": await token(client), "email": "x@example.org", "name": "X", "role": "admin"},
    )
    assert posted.status == 403


async def test_admin_adds_account_and_sets_roles(storage: Storage, client: TestClient) -> None:
    await signed_in_coordinator(storage, client)
    data = {
        "csrf": await token(client),
        "email": "new@example.org",
        "name": "New Person",
        "password": PASSWORD,
        "role": ["chair"],
    }
    assert (await client.post("/staff/accounts", data=data, allow_redirects=False)).status == 303
    directory = StaffDirectory(storage.sessions, storage.procedure)
    new = await directory.by_email("new@example.org")
    assert new.roles == ("chair",)
    roles = {"csrf": await token(client), "role": ["chair", "panel"]}
    await client.post(f"/staff/accounts/{new.id}/roles", data=roles)
    assert (await directory.get(new.id)).roles == ("chair", "panel")
    bad = {"csrf": await token(client), "role": ["emperor"]}
    assert (await client.post(f"/staff/accounts/{new.id}/roles", data=bad)).status == 400
    audit = await (await client.get("/staff/audit")).text()
    assert "staff_add" in audit and "staff_roles" in audit
    assert PASSWORD not in audit


def test_totp_matches_rfc_6238() -> None:
    # RFC 6238 appendix B, SHA-1 key "12345678901234567890"; 8-digit 94287082 at T=59.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    at = datetime.fromtimestamp(59, UTC)
    assert totp_code(secret, at) == "287082"
    assert verify_totp(secret, "287 082", at)
    assert not verify_totp(secret, "287083", at)


async def test_totp_sign_in(storage: Storage, client: TestClient, clock: FakeClock) -> None:
    me = await add_staff(storage, "coord@example.org", ["coordinator"])
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    directory = StaffDirectory(storage.sessions, storage.procedure)
    await directory.set_totp(me.id, secret, totp_code(secret, clock()), now=clock(), by=me.id)
    clock.advance(seconds=90)  # the code that turned it on cannot sign in: a code works once
    assert await login(client, "coord@example.org") == 401
    assert await login(client, "coord@example.org", code="000000") == 401
    assert await login(client, "coord@example.org", code=totp_code(secret, clock())) == 303
