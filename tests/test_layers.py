"""The one-way rule of DESIGN.md: imports only point downward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BANNED = {
    "procedures": {"storage", "bot", "admin", "conversations", "telegram", "aiohttp", "sqlalchemy"},
    "conversations": {"storage", "bot", "admin", "telegram", "aiohttp", "sqlalchemy"},
    "storage": {"bot", "admin", "telegram", "aiohttp", "conversations"},
    "locales": {"storage", "bot", "admin", "conversations", "procedures", "telegram", "aiohttp"},
    # The application layer: no adapter, no web library, and nothing of the composition root.
    "services": {"bot", "admin", "server", "telegram", "aiohttp"},
    # The adapters never import each other (see the composition root below).
    "admin": {"bot", "server", "telegram"},
    # Letters for post: plain data in, PDF and Braille bytes out (the staff view calls it).
    "printing": {"storage", "bot", "admin", "conversations", "telegram", "aiohttp", "sqlalchemy"},
}
# Only the composition root (the app `complaints serve` runs) knows both adapters; within bot/,
# only the serve command starts it.
COMPOSITION_ROOT = ROOT / "server.py"
BOT_MAY_IMPORT_ROOT = {ROOT / "bot" / "commands" / "serve.py"}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(BANNED))
def test_imports_point_downward(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, module in imported_modules(path)
        if module.split(".")[0] in BANNED[package]
    ]
    assert wrong == []


def test_bot_imports_admin_only_in_the_composition_root() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for line, module in imported_modules(path)
        if module.split(".")[0] == "admin"
        or (module.split(".")[0] == "server" and path not in BOT_MAY_IMPORT_ROOT)
    ]
    assert wrong == []


def test_the_composition_root_knows_both_adapters() -> None:
    """It is where the two meet; if it stopped importing either, the rule above guards nothing."""
    roots = {module.split(".")[0] for _, module in imported_modules(COMPOSITION_ROOT)}
    assert {"admin", "bot"} <= roots


def test_the_check_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom storage.models import Base\n")
    assert [m for _, m in imported_modules(bad)] == ["sqlalchemy", "storage.models"]
