"""A real, small file system to fill: a tmpfs mounted for one test (needs root, as CI has).

Nothing is faked: SQLite, PostgreSQL (through a tablespace on it) and the attachment store
get ENOSPC from the kernel once `fill()` has taken the last byte, and writes work again
after `free()`. The mount lives outside pytest's tmp_path so that the postgres user can
reach it, and is unmounted however the test ends.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.conftest import PG_URL, _pg_admin


@dataclass
class SmallDisk:
    root: Path

    @property
    def filler(self) -> Path:
        return self.root / "filler"

    def fill(self) -> None:
        """Take every free byte (the kernel says when there is none left)."""
        with open(self.filler, "ab", buffering=0) as handle:
            for chunk in (1024 * 1024, 4096, 512):  # down to the last page
                try:
                    while handle.write(b"\0" * chunk):
                        pass
                except OSError:
                    pass
        assert shutil.disk_usage(self.root).free < 64 * 1024

    def free(self) -> None:
        self.filler.unlink()


@contextmanager
def small_disk(size_mb: int) -> Iterator[SmallDisk]:
    if os.geteuid() != 0:
        pytest.skip("a small file system to fill needs root (mount -t tmpfs)")
    root = Path(tempfile.mkdtemp(prefix="complaints-full-disk-"))
    root.chmod(0o755)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=755", "tmpfs", str(root)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        root.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield SmallDisk(root)
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)
        root.rmdir()


@asynccontextmanager
async def storage_on(
    disk: SmallDisk, database: str, template: str | None, settings: Settings
) -> AsyncIterator[Storage]:
    """Storage whose database and data folder are both on the small disk."""
    settings = replace(settings, data_dir=disk.root / "data")
    if database == "sqlite":
        storage = await open_storage(settings)
        try:
            yield storage
        finally:
            await storage.close()
        return
    assert template is not None and PG_URL
    folder = disk.root / "pg"
    folder.mkdir()
    user = pwd.getpwnam("postgres")
    os.chown(folder, user.pw_uid, user.pw_gid)
    space = f"full_{uuid.uuid4().hex[:10]}"
    name = f"t_{space}"
    await _pg_admin(f"CREATE TABLESPACE {space} LOCATION '{folder}'")
    try:
        await _pg_admin(f"CREATE DATABASE {name} TEMPLATE {template} TABLESPACE {space}")
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        storage = await open_storage(replace(settings, database_url=url), run_migrations=False)
        try:
            yield storage
        finally:
            await storage.close()
            await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await _pg_admin(f"DROP TABLESPACE IF EXISTS {space}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    """Which database the full disk holds (and the PostgreSQL template to copy)."""
    if request.param == "sqlite":
        return "sqlite", None
    return "postgresql", request.getfixturevalue("pg_template")


@pytest.fixture
async def full(
    database: tuple[str, str | None], settings: Settings
) -> AsyncIterator[tuple[Storage, SmallDisk]]:
    """Storage on a small disk the test fills when it wants."""
    with small_disk(size_mb=64) as disk:
        async with storage_on(disk, *database, settings) as storage:
            yield storage, disk
