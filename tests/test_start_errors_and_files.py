"""Start-up errors are one line naming the setting, with no secret and exit status 2 (a
wrong URL, a refused or missing PostgreSQL database or role, a SQLite path that cannot be
created, a data folder that is a file or on a read-only file system, a procedure file that
is not UTF-8); the data folder and database the app creates are private (issue 14, points 7
and 9)."""

from __future__ import annotations

import socket
import stat
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from procedures.case import Kind, NewComplaint
from storage.runtime import open_storage
from storage.settings import Settings
from tests.conftest import PG_URL
from tests.faults.small_disk import small_disk
from tests.test_cli import complaints


def one_line(result_stderr: str) -> str:
    lines = result_stderr.strip().splitlines()
    assert len(lines) == 1, result_stderr
    assert "Traceback" not in result_stderr
    return lines[0]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_wrong_database_url_never_shows_its_password(tmp_path: Path) -> None:
    result = complaints(
        "serve",
        env={
            "COMPLAINTS_DATABASE_URL": "mysql://root:SeCrEtPw@db.example/x",
            "COMPLAINTS_DATA_DIR": str(tmp_path / "data"),
        },
        cwd=tmp_path,
    )
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "COMPLAINTS_DATABASE_URL" in line and "SeCrEtPw" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        (
            "COMPLAINTS_DATABASE_URL",
            "postgresql+asyncpg://someone:SeCrEtPw@127.0.0.1:{port}/nothing",
            "cannot open the database",
        ),
        (
            "COMPLAINTS_DATABASE_URL",
            "sqlite+aiosqlite:///{tmp}/a-file/inside/complaints.db",
            "cannot open the database",
        ),
        ("COMPLAINTS_DATA_DIR", "{tmp}/a-file", "cannot use"),
        ("COMPLAINTS_PROCEDURE", "{tmp}/latin1.toml", "not UTF-8"),
    ],
)
def test_start_up_errors_are_one_line_with_exit_status_2(
    tmp_path: Path, name: str, value: str, says: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "latin1.toml").write_bytes('organisation = "Caf\xe9"\n'.encode("latin-1"))
    env = {"COMPLAINTS_DATA_DIR": str(tmp_path / "data")}
    env[name] = value.format(tmp=tmp_path, port=closed_port())
    result = complaints("serve", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert name in line and says in line, line
    assert "SeCrEtPw" not in result.stderr + result.stdout


async def test_the_data_folder_and_database_are_private(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"
    storage = await open_storage(Settings(data_dir=data, secret_key="s"))
    try:
        await storage.cases.submit(NewComplaint(kind=Kind.COMPLAINT, description="Words."))
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        files = [data / "complaints.db", data / "complaints.db-wal"]
        for path in files:
            assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        await storage.close()


def test_no_mail_server_is_said_at_start_in_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.commands.serve import unsendable

    with caplog.at_level("WARNING"):
        assert "email" in unsendable(Settings(data_dir=tmp_path))
    [line] = [r.getMessage() for r in caplog.records if "SMTP" in r.getMessage()]
    assert "COMPLAINTS_SMTP_HOST" in line and "\n" not in line
    assert unsendable(Settings(data_dir=tmp_path, smtp_host="mail.example.org")) == {}


@pytest.mark.parametrize("folder", ["existing", "missing"])
def test_a_read_only_file_system_is_one_line(tmp_path: Path, folder: str) -> None:
    """The data folder on a file system mounted read-only (a real mount: needs root)."""
    with small_disk(size_mb=1) as disk:
        data = disk.root / "data"
        if folder == "existing":
            data.mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(disk.root)], check=True)
        result = complaints("serve", env={"COMPLAINTS_DATA_DIR": str(data)}, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert "COMPLAINTS_DATA_DIR" in line and "Read-only file system" in line, line


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"database": "no_such_database_here"}, "does not exist"),
        ({"username": "nobody_here", "password": "SeCrEtPw"}, "nobody_here"),
    ],
)
def test_a_missing_postgresql_database_or_role_is_one_line(
    tmp_path: Path, change: dict[str, str], says: str
) -> None:
    if not PG_URL:
        pytest.skip("needs COMPLAINTS_TEST_DATABASE_URL")
    url = make_url(PG_URL).set(**change).render_as_string(hide_password=False)
    env = {"COMPLAINTS_DATABASE_URL": url, "COMPLAINTS_DATA_DIR": str(tmp_path / "data")}
    result = complaints("serve", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert "COMPLAINTS_DATABASE_URL" in line and says in line, line
    assert "SeCrEtPw" not in result.stderr + result.stdout
