"""`complaints report` and `complaints export-person` on a seeded database."""

from __future__ import annotations

import asyncio
import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from storage.runtime import open_storage
from storage.settings import Settings
from tests.conftest import FakeClock
from tests.reports.seed import seed


@pytest.fixture
def seeded(db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    async def make() -> dict[str, int]:
        storage = await open_storage(
            replace(settings, database_url=db_url), run_migrations=False, clock=FakeClock()
        )
        try:
            return await seed(storage, storage.clock)  # type: ignore[arg-type]
        finally:
            await storage.close()

    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", db_url)
    monkeypatch.setenv("COMPLAINTS_DATA_DIR", str(settings.data_dir))
    return asyncio.run(make())


def test_report_in_three_formats(
    seeded: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--from", "2026-11-01", "--to", "2026-12-31", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["received"] == 9
    assert main(["report", "--from", "2026-11-01", "--to", "2026-12-31", "--format", "csv"]) == 0
    rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert ["kind", "Complaints", "6", ""] in rows
    target = tmp_path / "board.html"
    code = main(["report", "--from", "2026-11-01", "--to", "2026-12-31", "--output", str(target)])
    assert code == 0
    page = target.read_text()
    assert "<style>" in page and "<svg" in page  # one file that prints on its own
    assert main(["report", "--from", "2026-12-31", "--to", "2026-11-01"]) == 2
    assert main(["report", "--from", "yesterday", "--to", "2026-11-01"]) == 2


def test_export_person_writes_json_and_html(
    seeded: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export-person", "--email", "g@example.org", "--output-dir", str(tmp_path)]) == 0
    [json_file] = tmp_path.glob("person-*.json")
    data = json.loads(json_file.read_text())
    assert data["person"]["email"] == "g@example.org"
    assert [c["category"] for c in data["records"]["complaints"]] == ["information"]
    assert json_file.stat().st_mode & 0o077 == 0
    assert (tmp_path / json_file.name.replace(".json", ".html")).exists()
    assert main(["export-person", "--reference", "C-1999-0001"]) == 2
