"""Every route needs a session, except an explicit allow-list. New routes are covered
automatically: the test walks the application's router and the staff sub-app's."""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.test_utils import TestClient

from storage.runtime import Storage
from tests.admin.helpers import add_staff, submit

# (method, path template) that answer without a staff session, on purpose.
ALLOWED = {
    ("GET", "/"),  # the landing page
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/chat"),
    ("POST", "/chat"),
    ("GET", "/chat/poll"),
    ("GET", "/static/{filename}"),
    ("GET", "/staff/login"),
    ("POST", "/staff/login"),
    ("GET", "/staff/setup"),
    ("POST", "/staff/setup"),
    ("GET", "/staff/static/{filename}"),
}
SAMPLE = {"token": "abcdefghijklmnop", "action": "acknowledge", "filename": "admin.css"}


def routes(app: web.Application) -> list[tuple[str, str]]:
    """(method, path template) of every route; a mounted sub-app's paths carry its prefix."""
    found = []
    for resource in app.router.resources():
        if isinstance(resource, web.PrefixedSubAppResource):
            found += routes(resource._app)
            continue
        for route in resource:
            if route.method in ("HEAD", "*"):
                continue
            path = resource.canonical
            if isinstance(resource, web.StaticResource):
                path = path.rstrip("/") + "/{filename}"
            found.append((route.method, path))
    return found


def concrete(template: str) -> str:
    return re.sub(r"\{(\w+)[^}]*\}", lambda m: SAMPLE.get(m.group(1), "1"), template)


async def test_every_route_but_the_allow_list_needs_a_session(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "coord@example.org", ["coordinator", "admin"])
    await submit(storage)  # case 1 exists, so a route answering would have something to show
    seen = routes(client.app)
    staff_routes = [r for r in seen if r[1].startswith("/staff")]
    assert len(staff_routes) > 20, "the walk did not find the staff view's routes"
    answered = []
    for method, template in seen:
        if (method, template) in ALLOWED:
            continue
        response = await client.request(
            method, concrete(template), data={"csrf": "x"}, allow_redirects=False
        )
        if response.status < 300 or not (
            response.status in (401, 403, 404)
            or response.headers.get("Location", "").startswith("/staff/login")
        ):
            answered.append((method, template, response.status))
    assert answered == []
    assert set(ALLOWED) <= set(seen), "an allow-listed route no longer exists: remove it"
