"""The command line as a new user meets it: help, and clear refusals of wrong settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def complaints(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )


def test_help_lists_every_sub_command_with_one_line_each() -> None:
    result = complaints("--help")
    assert result.returncode == 0
    for command in ("serve", "chat", "procedure", "staff", "report", "export-person"):
        assert f"    {command} " in result.stdout


def test_serve_help_says_what_it_does() -> None:
    result = complaints("serve", "--help")
    assert result.returncode == 0
    assert "--port" in result.stdout and "Telegram" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("COMPLAINTS_NATION", "mars", "england, wales, scotland, northern-ireland"),
        ("COMPLAINTS_PORT", "0", "1 to 65535"),
        ("COMPLAINTS_PROCEDURE", "nope", "no such preset"),
    ],
)
def test_a_wrong_setting_stops_start_up_with_one_clear_line(
    tmp_path: Path, name: str, value: str, says: str
) -> None:
    result = complaints(
        "serve", env={name: value, "COMPLAINTS_DATA_DIR": str(tmp_path)}, cwd=tmp_path
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0] and says in lines[0]
    assert "Traceback" not in result.stderr


def test_a_secret_in_a_wrong_setting_is_not_echoed(tmp_path: Path) -> None:
    token = "123456:VERY-SECRET"
    result = complaints(
        "serve",
        env={
            "COMPLAINTS_TELEGRAM_TOKEN": token,
            "COMPLAINTS_PORT": "x",
            "COMPLAINTS_DATA_DIR": str(tmp_path),
        },
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert token not in result.stderr + result.stdout
