"""Due dates for every preset, worked out by hand from a printed 2026-2028 calendar.

Bank holidays used (gov.uk, checked against the holidays package in test_holidays_used):
  all nations: Fri 25 Dec 2026, Mon 28 Dec 2026 (Boxing Day substitute), Fri 1 Jan 2027,
    Good Friday 26 Mar 2027
  England, Wales, N. Ireland: Easter Monday 29 Mar 2027, late summer Mon 30 Aug 2027
  Scotland: Fri 2 Jan 2026, Mon 4 Jan 2027 (2 Jan substitute), St Andrew's Mon 30 Nov 2026,
    summer Mon 2 Aug 2027
  Northern Ireland: St Patrick's Wed 17 Mar 2027, Battle of the Boyne Mon 12 Jul 2027
The comment on each row is the count, so a reader can redo it with a calendar.
"""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from procedures.calendar import WorkingCalendar
from procedures.deadlines import calendar_for, stage_deadlines
from procedures.loader import load_procedure

D = date.fromisoformat
E, W, S, N = "england", "wales", "scotland", "northern-ireland"
CAT, CA, WW = "cambridge-art-therapy", "creative-alliance", "west-wilts-ccc"

# preset, stage, nation, received, responded, extra_time -> acknowledge_by, respond_by, escalate_by
# fmt: off
ROWS = [
    # model 1 (5/10 wd), Thu 24 Dec: 29,30,31 Dec, 4,5 Jan -> ack 5 Jan; 6,7,8,11,12 -> 12 Jan.
    ("model", 1, E, "2026-12-24", None, False, "2027-01-05", "2027-01-12", None),
    # Scotland, 4 Jan is a holiday: 29,30,31 Dec, 5,6 Jan -> 6 Jan; 7,8,11,12,13 -> 13 Jan.
    ("model", 1, S, "2026-12-24", None, False, "2027-01-06", "2027-01-13", None),
    # Sat 26 Dec (Boxing Day) counts from Tue 29 Dec: 30,31,4,5,6 -> 6 Jan; 7,8,11,12,13.
    ("model", 1, E, "2026-12-26", None, False, "2027-01-06", "2027-01-13", None),
    # Scotland's 2 Jan 2026 (Fri): from Wed 31 Dec 2025: 5,6,7,8,9 Jan -> 9 Jan; ..16 Jan.
    ("model", 1, S, "2025-12-31", None, False, "2026-01-09", "2026-01-16", None),
    # England, same day: 2,5,6,7,8 Jan -> 8 Jan; 9,12,13,14,15 -> 15 Jan.
    ("model", 1, E, "2025-12-31", None, False, "2026-01-08", "2026-01-15", None),
    # St Andrew's Day Mon 30 Nov 2026, from Fri 27 Nov: 1,2,3,4,7 Dec -> 7 Dec; 8..11,14.
    ("model", 1, S, "2026-11-27", None, False, "2026-12-07", "2026-12-14", None),
    # England: 30 Nov,1,2,3,4 Dec -> 4 Dec; 7,8,9,10,11 -> 11 Dec.
    ("model", 1, E, "2026-11-27", None, False, "2026-12-04", "2026-12-11", None),
    # model stage 1 has no escalation limit: stage 2's entry sets none.
    ("model", 1, E, "2026-11-27", "2026-12-10", False, "2026-12-04", "2026-12-11", None),
    # model 2 (5/20 wd) over Easter 2027, from Mon 22 Mar: 23,24,25,30,31 Mar -> 31 Mar;
    # 1,2,5,6,7,8,9,12,13,14,15,16,19,20,21 Apr -> 21 Apr. Ombudsman: 12 months, as written.
    ("model", 2, E, "2027-03-22", "2027-04-16", False, "2027-03-31", "2027-04-21", "2028-04-16"),
    # Scotland works Easter Monday: 23,24,25,29,30 Mar -> 30 Mar; ... 20 Apr.
    ("model", 2, S, "2027-03-22", None, False, "2027-03-30", "2027-04-20", None),
    # Extra time (10 wd) after Sun 16 Apr 2028: Mon 17 is Easter Monday, so from Tue 18:
    # 19,20,21,24,25,26,27,28 Apr, (1 May is May Day) 2,3 May -> 3 May 2028.
    ("model", 2, E, "2027-03-22", "2027-04-16", True, "2027-03-31", "2027-04-21", "2028-05-03"),
    # CAT 1 (5/10 wd) over England's late summer holiday, from Mon 23 Aug 2027:
    # 24,25,26,27,31 Aug -> 31 Aug; 1,2,3,6,7 Sep -> 7 Sep.
    (CAT, 1, E, "2027-08-23", None, False, "2027-08-31", "2027-09-07", None),
    # Scotland works 30 Aug: 24,25,26,27,30 -> 30 Aug; 31,1,2,3,6 -> 6 Sep.
    (CAT, 1, S, "2027-08-23", None, False, "2027-08-30", "2027-09-06", None),
    # CAT 2 received on New Year's Day 2027 counts from Mon 4 Jan: 5,6,7,8,11; 12,13,14,15,18.
    (CAT, 2, E, "2027-01-01", None, False, "2027-01-11", "2027-01-18", None),
    # Scotland, 4 Jan also a holiday, so from Tue 5 Jan: 6,7,8,11,12; 13,14,15,18,19.
    (CAT, 2, S, "2027-01-01", None, False, "2027-01-12", "2027-01-19", None),
    # CAT's external bodies set no time limit.
    (CAT, 2, E, "2027-01-01", "2027-01-15", True, "2027-01-11", "2027-01-18", None),
    # CAST 1 sets no limits at all.
    ("cast", 1, E, "2026-12-24", "2026-12-29", False, None, None, None),
    # CAST 2 (10 wd), from Wed 30 Dec 2026: 31 Dec, 4,5,6,7,8,11,12,13,14 Jan -> 14 Jan.
    ("cast", 2, E, "2026-12-30", None, False, None, "2027-01-14", None),
    # Scotland, 4 Jan off: 31 Dec, 5,6,7,8,11,12,13,14,15 Jan -> 15 Jan.
    ("cast", 2, S, "2026-12-30", None, False, None, "2027-01-15", None),
    # Creative Alliance 1 (2/4 weeks, calendar): Thu 24 Dec + 14 = 7 Jan; + 28 = 21 Jan.
    (CA, 1, E, "2026-12-24", None, False, "2027-01-07", "2027-01-21", None),
    # CA 2 (2/4 weeks) from Sat 26 Dec, as written: 9 Jan (a Saturday), 23 Jan.
    (CA, 2, S, "2026-12-26", None, False, "2027-01-09", "2027-01-23", None),
    # CA 3 (4/8 weeks) from Good Friday 26 Mar 2027: 23 Apr, 21 May. Final: nothing after.
    (CA, 3, N, "2027-03-26", "2027-05-20", True, "2027-04-23", "2027-05-21", None),
    # CALAT 1 (5/20 wd), NI, from Mon 15 Mar 2027, 17 Mar and Easter off:
    # 16,18,19,22,23 -> 23 Mar; 24,25,30,31 Mar, 1,2,5,6,7,8,9,12,13,14,15 Apr -> 15 Apr.
    ("calat", 1, N, "2027-03-15", None, False, "2027-03-23", "2027-04-15", None),
    # England, 17 Mar worked: 16,17,18,19,22 -> 22 Mar; 23,24,25,30,31,1,2,5,...,14 -> 14 Apr.
    ("calat", 1, E, "2027-03-15", None, False, "2027-03-22", "2027-04-14", None),
    # Scotland, 17 Mar and Easter Monday worked: 22 Mar; 23,24,25,29,30,31,1,2,5..9,12,13.
    ("calat", 1, S, "2027-03-15", None, False, "2027-03-22", "2027-04-13", None),
    # CALAT 2 (3/20 wd), Wales, Thu 24 Dec 2026: 29,30,31 -> 31 Dec;
    # 4,5,6,7,8,11,12,13,14,15,18,19,20,21,22,25,26 Jan -> 26 Jan. LGO: no counted limit.
    ("calat", 2, W, "2026-12-24", "2027-01-20", False, "2026-12-31", "2027-01-26", None),
    # CALAT 2 over Scotland's summer holiday (Mon 2 Aug 2027), from Thu 29 Jul:
    # 30 Jul, 3, 4 Aug -> 4 Aug; 5,6,9,...,27 Aug -> 27 Aug.
    ("calat", 2, S, "2027-07-29", None, False, "2027-08-04", "2027-08-27", None),
    # England works 2 Aug: 30 Jul, 2, 3 Aug -> 3 Aug; 4,5,6,9..13,16..20,23..26 -> 26 Aug.
    ("calat", 2, E, "2027-07-29", None, False, "2027-08-03", "2027-08-26", None),
    # West Wilts 1 (5/15 wd), NI, Fri 9 Jul 2027, Boyne Mon 12 Jul off:
    # 13,14,15,16,19 -> 19 Jul; 20..23,26..30 Jul, 2 Aug -> 2 Aug. Stage 2 within 14 days.
    (WW, 1, N, "2027-07-09", "2027-08-02", False, "2027-07-19", "2027-08-02", "2027-08-16"),
    # England works 12 Jul: 12..16 -> 16 Jul; 19..23, 26..30 -> 30 Jul. Extra 14 days: 30 Aug.
    (WW, 1, E, "2027-07-09", "2027-08-02", True, "2027-07-16", "2027-07-30", "2027-08-30"),
    # West Wilts 2 (1/4 weeks) from Sat 26 Dec 2026: 2 Jan, 23 Jan; stage 3 within 14 days
    # of the reply on Tue 19 Jan: 2 Feb; with extra time 16 Feb.
    (WW, 2, E, "2026-12-26", "2027-01-19", False, "2027-01-02", "2027-01-23", "2027-02-02"),
    (WW, 2, S, "2026-12-26", "2027-01-19", True, "2027-01-02", "2027-01-23", "2027-02-16"),
    # West Wilts 3: no acknowledgement limit, decision in 3 weeks: Mon 28 Dec -> 18 Jan.
    # NACCC sets no time limit.
    (WW, 3, E, "2026-12-28", "2027-01-15", False, None, "2027-01-18", None),
]
# fmt: on


def _d(text: str | None) -> date | None:
    return None if text is None else D(text)


@pytest.mark.parametrize(
    "preset, stage, nation, received, responded, extra, ack, respond, escalate", ROWS
)
def test_hand_checked_deadlines(
    preset: str,
    stage: int,
    nation: str,
    received: str,
    responded: str | None,
    extra: bool,
    ack: str | None,
    respond: str | None,
    escalate: str | None,
) -> None:
    procedure = load_procedure(preset)
    due = stage_deadlines(
        procedure,
        stage,
        D(received),
        calendar_for(procedure, nation),
        responded=_d(responded),
        extra_time=extra,
    )
    assert (due.acknowledge_by, due.respond_by, due.escalate_by) == (
        _d(ack),
        _d(respond),
        _d(escalate),
    )


def test_every_preset_and_stage_is_in_the_table() -> None:
    covered = {(row[0], row[1]) for row in ROWS}
    for name in ("model", "cambridge-art-therapy", "cast", "creative-alliance", "calat"):
        for stage in load_procedure(name).stages:
            assert (name, stage.number) in covered
    assert {(WW, n) for n in (1, 2, 3)} <= covered


@pytest.mark.parametrize(
    "nation, day, name",
    [
        (E, "2026-12-25", "Christmas Day"),
        (E, "2026-12-28", "Boxing Day (observed)"),
        (E, "2027-01-01", "New Year's Day"),
        (E, "2027-03-26", "Good Friday"),
        (E, "2027-03-29", "Easter Monday"),
        (E, "2027-08-30", "Late Summer Bank Holiday"),
        (E, "2028-04-17", "Easter Monday"),
        (E, "2028-05-01", "May Day"),
        (W, "2026-12-28", "Boxing Day (observed)"),
        (S, "2026-01-02", "New Year Holiday"),
        (S, "2027-01-04", "New Year Holiday (observed)"),
        (S, "2026-11-30", "Saint Andrew's Day"),
        (S, "2027-08-02", "Summer Bank Holiday"),
        (N, "2027-03-17", "Saint Patrick's Day"),
        (N, "2027-07-12", "Battle of the Boyne"),
    ],
)
def test_holidays_used(nation: str, day: str, name: str) -> None:
    subdiv = {E: "ENG", W: "WLS", S: "SCT", N: "NIR"}[nation]
    assert holidays.country_holidays("GB", subdiv=subdiv).get(D(day)) == name
    assert not WorkingCalendar(nation).is_working_day(D(day))


@pytest.mark.parametrize(
    "nation, day",
    [
        (S, "2027-03-29"),  # Easter Monday is not a Scottish bank holiday
        (S, "2027-08-30"),  # nor is England's late summer one
        (E, "2027-08-02"),  # nor is Scotland's summer one in England
        (E, "2026-11-30"),  # St Andrew's Day
        (E, "2027-01-04"),  # Scotland's 2 January substitute
        (E, "2027-03-17"),  # St Patrick's Day
        (S, "2027-07-12"),  # Battle of the Boyne
        (W, "2027-07-12"),
    ],
)
def test_other_nations_holidays_are_working_days(nation: str, day: str) -> None:
    assert WorkingCalendar(nation).is_working_day(D(day))
