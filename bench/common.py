"""Shared helpers for the benchmarks: timing, percentiles and the one-line JSON result."""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/x.py` from a checkout
    sys.path.insert(0, str(ROOT))
# bench/telegram.py must not shadow the telegram package: look in this folder last.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) by the nearest-rank method."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Figure:
    name: str
    figure: float
    unit: str
    target: str
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return self.figure / self.baseline


def report(figures: Sequence[Figure]) -> None:
    """A table for people, then one JSON line per figure for machines."""
    print(f"{'figure':<34} {'value':>12} {'unit':<10} {'baseline':>12} {'ratio':>7}  target")
    for f in figures:
        base = f"{f.baseline:12.2f}" if f.baseline is not None else " " * 12
        ratio = f"{f.ratio:7.2f}" if f.ratio is not None else " " * 7
        print(f"{f.name:<34} {f.figure:12.2f} {f.unit:<10} {base} {ratio}  {f.target}")
    for f in figures:
        print(
            json.dumps(
                {
                    "name": f.name,
                    "figure": round(f.figure, 3),
                    "unit": f.unit,
                    "target": f.target,
                    "baseline": None if f.baseline is None else round(f.baseline, 3),
                    "ratio": None if f.ratio is None else round(f.ratio, 3),
                    "machine": f"{platform.machine()} {platform.python_version()}",
                }
            )
        )


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL (default: SQLite in a temp folder)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the test suite")
    return parser


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")
