"""stage_deadlines beyond the hand-checked tables: escalation windows and errors."""

from __future__ import annotations

import ast
import sys
from dataclasses import FrozenInstanceError
from datetime import date
from pathlib import Path

import pytest

from procedures.deadlines import StageDeadlines, calendar_for, escalation_window, stage_deadlines
from procedures.loader import load_procedure
from procedures.model import TimeLimit, Unit


def test_escalation_window_is_the_next_stage_entry_then_the_external_body() -> None:
    west_wilts = load_procedure("west-wilts-ccc")
    assert escalation_window(west_wilts, 1) == TimeLimit(14, Unit.DAYS)
    assert escalation_window(west_wilts, 2) == TimeLimit(14, Unit.DAYS)
    assert escalation_window(west_wilts, 3) is None  # NACCC: no limit
    model = load_procedure("model")
    assert escalation_window(model, 1) is None
    assert escalation_window(model, 2) == TimeLimit(12, Unit.MONTHS)
    assert escalation_window(load_procedure("creative-alliance"), 3) is None  # no body


def test_escalation_counts_from_the_response_not_the_receipt() -> None:
    p = load_procedure("west-wilts-ccc")
    cal = calendar_for(p, "england")
    early = stage_deadlines(p, 1, date(2027, 1, 4), cal, responded=date(2027, 1, 10))
    late = stage_deadlines(p, 1, date(2027, 1, 4), cal, responded=date(2027, 2, 10))
    assert early.respond_by == late.respond_by
    assert (early.escalate_by, late.escalate_by) == (date(2027, 1, 24), date(2027, 2, 24))
    assert stage_deadlines(p, 1, date(2027, 1, 4), cal).escalate_by is None


def test_extra_time_only_moves_the_complainants_window() -> None:
    p = load_procedure("west-wilts-ccc")
    cal = calendar_for(p, "england")
    plain = stage_deadlines(p, 2, date(2027, 1, 4), cal, responded=date(2027, 1, 25))
    extra = stage_deadlines(
        p, 2, date(2027, 1, 4), cal, responded=date(2027, 1, 25), extra_time=True
    )
    assert (plain.acknowledge_by, plain.respond_by) == (extra.acknowledge_by, extra.respond_by)
    assert (plain.escalate_by, extra.escalate_by) == (date(2027, 2, 8), date(2027, 2, 22))


def test_unknown_stage() -> None:
    p = load_procedure("cast")
    with pytest.raises(KeyError):
        stage_deadlines(p, 3, date(2027, 1, 4), calendar_for(p, "england"))


def test_stage_deadlines_is_frozen() -> None:
    due = StageDeadlines(None, None, None)
    with pytest.raises(FrozenInstanceError):
        due.respond_by = date(2027, 1, 1)  # type: ignore[misc]


def test_pure_modules_import_only_the_standard_library_holidays_and_procedures() -> None:
    folder = Path(__file__).parents[2] / "procedures"
    # locales is our pure gettext/Babel helper (letters are worded in the person's language).
    allowed = set(sys.stdlib_module_names) | {"holidays", "procedures", "locales"}
    for path in sorted(folder.glob("*.py")):
        name = path.stem
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            assert set(roots) <= allowed, f"procedures/{name}.py imports {roots}"
