"""Report figures against a case book counted by hand (tests/reports/seed.py)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from services.report_formats import board_html, csv_text, json_text, safe_cell
from storage.reports import Report, Tally, build_report, percentile_90, working_days_between
from storage.runtime import Storage
from tests.conftest import FakeClock
from tests.reports.seed import at, seed

NOV_1, DEC_31, AS_OF = date(2026, 11, 1), date(2026, 12, 31), date(2027, 1, 15)


async def report_for(storage: Storage, start: date = NOV_1, end: date = DEC_31) -> Report:
    return await build_report(
        storage.sessions,
        storage.procedure,
        storage.calendar,
        start=start,
        end=end,
        as_of=AS_OF,
        zone=storage.settings.zone,
    )


def counts(tallies: tuple[Tally, ...]) -> dict[str, int]:
    return {t.key: t.count for t in tallies if t.count}


async def test_figures_match_the_hand_count(storage: Storage, clock: FakeClock) -> None:
    await seed(storage, clock)
    clock.set(at(AS_OF))
    report = await report_for(storage)

    # Received 1 Nov - 31 Dec: A B C D E F G I J (X is in October, H in January).
    assert report.received == 9
    assert counts(report.by_kind) == {"complaint": 6, "compliment": 2, "feedback": 1}
    # Complaints only: A E service; B J conduct; D failure to act; G information.
    assert counts(report.by_category) == {
        "standard_of_service": 2,
        "staff_conduct": 2,
        "failure_to_act": 1,
        "information": 1,
    }
    # All kinds: web chat A C E I J; Telegram B F; phone D; email G.
    assert counts(report.by_channel) == {"webchat": 5, "telegram": 2, "phone": 1, "email": 1}
    # Only B went on to stage 2.
    assert counts(report.by_stage_reached) == {"1": 5, "2": 1}

    timeliness = {(t.stage, t.which): t for t in report.timeliness}
    ack1, reply1 = timeliness[(1, "acknowledge")], timeliness[(1, "respond")]
    # Acknowledged on time: A (4 Nov <= 9 Nov), E (14 Dec = 14 Dec), G (18 <= 21 Dec).
    # Late: B (12 > 10 Nov), J (answered 15 Dec, due 9 Dec), D (never; due 16 Nov).
    assert (ack1.on_time, ack1.within_extension, ack1.late, ack1.pending) == (3, 0, 3, 0)
    assert ack1.rate == pytest.approx(0.5)
    # Answered on time: A, J. B late but by its extended date. D, G never (past due).
    # E was withdrawn before an answer was due: not measured.
    assert (reply1.on_time, reply1.within_extension, reply1.late, reply1.pending) == (2, 1, 2, 0)
    ack2, reply2 = timeliness[(2, "acknowledge")], timeliness[(2, "respond")]
    assert (ack2.on_time, ack2.late) == (1, 0)
    assert (reply2.on_time, reply2.late) == (1, 0)

    # Working days to answer: A 9, B stage 1 16, J 9; B stage 2 18.
    overall, stage1, stage2 = report.response_days
    assert (overall.count, overall.mean, overall.p90) == (4, 13.0, 18)  # 52 / 4; 4th of 4
    assert (stage1.count, stage1.p90) == (3, 16)  # ceil(2.7) = 3rd of 9, 9, 16
    assert stage1.mean == pytest.approx(34 / 3)
    assert (stage2.count, stage2.mean, stage2.p90) == (1, 18.0, 18)

    [extension] = report.extensions
    assert extension.reason == "Waiting for a witness statement"
    assert (extension.previous_date, extension.new_date) == (date(2026, 11, 17), date(2026, 11, 27))
    assert counts(report.extensions_by_which) == {"respond": 1}

    # Latest outcome per complaint: A upheld; B not upheld (stage 2); J not upheld.
    assert counts(report.outcomes) == {"upheld": 1, "not_upheld": 2, "none": 3}
    # Closed at stage 1: A, J. B referred. E withdrawn. D, G still open.
    assert counts(report.resolved_at) == {"1": 2, "external": 1, "withdrawn": 1}
    assert report.referred_external == 1
    assert report.about_staff == 2  # B (a named person), J (a role)
    assert counts(report.adjustments) == {"large_print": 2, "phone_call": 1}  # A, D; D
    assert counts(report.languages) == {"en": 6, "pl": 2, "cy": 1}
    assert report.compliments == 2

    november, december = report.months
    # Nov: complaints A B D, compliment C; answers A, B stage 1 (late), B stage 2.
    assert (november.month, november.complaints, november.compliments, november.feedback) == (
        "2026-11",
        3,
        1,
        0,
    )
    assert (november.responses, november.responses_on_time) == (3, 2)
    # Dec: complaints E G J, compliment F, feedback I; answer J on time.
    assert (december.complaints, december.compliments, december.feedback) == (3, 1, 1)
    assert (december.responses, december.responses_on_time) == (1, 1)

    assert [(c.reference, c.we_did) for c in report.changes] == [
        ("C-2026-0002", "Cancellations are now sent by text message"),
        ("C-2026-0003", "Training on respectful communication"),
    ]


async def test_a_period_of_one_month(storage: Storage, clock: FakeClock) -> None:
    await seed(storage, clock)
    report = await report_for(storage, date(2026, 12, 1), date(2026, 12, 31))
    assert counts(report.by_kind) == {"complaint": 3, "compliment": 1, "feedback": 1}
    assert [m.month for m in report.months] == ["2026-12"]
    assert report.changes == ()


async def test_the_report_never_names_staff(storage: Storage, clock: FakeClock) -> None:
    await seed(storage, clock)
    report = await report_for(storage)
    for text in (board_html(report), csv_text(report), json_text(report)):
        assert "Sam Jones" not in text
        assert "Something went wrong" not in text  # nor any complaint's own words


def test_working_days_and_percentile() -> None:
    from procedures.deadlines import calendar_for
    from procedures.loader import load_procedure

    calendar = calendar_for(load_procedure("model"), "england")
    assert working_days_between(calendar, date(2026, 11, 2), date(2026, 11, 13)) == 9
    # Received on a Saturday counts from Monday: answered that Monday is 0 days.
    assert working_days_between(calendar, date(2026, 11, 7), date(2026, 11, 9)) == 0
    # Christmas: Thu 24 Dec to Tue 29 Dec skips Fri 25 and Mon 28 (bank holidays).
    assert working_days_between(calendar, date(2026, 12, 24), date(2026, 12, 29)) == 1
    assert percentile_90([]) is None
    assert percentile_90(list(range(1, 11))) == 9
    assert percentile_90(list(range(1, 12))) == 10


@pytest.mark.parametrize(
    "text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x")']
)
def test_csv_cells_that_would_be_formulas_are_text(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert safe_cell("Plain words") == "Plain words"
    assert safe_cell(-3) == -3  # our own numbers stay numbers


async def test_csv_export_escapes_staff_text(storage: Storage, clock: FakeClock) -> None:
    ids = await seed(storage, clock)
    clock.set(at(date(2026, 12, 29)))
    await storage.cases.extend(
        ids["G"],
        which="respond",
        new_date=date(2027, 1, 8),
        reason='=HYPERLINK("http://evil.example","click")',
        staff_id=None,
    )
    rows = list(csv.reader(io.StringIO(csv_text(await report_for(storage)))))
    reasons = [row[3] for row in rows if row[0] == "extension reason"]
    assert '\'=HYPERLINK("http://evil.example","click")' in reasons
    assert all(not cell.startswith(("=", "+", "-", "@", "\t")) for row in rows for cell in row)
    data = json.loads(json_text(await report_for(storage)))
    assert data["received"] == 9
