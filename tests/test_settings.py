"""Settings: defaults, TOML file, environment winning, and clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.settings import SettingsError, load_settings


def test_defaults_need_no_configuration() -> None:
    settings = load_settings(environ={})
    assert settings.database == "sqlite+aiosqlite:///data/complaints.db"
    assert (settings.host, settings.port, settings.nation) == ("127.0.0.1", 8080, "england")
    assert settings.timezone == "Europe/London"


def test_environment_wins_over_file(tmp_path: Path) -> None:
    config = tmp_path / "complaints.toml"
    config.write_text('port = 9000\nnation = "wales"\nprocedure = "cast"\n')
    settings = load_settings(config, {"COMPLAINTS_NATION": "Scotland"})
    assert (settings.port, settings.nation, settings.procedure) == (9000, "scotland", "cast")


def test_config_from_environment_variable(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('host = "0.0.0.0"\n')
    assert load_settings(environ={"COMPLAINTS_CONFIG": str(config)}).host == "0.0.0.0"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("NATION", "mars", "england, wales, scotland, northern-ireland"),
        ("PORT", "eighty", "1 to 65535"),
        ("PORT", "70000", "1 to 65535"),
        ("TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("DATABASE_URL", "mysql://x", "postgresql+asyncpg://"),
        ("TELEGRAM_API_URL", "ftp://x", "http://"),
    ],
)
def test_invalid_value_names_setting_and_what_is_accepted(name: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(environ={f"COMPLAINTS_{name}": value})
    assert f"COMPLAINTS_{name}" in str(error.value)
    assert says in str(error.value)


def test_secret_values_never_echoed() -> None:
    token = "123456:SECRET-TOKEN-VALUE"
    settings = load_settings(environ={"COMPLAINTS_TELEGRAM_TOKEN": token})
    assert token not in repr(settings)


def test_unknown_setting_in_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("colour = 'blue'\n")
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        load_settings(config, {})


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = load_settings(environ={"COMPLAINTS_DATA_DIR": str(tmp_path)})
    first = settings.with_secret_key().secret_key
    assert len(first) >= 32
    assert settings.with_secret_key().secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
