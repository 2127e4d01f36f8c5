"""docs/dialogue.md follows the code, and every string a person sees is marked for translation."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.extract import extract_from_dir

from conversations import diagram
from conversations.labels import adjustment_labels
from conversations.steps import STEPS
from locales import translator
from procedures.case import ADJUSTMENTS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "conversations"


def test_dialogue_doc_is_in_step_with_the_code() -> None:
    written = (ROOT / "docs" / "dialogue.md").read_text(encoding="utf-8")
    assert written == diagram.document(), (
        "docs/dialogue.md is out of date: run `python -m conversations.diagram > docs/dialogue.md`"
    )


def test_diagram_names_every_step() -> None:
    chart = diagram.mermaid()
    for step in STEPS:
        assert f"    {step.id}[" in chart


def _gettext_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("gettext", "ngettext")
            ):
                calls.append((f"{path.name}:{node.lineno}", node))
    return calls


def test_messages_are_literal_whole_sentences() -> None:
    """pybabel can only extract literals; an f-string would also break translation lookup."""
    calls = _gettext_calls()
    assert len(calls) > 100
    for where, call in calls:
        count = 2 if call.func.attr == "ngettext" else 1  # type: ignore[attr-defined]
        for arg in call.args[:count]:
            assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), where


def test_pybabel_extracts_the_dialogue() -> None:
    # The receipt's core and time limits are worded in procedures/letters.py.
    ids = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for folder in (PACKAGE, PACKAGE.parent / "procedures")
        for message in extract_from_dir(str(folder), comment_tags=("TRANSLATORS:",))
    }
    for expected in (
        "Question {number} of {total}",
        "What would you like to do?",
        "We will confirm we have it by {date}.",
        "{n} working day",
        "help, help me",
    ):
        assert expected in ids


def test_every_adjustment_has_a_label() -> None:
    assert tuple(adjustment_labels(translator("en"))) == ADJUSTMENTS
