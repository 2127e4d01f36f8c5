"""`complaints procedure ...` through main() and as a real process."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("COMPLAINTS_"):
            monkeypatch.delenv(name)


def run(capsys: pytest.CaptureFixture[str], command: str) -> tuple[int, str, str]:
    """main() on a command line written as one string; returns (exit code, stdout, stderr)."""
    code = main(shlex.split(command))
    out, err = capsys.readouterr()
    return code, out, err


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "procedure list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 6
    assert lines[-1].split(maxsplit=1) == ["west-wilts-ccc", "West Wilts Child Contact Centre"]


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "procedure show calat")
    assert code == 0
    assert "Stage 2: Review by the Head of Service" in out
    assert "Acknowledged: within 3 working days of receipt." in out
    assert "Then: Local Government Ombudsman." in out


def test_deadlines_json(capsys: pytest.CaptureFixture[str]) -> None:
    # West Wilts stage 1, NI, Fri 9 Jul 2027 (Boyne Mon 12 Jul): see the hand-checked table.
    code, out, err = run(
        capsys,
        "procedure deadlines west-wilts-ccc --stage 1 --received 2027-07-09"
        " --responded 2027-08-02 --nation northern-ireland --json",
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "acknowledge_by": "2027-07-19",
        "respond_by": "2027-08-02",
        "escalate_by": "2027-08-16",
    }
    assert out.count("\n") == 1


def test_deadlines_json_nulls(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "procedure deadlines cast --stage 1 --received 2026-12-24 --json")
    assert code == 0
    assert json.loads(out) == {"acknowledge_by": None, "respond_by": None, "escalate_by": None}


def test_deadlines_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "procedure deadlines model --stage 1 --received 2026-12-24")
    assert code == 0
    assert "acknowledge_by  2027-01-05 (Tue)" in out
    assert "respond_by      2027-01-12 (Tue)" in out
    assert "escalate_by     give --responded" in out


def test_nation_defaults_to_the_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "complaints.toml"
    config.write_text('nation = "scotland"\n')
    command = "procedure deadlines model --stage 1 --received 2026-12-24 --json"
    code, out, _ = run(capsys, f"--config {config} {command}")
    assert code == 0
    # Scotland's 4 Jan 2027 holiday moves both dates by a day (hand-checked table).
    assert json.loads(out)["acknowledge_by"] == "2027-01-06"
    code, out, _ = run(capsys, command)  # no settings: England
    assert json.loads(out)["acknowledge_by"] == "2027-01-05"


def test_a_procedure_file_by_path(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "procedures/presets/creative-alliance.toml")
    code, out, _ = run(capsys, f"procedure deadlines {path} --stage 3 --received 2027-03-26 --json")
    assert code == 0
    assert json.loads(out)["respond_by"] == "2027-05-21"


@pytest.mark.parametrize(
    "args, message",
    [
        ("nope --stage 1 --received 2027-01-04", "nope: no such preset"),
        ("cast --stage 3 --received 2027-01-04", "cast has stages 1 to 2"),
        ("cast --stage two --received 2027-01-04", "--stage 'two'"),
        ("cast --stage 1 --received 04/01/2027", "expected a date as YYYY-MM-DD"),
        ("cast --stage 1 --received 2027-01-04 --responded 2027-02-30", "--responded '2027-02-30'"),
        ("cast --stage 1 --received 2027-01-04 --responded 2027-01-01", "must not be before"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: str, message: str
) -> None:
    code, out, err = run(capsys, f"procedure deadlines {args} --json")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("complaints: ")
    assert message in err


def test_show_unknown_preset(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "procedure show nope")
    assert code == 2 and "no such preset" in err


def _complaints(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTS_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_subprocess_json() -> None:
    # CALAT stage 2 over Scotland's summer holiday, Mon 2 Aug 2027 (hand-checked table).
    done = _complaints(
        *("procedure", "deadlines", "calat", "--stage", "2", "--received", "2027-07-29"),
        *("--nation", "scotland", "--json"),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "acknowledge_by": "2027-08-04",
        "respond_by": "2027-08-27",
        "escalate_by": None,
    }


def test_subprocess_bad_date() -> None:
    done = _complaints("procedure", "deadlines", "model", "--stage", "1", "--received", "soon")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "complaints: --received 'soon': expected a date as YYYY-MM-DD"
    ]


def test_the_example_in_the_docs(capsys: pytest.CaptureFixture[str]) -> None:
    docs = (ROOT / "docs/procedures.md").read_text()
    command = "procedure deadlines west-wilts-ccc --stage 2 --received 2027-01-04"
    assert f"complaints {command} \\\n    --responded 2027-01-25 --nation england --json" in docs
    code, out, _ = run(capsys, f"{command} --responded 2027-01-25 --nation england --json")
    assert code == 0
    assert f"\n{out}```" in docs
