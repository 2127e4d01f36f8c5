"""`complaints chat` in a real process, answers piped in as a person would type them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def chat(data_dir: Path, lines: list[str], person: str = "sam") -> str:
    env = {**os.environ, "COMPLAINTS_DATA_DIR": str(data_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--log-level", "WARNING", "chat", "--as", person],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_a_whole_complaint_in_the_terminal_and_continuing_later(tmp_path: Path) -> None:
    # Numbers pick buttons: 1 = English, 1 = yes to privacy, 1 = complaint, 1 = for myself...
    first = chat(tmp_path, ["1", "1", "1", "1", "1", "2"])
    assert "Which language would you like to use?" in first
    assert "  1. English" in first
    # The draft is saved after every answer: a second session continues where it stopped.
    second = chat(tmp_path, ["The heating was off all week.", "1"])
    assert "Welcome back" in second
    assert "When did it happen?" in second


def test_typed_nonsense_gets_a_kind_answer_and_the_question_again(tmp_path: Path) -> None:
    out = chat(tmp_path, ["🙂🙂🙂", "\x07\x1b[31m", ""])
    assert "Traceback" not in out
    assert out.count("Which language would you like to use?") >= 2
