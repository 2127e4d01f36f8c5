"""The real application (server.create_app) on each database, with the fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from server import create_app
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.conftest import FakeClock


@pytest.fixture
def procedure() -> str:
    """West Wilts: a complaint about the Coordinator goes to the Chair; stage 3 independent."""
    return "west-wilts-ccc"


@pytest.fixture
async def storage(
    db_url: str, settings: Settings, clock: FakeClock, procedure: str
) -> AsyncIterator[Storage]:
    opened = await open_storage(
        replace(settings, database_url=db_url, procedure=procedure),
        run_migrations=False,
        clock=clock,
    )
    yield opened
    await opened.close()


async def _client(storage: Storage) -> TestClient:
    client = TestClient(TestServer(create_app(storage)))
    await client.start_server()
    return client


@pytest.fixture
async def client(storage: Storage) -> AsyncIterator[TestClient]:
    made = await _client(storage)
    yield made
    await made.close()


@pytest.fixture
async def other_client(storage: Storage) -> AsyncIterator[TestClient]:
    """A second browser on the same server data (a second member of staff)."""
    made = await _client(storage)
    yield made
    await made.close()
