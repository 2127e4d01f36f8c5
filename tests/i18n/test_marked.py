"""Every complainant-facing string goes through gettext, with the values its message names.

The heuristic (an AST scan, so it errs towards flagging) over bot/, conversations/ and
procedures/letters.py:
- a string literal that reads like a sentence (starts with a capital letter, three or more
  words; text between HTML tags is checked piece by piece) must be the message of a
  gettext/ngettext call, unless it is a docstring, a log message, an exception or assert
  message, or a dialogue step's developer description (Step's second argument, `when=`);
- the text handed to a channel (Reply, Shown, Choice labels, say, reply_text, send_message)
  must not be a literal with words in it at all, translated or not.
Staff- and operator-only code is left out: the command line (bot/cli.py, bot/commands/), staff
alerts (bot/scheduler.py) and the dialogue diagram (conversations/diagram.py). In templates,
text outside {{ }} and aria-label, title, alt and placeholder values must be empty of words.
Also: t.gettext("... {name} ...", name=...) must pass exactly the placeholders its message has.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.i18n.catalogs import ROOT, placeholders

# Staff-facing or operator-only: English by design (like admin/).
SKIP = {"bot/cli.py", "bot/scheduler.py", "conversations/diagram.py"}
SKIP_DIRS = ("bot/commands/",)
GETTEXT = {"gettext", "ngettext"}
LOGGING = {"debug", "info", "warning", "error", "exception", "critical", "getLogger"}
# Where the text shown to a person goes, and which argument (position, keyword) it is.
SINKS = {
    "Reply": (0, "text"),
    "Shown": (0, "text"),
    "Choice": (1, "label"),
    "say": (0, "text"),
    "reply_text": (0, "text"),
    "send_message": (1, "text"),
    "edit_message_text": (0, "text"),
}
SENTENCE = re.compile(r"^[A-Z][a-z'’]*(?:[ ,;:]+[A-Za-z'’]+){2,}")
WORD = re.compile(r"[A-Za-z]{2,}")
TAG = re.compile(r"<[^>]*>")


def _sources() -> list[Path]:
    files = [*ROOT.glob("bot/**/*.py"), *ROOT.glob("conversations/**/*.py")]
    files.append(ROOT / "procedures" / "letters.py")
    return sorted(
        f
        for f in files
        if (rel := f.relative_to(ROOT).as_posix()) not in SKIP and not rel.startswith(SKIP_DIRS)
    )


def _name(call: ast.Call) -> str:
    fn = call.func
    return fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")


def _literal_parts(node: ast.AST) -> Iterator[ast.Constant]:
    """The literal pieces of a str, an f-string, or a concatenation of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.JoinedStr):
        yield from (v for v in node.values if isinstance(v, ast.Constant))
    elif isinstance(node, ast.BinOp):
        yield from _literal_parts(node.left)
        yield from _literal_parts(node.right)


def _exempt(tree: ast.AST) -> set[int]:
    """ids of nodes whose strings are not shown to complainants (or are the msgid itself)."""
    exempt: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            exempt.add(id(body[0].value))  # docstring
        if isinstance(node, ast.Call) and _name(node) in GETTEXT | LOGGING:
            exempt.update(id(sub) for sub in ast.walk(node))
        elif isinstance(node, ast.Call) and _name(node) == "Step":
            described = node.args[1:2] + [k.value for k in node.keywords if k.arg == "when"]
            exempt.update(id(sub) for arg in described for sub in ast.walk(arg))
        elif isinstance(node, ast.Raise | ast.Assert):
            exempt.update(id(sub) for sub in ast.walk(node))
    return exempt


def _prose(text: str) -> bool:
    return any(SENTENCE.match(piece.strip(" \n-–:.\"'")) for piece in TAG.split(text))


def unmarked(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    exempt = _exempt(tree)
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    found: list[str] = []
    for node in ast.walk(tree):
        literal = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if literal and id(node) not in exempt and _prose(node.value):  # type: ignore[attr-defined]
            found.append(f"{rel}:{node.lineno}: {node.value[:60]!r}")
        if isinstance(node, ast.Call) and _name(node) in SINKS:
            position, keyword = SINKS[_name(node)]
            args = node.args[position : position + 1]
            args += [k.value for k in node.keywords if k.arg == keyword]
            for arg in args:
                for part in _literal_parts(arg):
                    if WORD.search(part.value):
                        found.append(f"{rel}:{part.lineno}: shown untranslated {part.value!r}")
    return sorted(set(found))


def wrong_values(path: Path) -> list[str]:
    """gettext calls whose keyword values differ from the message's {placeholders}."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and _name(node) in GETTEXT and node.args):
            continue
        if any(k.arg is None for k in node.keywords):
            continue  # **values: cannot tell statically
        plural = _name(node) == "ngettext"
        messages = node.args[:2] if plural else node.args[:1]
        if not all(isinstance(m, ast.Constant) and isinstance(m.value, str) for m in messages):
            found.append(f"{path.name}:{node.lineno}: message is not a plain literal")
            continue
        wanted = set().union(*(placeholders(m.value) for m in messages))  # type: ignore[attr-defined]
        given = {k.arg for k in node.keywords}
        if (wanted - {"n"} if plural else wanted) != given:  # ngettext supplies n
            found.append(f"{path.name}:{node.lineno}: wants {sorted(wanted)}, gets {sorted(given)}")
    return found


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_user_facing_strings_are_marked(path: Path) -> None:
    assert not unmarked(path), "mark these with t.gettext(...):\n" + "\n".join(unmarked(path))


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_gettext_values_match_placeholders(path: Path) -> None:
    assert not wrong_values(path), "\n".join(wrong_values(path))


def test_the_heuristic_catches_what_it_should(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        """
def f(t):
    \"\"\"Docstrings are fine, Whatever They Say.\"\"\"
    log.info("Logged for staff only, fine")
    ok = t.gettext("We have received your complaint.")
    bad = "We have received your complaint."
    Reply(text="Thanks")
    Reply(text=f"📎 {name}")
    Choice("x:y", "Yes please")
    t.gettext("Your reference is {reference}.", ref=1)
    t.ngettext("One file kept.", "Files kept.", 2)
"""
    )
    assert unmarked(sample) == [
        "sample.py:6: 'We have received your complaint.'",
        "sample.py:7: shown untranslated 'Thanks'",
        "sample.py:9: shown untranslated 'Yes please'",
    ]
    assert wrong_values(sample) == ["sample.py:10: wants ['reference'], gets ['ref']"]


def _template_text(html: str) -> list[str]:
    bare = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", html, flags=re.S)
    texts = [t.strip() for t in TAG.split(bare)]
    texts += re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', bare)
    return [t for t in texts if WORD.search(t)]


@pytest.mark.parametrize("path", sorted(ROOT.glob("bot/**/templates/**/*.html")), ids=str)
def test_templates_have_no_untranslated_text(path: Path) -> None:
    assert not _template_text(path.read_text())
