"""conversations/ uses only the standard library, Babel, locales, procedures and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from conversations.followup import AFTER
from conversations.model import AFTER_SUBMIT_STEPS

PACKAGE = Path(__file__).resolve().parents[2] / "conversations"
ALLOWED = {"babel", "locales", "procedures", "conversations", "__future__"}


def test_imports_point_downward_only() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in ALLOWED or top in sys.stdlib_module_names, f"{path.name}: {name}"


def test_after_submit_steps_agree() -> None:
    assert {step.id for step in AFTER} == AFTER_SUBMIT_STEPS
