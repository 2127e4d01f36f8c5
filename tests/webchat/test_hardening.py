"""Deployment hardening (issue 15, points 14-16): HTTPS behind a proxy, forwarded headers only
from trusted proxies, the same headers on every response (500s too) without versions, and
uploads typed by their content."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from server import create_app
from storage.attachments import AttachmentRefused
from storage.models import Throttle
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.admin.helpers import csrf_of
from tests.conftest import FakeClock

Make = Callable[..., Awaitable[tuple[Storage, TestClient]]]


@pytest.fixture
async def make(db_url: str, settings: Settings, clock: FakeClock) -> AsyncIterator[Make]:
    opened: list[object] = []

    async def factory(**changes: object) -> tuple[Storage, TestClient]:
        storage = await open_storage(
            replace(settings, database_url=db_url, **changes),  # type: ignore[arg-type]
            run_migrations=False,
            clock=clock,
        )
        app = create_app(storage)

        async def boom(request: web.Request) -> web.Response:
            raise RuntimeError("a bug")

        app.router.add_get("/boom", boom)
        client = TestClient(TestServer(app))
        await client.start_server()
        opened.extend([client, storage])
        return storage, client

    yield factory
    for thing in opened:
        await thing.close()  # type: ignore[attr-defined]


async def test_every_response_has_the_headers_and_no_version(make: Make) -> None:
    _, client = await make()
    for path in ["/boom", "/health", "/chat", "/nowhere", "/staff/login", "/static/chat.css"]:
        response = await client.get(path, allow_redirects=False)
        assert response.headers["Server"] == "complaints", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
    assert (await client.get("/boom")).status == 500
    assert "Strict-Transport-Security" not in (await client.get("/health")).headers


async def test_a_500_tells_nothing_of_the_failure(make: Make) -> None:
    """V16: the person sees a plain error; what failed is for the log only."""
    _, client = await make()
    response = await client.get("/boom")
    body = await response.text()
    assert response.status == 500
    assert "a bug" not in body and "RuntimeError" not in body and "Traceback" not in body


async def test_https_makes_cookies_secure_and_adds_hsts(make: Make) -> None:
    _, client = await make(public_url="https://complaints.example.org")
    response = await client.get("/chat")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.cookies["chat_session"]["secure"]
    login = await client.get("/staff/login")
    assert login.cookies["staff_pre"]["secure"]
    assert "Strict-Transport-Security" in (await client.get("/boom")).headers


async def addresses(storage: Storage) -> list[str]:
    async with storage.sessions() as session:
        keys = await session.scalars(select(Throttle.key).where(Throttle.key.like("login:addr:%")))
        return [k.removeprefix("login:addr:") for k in keys]


async def wrong_login(client: TestClient) -> None:
    page = await client.get("/staff/login")
    data = {
        "email": "x@example.org",
        "password": "nope",
        "code": "",
        "csrf": csrf_of(await page.text()),
    }
    await client.post(
        "/staff/login", data=data, headers={"X-Forwarded-For": "203.0.113.9"}, allow_redirects=False
    )


async def test_forwarded_addresses_are_believed_only_from_trusted_proxies(make: Make) -> None:
    storage, client = await make()
    await wrong_login(client)
    assert await addresses(storage) == ["127.0.0.1"]
    storage, client = await make(trusted_proxies=("127.0.0.1/32",))
    await wrong_login(client)
    assert "203.0.113.9" in await addresses(storage)


@pytest.mark.parametrize(
    ("data", "claimed"),
    [
        (b"<html><script>alert(1)</script></html>", "image/jpeg"),
        (b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"),
        (b"\x7fELF" + b"\x00" * 200, "image/png"),
    ],
)
async def test_uploads_are_typed_by_their_content(make: Make, data: bytes, claimed: str) -> None:
    storage, _ = await make()
    with pytest.raises(AttachmentRefused):
        await storage.attachments.save(
            data, name="file", mime_type=claimed, kind="document", now=storage.clock()
        )


async def test_the_stored_type_is_the_content_type_not_the_claim(make: Make) -> None:
    storage, _ = await make()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    stored = await storage.attachments.save(
        png, name="photo.jpg", mime_type="image/jpeg", kind="photo", now=storage.clock()
    )
    assert stored.mime_type == "image/png"
