"""Settings from COMPLAINTS_* environment variables and one optional TOML file.

The environment wins over the file. A fresh checkout needs neither: everything has a
default, and the secret key is generated once and kept in the data folder.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PREFIX = "COMPLAINTS_"
NATIONS = ("england", "wales", "scotland", "northern-ireland")
SECRET_NAMES = frozenset(
    {"secret_key", "telegram_token", "telegram_webhook_secret", "smtp_password"}
)


class SettingsError(ValueError):
    """An invalid setting: the message names the setting and what is accepted."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    database_url: str = ""  # default: SQLite in data_dir
    host: str = "127.0.0.1"
    port: int = 8080
    procedure: str = "model"  # a preset name or a path to a procedure file
    nation: str = "england"
    timezone: str = "Europe/London"
    secret_key: str = field(default="", repr=False)
    telegram_token: str = field(default="", repr=False)
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = field(default="", repr=False)
    public_url: str = ""  # how people reach the web view, for links in messages
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = ""
    max_upload_mb: int = 20
    scheduler_seconds: int = 60  # between the scheduler's rounds (alerts, digests, retention)

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'complaints.db'}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    def with_secret_key(self) -> Settings:
        """The same settings with a secret key: the configured one, or one kept in data_dir."""
        if self.secret_key:
            return self
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return replace(self, secret_key=path.read_text().strip())


def _port(value: str) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise ValueError
    return port


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError
    return number


def _nation(value: str) -> str:
    value = value.strip().lower()
    if value not in NATIONS:
        raise ValueError
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError from error
    return value


def _url(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise ValueError
    return value.rstrip("/")


def _database_url(value: str) -> str:
    if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ValueError
    return value


# name -> (parser, what is accepted: shown when a value is refused)
PARSERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "data_dir": (Path, "a folder path"),
    "database_url": (_database_url, "a sqlite+aiosqlite:// or postgresql+asyncpg:// URL"),
    "host": (str, "a host name or address"),
    "port": (_port, "a whole number from 1 to 65535"),
    "procedure": (str, "a preset name (see `complaints procedure list`) or a file path"),
    "nation": (_nation, "one of " + ", ".join(NATIONS)),
    "timezone": (_timezone, "an IANA time zone such as Europe/London"),
    "secret_key": (str, "any text"),
    "telegram_token": (str, "a bot token from @BotFather"),
    "telegram_api_url": (_url, "an http:// or https:// URL"),
    "telegram_webhook_url": (_url, "an http:// or https:// URL"),
    "telegram_webhook_secret": (str, "1-256 characters A-Z a-z 0-9 _ -"),
    "public_url": (_url, "an http:// or https:// URL"),
    "smtp_host": (str, "a host name"),
    "smtp_port": (_port, "a whole number from 1 to 65535"),
    "smtp_user": (str, "a user name"),
    "smtp_password": (str, "any text"),
    "smtp_from": (str, "an email address"),
    "max_upload_mb": (_positive, "a whole number of megabytes above 0"),
    "scheduler_seconds": (_positive, "a whole number of seconds above 0"),
}


def load_settings(
    config: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from the TOML file (if any) overlaid with COMPLAINTS_* variables."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    path = config or env.get(PREFIX + "CONFIG")
    if path:
        try:
            with open(path, "rb") as handle:
                raw.update({k.lower(): v for k, v in tomllib.load(handle).items()})
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise SettingsError(f"COMPLAINTS_CONFIG: cannot read {path}: {error}") from None
    for name in PARSERS:
        if PREFIX + name.upper() in env:
            raw[name] = env[PREFIX + name.upper()]
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in PARSERS:
            raise SettingsError(f"{path}: unknown setting '{name}'")
        parse, accepted = PARSERS[name]
        try:
            values[name] = parse(str(value))
        except ValueError:
            shown = "(hidden)" if name in SECRET_NAMES else repr(str(value))
            raise SettingsError(
                f"COMPLAINTS_{name.upper()}={shown} is not valid: expected {accepted}."
            ) from None
    return Settings(**values)
