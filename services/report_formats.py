"""A report (storage/reports.py) as HTML, CSV and JSON; shared by the staff view and the
`complaints report` command, so both give the same figures in the same words."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from conversations.labels import adjustment_labels
from locales import LANGUAGES, translator
from services.charts import Series, bar_chart
from services.words import CHANNEL_WORDS, long_date
from storage.reports import Report, Tally

HERE = Path(__file__).parent
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

KIND_WORDS = {
    "complaint": "Complaints",
    "compliment": "Compliments",
    "feedback": "Feedback",
    "enquiry": "Enquiries from elected members",
}
OUTCOME_WORDS = {
    "upheld": "Upheld",
    "partly_upheld": "Partly upheld",
    "not_upheld": "Not upheld",
    "none": "Not decided yet",
}
WHICH_WORDS = {"acknowledge": "Acknowledgement", "respond": "Response"}


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is kept as text with a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Words:
    """Labels for the keys a report holds (categories, channels, stages...)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.adjustments = adjustment_labels(translator("en"))

    def stage(self, key: str | int) -> str:
        if key == "external":
            return "Referred to the external body"
        if key == "withdrawn":
            return "Withdrawn"
        number = int(key)
        name = self.report.stage_names.get(number, f"Stage {number}")
        return name if number == 0 else f"Stage {number}: {name}"

    def label(self, section: str, key: str) -> str:
        if section == "kind":
            return KIND_WORDS.get(key, key)
        if section == "category":
            return self.report.category_labels.get(key, key) if key else "No category given"
        if section == "channel":
            return CHANNEL_WORDS.get(key, key).split(" (")[0].capitalize()
        if section in ("stage", "resolved"):
            return self.stage(key)
        if section == "outcome":
            return OUTCOME_WORDS.get(key, key)
        if section == "adjustment":
            return self.adjustments.get(key, key)
        if section == "language":
            return LANGUAGES.get(key, key)
        if section == "extension":
            return WHICH_WORDS.get(key, key)
        return key


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{round(rate * 100)}%"


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".removesuffix(".0")


def month_name(month: str) -> str:
    return date.fromisoformat(f"{month}-01").strftime("%b %Y")


# -- CSV and JSON ---------------------------------------------------------------------------


def _section(rows: list[list[object]], words: Words, name: str, items: tuple[Tally, ...]) -> None:
    for item in items:
        rows.append([name, words.label(name, item.key), item.count, ""])


def table_rows(report: Report) -> list[list[object]]:
    """Every figure as (section, item, value, note); one flat table for spreadsheets."""
    words = Words(report)
    rows: list[list[object]] = [
        ["section", "item", "value", "note"],
        ["period", "from", report.start.isoformat(), ""],
        ["period", "to", report.end.isoformat(), ""],
        ["period", "as of", report.as_of.isoformat(), ""],
        ["received", "all", report.received, ""],
    ]
    for name, items in (
        ("kind", report.by_kind),
        ("category", report.by_category),
        ("channel", report.by_channel),
        ("stage", report.by_stage_reached),
        ("outcome", report.outcomes),
        ("resolved", report.resolved_at),
        ("extension", report.extensions_by_which),
        ("adjustment", report.adjustments),
        ("language", report.languages),
    ):
        _section(rows, words, name, items)
    for t in report.timeliness:
        item = f"{words.stage(t.stage)}: {WHICH_WORDS[t.which].lower()}"
        note = (
            f"on time {t.on_time}, within extension {t.within_extension}, late {t.late}, "
            f"pending {t.pending}"
        )
        rows.append(["on time", item, percent(t.rate), note])
    for d in report.response_days:
        item = "all stages" if d.stage == 0 else words.stage(d.stage)
        rows.append(
            ["working days to respond (mean)", item, number(d.mean), f"{d.count} responses"]
        )
        rows.append(["working days to respond (90th percentile)", item, number(d.p90), ""])
    rows.append(["referred to the external body", "all", report.referred_external, ""])
    rows.append(["about members of staff", "all", report.about_staff, "counted, not named"])
    rows.append(["compliments", "all", report.compliments, ""])
    for m in report.months:
        rows.append(["month", m.month, m.complaints, f"compliments {m.compliments}"])
    for e in report.extensions:
        item = f"{e.reference} stage {e.stage} {e.which}"
        rows.append(["extension reason", item, e.new_date.isoformat(), e.reason])
    for c in report.changes:
        rows.append(
            ["you said, we did", c.reference, words.label("category", c.category or ""), c.we_did]
        )
    return rows


def csv_text(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in table_rows(report):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def json_text(report: Report) -> str:
    data: dict[str, Any] = asdict(report)
    for line, t in zip(data["timeliness"], report.timeliness, strict=True):
        line["rate"] = t.rate
    return json.dumps(data, default=_json_default, indent=2, ensure_ascii=False)


def _json_default(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


# -- HTML ----------------------------------------------------------------------------------


def charts(report: Report) -> dict[str, Markup]:
    labels = [month_name(m.month) for m in report.months]
    trend = bar_chart(
        "trend",
        "Complaints and compliments received, month by month",
        "; ".join(
            f"{month_name(m.month)}: {m.complaints} complaints, {m.compliments} compliments"
            for m in report.months
        ),
        labels,
        [
            Series("Complaints", tuple(m.complaints for m in report.months)),
            Series("Compliments", tuple(m.compliments for m in report.months)),
        ],
    )
    words = Words(report)
    stages = [t for t in report.timeliness if t.which == "respond"]
    acks = [t for t in report.timeliness if t.which == "acknowledge"]
    on_time = bar_chart(
        "ontime",
        "Share on time, by stage (percent)",
        "; ".join(
            f"{words.stage(a.stage)}: acknowledged on time {percent(a.rate)}, "
            f"answered on time {percent(r.rate)}"
            for a, r in zip(acks, stages, strict=True)
        ),
        [f"Stage {t.stage}" for t in stages],
        [
            Series("Acknowledged on time", tuple(round((t.rate or 0) * 100) for t in acks)),
            Series("Answered on time", tuple(round((t.rate or 0) * 100) for t in stages)),
        ],
        suffix="%",
    )
    return {"trend": trend, "ontime": on_time}


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["day"] = long_date
    return env


def context(report: Report) -> dict[str, Any]:
    return {
        "report": report,
        "words": Words(report),
        "charts": charts(report),
        "percent": percent,
        "number": number,
        "month_name": month_name,
        "which_words": WHICH_WORDS,
    }


def board_html(report: Report, *, standalone: bool = True) -> str:
    """The printable board report; `standalone` puts its stylesheet inside the file (for
    the command line), otherwise it links the staff view's."""
    css = (HERE / "static" / "report.css").read_text() if standalone else ""
    template = environment().get_template("report_board.html")
    return template.render(**context(report), standalone=standalone, css=Markup(css))  # noqa: S704
