"""Every benchmark still runs: each script with --quick, as a subprocess, prints its figures.

The scripts run side by side (about 30-40 s in all on two cores); each must exit 0 and
print one JSON line per figure with the fields bench/common.py writes, every figure a real
number, every exact count met, every ratio taken against a baseline measured in the same run.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ("intake", "delivery", "telegram", "staff", "footprint")
FIELDS = {"name", "figure", "unit", "target", "baseline", "ratio", "machine"}


def test_every_benchmark_prints_its_figures_in_quick_mode() -> None:
    env = {**os.environ, "PTB_TIMEDELTA": "1"}
    running = {
        name: subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / f"{name}.py"), "--quick"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in SCRIPTS
    }
    for name, process in running.items():
        out, err = process.communicate(timeout=240)
        assert process.returncode == 0, f"bench/{name}.py failed:\n{err[-3000:]}"
        figures = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        assert figures, f"bench/{name}.py printed no JSON lines:\n{out}"
        check_figures(name, figures)


def check_figures(script: str, figures: list[dict[str, Any]]) -> None:
    """What holds whatever the machine's speed (timing targets are the benchmark's to judge,
    not the test's): real numbers, counts that are exact, ratios that are what they say."""
    references = {f["figure"] for f in figures if f["target"] == "reference"}
    assert references, f"bench/{script}.py measured no baseline"
    for figure in figures:
        assert set(figure) == FIELDS, figure
        value = figure["figure"]
        assert isinstance(value, int | float) and math.isfinite(value), figure  # no NaN
        exact = re.fullmatch(r"= (\d+)", figure["target"])
        if exact:  # a correctness count ("exactly once", "duplicated"): must be met exactly
            assert value == int(exact.group(1)), figure
        elif figure["target"] == "reference" or figure["target"].startswith(">="):
            assert value > 0, figure  # a baseline or a throughput: something was measured
        else:
            assert value >= 0, figure  # a time, a size, or a rate that may stay at none
        if figure["baseline"] is not None:
            assert figure["baseline"] in references, figure  # compared with this run's baseline
            assert figure["ratio"] == pytest.approx(value / figure["baseline"], abs=0.002), figure
        else:
            assert figure["ratio"] is None, figure
