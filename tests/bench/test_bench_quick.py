"""Every benchmark still runs: each script with --quick, as a subprocess, prints its figures.

The scripts run side by side (about 30-40 s in all on two cores); each must exit 0 and
print one JSON line per figure with the fields bench/common.py writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
        for figure in figures:
            assert set(figure) == FIELDS, figure
            assert isinstance(figure["figure"], int | float), figure
