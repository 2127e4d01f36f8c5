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
    # Letters for post: plain data in, PDF and Braille bytes out (the staff view calls it).
    "printing": {"storage", "bot", "admin", "conversations", "telegram", "aiohttp", "sqlalchemy"},
}


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


def test_the_check_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom storage.models import Base\n")
    assert [m for _, m in imported_modules(bad)] == ["sqlalchemy", "storage.models"]
