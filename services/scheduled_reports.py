"""Sending the scheduled statistical reports (storage/report_schedules.py): the figures the
CALAT seed lists - complaints received, their outcomes, trends, and the improvements made -
as a plain-text email, for the period since the last report. Staff read English."""

from __future__ import annotations

from datetime import date, datetime

from services.report_formats import Words, month_name, percent
from storage.report_schedules import ScheduleView, due_schedules, record_sent
from storage.reports import Report, build_report
from storage.runtime import Storage


def report_email(report: Report, schedule: ScheduleView) -> tuple[str, str]:
    """(subject, body): figures only, never names or what a complaint said."""
    words = Words(report)
    period = f"{report.start:%d %b %Y} to {report.end:%d %b %Y}"
    lines = [
        f"{schedule.name}: {report.organisation}, {period}.",
        "",
        f"Received: {report.received}.",
        *(f"- {words.label('kind', t.key)}: {t.count}" for t in report.by_kind),
        "",
        "Outcomes of the complaints:",
        *(f"- {words.label('outcome', t.key)}: {t.count}" for t in report.outcomes),
        "",
        "Resolved at:",
        *(f"- {words.label('resolved', t.key)}: {t.count}" for t in report.resolved_at),
        "",
        "Answered on time:",
        *(
            f"- {words.stage(t.stage)}, {t.which}: {percent(t.rate)} of {t.measured}"
            for t in report.timeliness
            if t.measured
        ),
        "",
        "Trends, month by month (complaints, compliments):",
        *(f"- {month_name(m.month)}: {m.complaints}, {m.compliments}" for m in report.months),
        "",
        "Improvements made (you said, we did):",
        *(
            [f"- {c.reference}: {c.we_did}" for c in report.changes]
            or ["- None recorded in this period."]
        ),
    ]
    return f"{schedule.name}: {period}", "\n".join(lines)


async def send_due_reports(storage: Storage, *, today: date, now: datetime) -> int:
    """Send every report whose date has come; returns how many were sent."""
    sent = 0
    for schedule in await due_schedules(storage.sessions, today):
        start, end = schedule.period
        report = await build_report(
            storage.sessions,
            storage.procedure,
            storage.calendar,
            start=start,
            end=end,
            as_of=today,
            zone=storage.settings.zone,
        )
        subject, body = report_email(report, schedule)
        sent += await record_sent(storage.sessions, schedule, subject=subject, body=body, now=now)
    return sent
