"""/health and /ready for a load balancer, on both databases, through real HTTP."""

from __future__ import annotations

from dataclasses import replace

from aiohttp.test_utils import TestClient, TestServer

from server import create_app
from storage.db import downgrade, migrate
from storage.runtime import Storage, open_storage
from storage.settings import Settings


async def _get(storage: Storage, path: str) -> tuple[int, dict[str, object]]:
    async with TestClient(TestServer(create_app(storage))) as client:
        response = await client.get(path)
        return response.status, await response.json()


async def test_ready_when_the_database_is_current_and_writable(storage: Storage) -> None:
    assert await _get(storage, "/ready") == (200, {"ready": True})
    assert (await _get(storage, "/health"))[0] == 200


async def test_not_ready_while_the_schema_is_behind_this_version(
    db_url: str, storage: Storage
) -> None:
    await downgrade(db_url, "base")
    status, body = await _get(storage, "/ready")
    assert status == 503
    assert body == {
        "ready": False,
        "reason": "database schema is at nothing, this version needs 0001",
    }
    await migrate(db_url)
    assert (await _get(storage, "/ready"))[0] == 200


async def test_not_ready_when_the_database_is_unreachable(settings: Settings) -> None:
    unreachable = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    storage = await open_storage(replace(settings, database_url=unreachable), run_migrations=False)
    try:
        status, body = await _get(storage, "/ready")
    finally:
        await storage.close()
    assert status == 503
    assert str(body["reason"]).startswith("database not reachable")
