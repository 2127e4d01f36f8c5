"""The scheduler inside `complaints serve`: staff alerts, daily digests and retention.

Every minute it looks for news (a complaint arrived, a complainant escalated, a message to a
complainant failed, a due date passed) and alerts the people handling the case at once. On
each working day from 08:00 it sends each handler a digest of what is overdue or due in the
next two working days, and once a day it applies the retention periods. Staff messages go
through the outbox like every other message (email, or Telegram for staff who gave a chat
id), so they are retried, rate-limited and sent once. They hold the reference, the stage and
dates: never what the complaint says. The holding message to a complainant whose reply date
passed goes out when staff set the new date (storage/cases.py: extend; procedures/letters.py:
holding); the overdue alert here asks them to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from services.retention import Retention
from services.scheduled_reports import send_due_reports
from storage.alerts import Alert, CaseFacts, DueItem, Letter, Recipient, StaffAlerts
from storage.health import write_failure
from storage.restrictions import due_for_review
from storage.runtime import Storage

log = logging.getLogger(__name__)

DIGEST_HOUR = 8  # local time
HORIZON_WORKING_DAYS = 2
CHANNELS = frozenset({"email", "telegram"})


def day(value: date) -> str:
    return value.strftime("%a %d %b %Y")


def channels_for(storage: Storage) -> frozenset[str]:
    """Staff channels this process can deliver: email with SMTP, Telegram with a bot."""
    found = set()
    if storage.settings.smtp_host:
        found.add("email")
    if storage.settings.telegram_token:
        found.add("telegram")
    return frozenset(found)


# -- wording (staff read English; no complaint text, ever) ---------------------------------


def _stage(case: CaseFacts) -> str:
    if case.stage_number is None:
        return case.kind
    return f"stage {case.stage_number} ({case.stage_name})"


def _dates(case: CaseFacts) -> list[str]:
    lines = []
    if case.acknowledge_by and not case.acknowledged and not case.responded:
        lines.append(f"Acknowledge by {day(case.acknowledge_by)}.")
    if case.respond_by and not case.responded:
        lines.append(f"Reply by {day(case.respond_by)}.")
    return lines


def alert_text(alert: Alert, link: str) -> tuple[str, str]:
    """(subject, body) of an immediate alert."""
    case = alert.case
    ref = case.reference
    if alert.what == "submit":
        kind = "complaint" if case.kind == "complaint" else case.kind
        subject = f"New {kind}: {ref}"
        lines = [f"A new {kind} has arrived: {ref}, {_stage(case)}.", *_dates(case)]
        if alert.to_contact:
            lines.append(
                "You are this person's single point of contact under a contact arrangement. "
                "The complaint is received and handled as usual."
            )
    elif alert.what == "escalate":
        subject = f"Escalated: {ref}"
        lines = [f"{ref} has been taken to {_stage(case)}.", *_dates(case)]
    elif alert.what == "subject_match":
        subject = f"Who is it about? {ref}"
        lines = [
            f"{ref} names a member of staff. It is hidden from every account the name could "
            "mean until a lead confirms who it is about in the triage queue.",
        ]
    elif alert.what in ("set_subject", "triage"):
        subject = f"Subject changed: {ref}"
        lines = [f"Who {ref} is about was set or changed, with a reason in the audit log."]
    elif alert.what == "add_information":
        subject = f"New message: {ref}"
        lines = [
            f"The complainant sent more about {ref}. You are their single point of contact "
            "under a contact arrangement: please reply to them.",
        ]
    elif alert.what == "failed":
        subject = f"Message not delivered: {ref}"
        lines = [
            f"A message to the complainant about {ref} could not be delivered ({alert.channel}).",
            "Please check the case and reach them another way.",
        ]
    elif alert.what == "uncertain":
        subject = f"Message may not have arrived: {ref}"
        lines = [
            f"A message to the complainant about {ref} may have arrived ({alert.channel}): "
            "the send was interrupted before the channel confirmed it.",
            "Please check with them before sending it again.",
        ]
    elif alert.what == "overdue_acknowledge":
        subject = f"Overdue: acknowledge {ref}"
        lines = [
            f"{ref} ({_stage(case)}) was due to be acknowledged by "
            f"{day(case.acknowledge_by or date.min)} and has not been.",
        ]
    else:
        subject = f"Overdue: reply to {ref}"
        lines = [
            f"The reply to {ref} ({_stage(case)}) was due by {day(case.respond_by or date.min)} "
            "and has not been sent.",
            "Send it, or set a new date on the case page: the complainant is then told, with "
            "an apology, when to expect it.",
        ]
    if link:
        lines.append(link)
    return subject, "\n".join(lines)


def digest_text(items: list[DueItem], today: date, links: Callable[[int], str]) -> str:
    overdue = [i for i in items if i.overdue]
    soon = [i for i in items if not i.overdue]
    lines = [f"Your complaints for {day(today)}."]
    for title, group in (("Overdue", overdue), ("Due in the next two working days", soon)):
        if not group:
            continue
        lines += ["", f"{title}:"]
        for item in sorted(group, key=lambda i: (i.due, i.case.reference)):
            verb = "acknowledge" if item.which == "acknowledge" else "reply"
            link = links(item.case.complaint_id)
            lines.append(
                f"- {item.case.reference}, {_stage(item.case)}: {verb} by {day(item.due)}"
                + (f" {link}" if link else "")
            )
    return "\n".join(lines)


# -- the loop ------------------------------------------------------------------------------


@dataclass
class Scheduler:
    storage: Storage
    channels: frozenset[str] = CHANNELS
    interval: float = 60.0
    alerts: StaffAlerts = field(init=False)
    retention: Retention = field(init=False)

    def __post_init__(self) -> None:
        self.alerts = StaffAlerts(self.storage.sessions)
        self.retention = Retention(
            self.storage.sessions, self.storage.procedure, self.storage.settings.attachments_dir
        )

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception as error:  # one bad round must not end the alerts for good
                if not write_failure(error):  # a full disk is logged once, by storage
                    log.exception("scheduler round failed; trying again at the next one")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)

    async def tick(self) -> None:
        now = self.storage.clock()
        local = now.astimezone(self.storage.settings.zone)
        today = local.date()
        todo = []
        for alert, recipients in await self.alerts.immediate(now=now, today=today):
            subject, body = alert_text(alert, self._link(alert.case.complaint_id))
            todo.append((alert.key, self._letters(recipients, subject, body)))
        # In batches, giving way to web chat answers between them (storage/alerts.py).
        await self.alerts.queue_many(todo, now=now)
        if self.storage.calendar.is_working_day(today) and local.hour >= DIGEST_HOUR:
            await self._digests(today, now)
        if "email" in self.channels and local.hour >= DIGEST_HOUR:
            await send_due_reports(self.storage, today=today, now=now)
        key = f"retention:{today.isoformat()}"
        if not await self.alerts.is_done(key):
            await self.retention.run(now=now)
            await self.alerts.queue(key, [], now=now)

    async def _digests(self, today: date, now: datetime) -> None:
        horizon = self.storage.calendar.add_working_days(today, HORIZON_WORKING_DAYS)
        due = await self.alerts.due(today=today, horizon=horizon)
        reviews = await due_for_review(self.storage.sessions, today)
        admins = await self.alerts.admins() if reviews else []
        for admin in admins:
            due.setdefault(admin, [])
        todo = []
        for person, items in due.items():
            body = digest_text(items, today, self._link) if items else ""
            if reviews and person in admins:
                body += "\n\n" if body else ""
                body += "\n".join(
                    f"- A contact arrangement (no. {r.id}) is due for review since "
                    f"{day(r.review_on)}."
                    for r in reviews
                )
            subject = f"Complaints due: {day(today)}"
            key = f"digest:{today.isoformat()}:{person.id}"
            todo.append((key, self._letters([person], subject, body)))
        await self.alerts.queue_many(todo, now=now)

    def _letters(self, recipients: Iterable[Recipient], subject: str, body: str) -> list[Letter]:
        letters = []
        for person in recipients:
            if "email" in self.channels and person.email:
                letters.append(Letter(person.id, "email", person.email, subject, body))
            if "telegram" in self.channels and person.telegram_chat_id:
                text = f"{subject}\n\n{body}"
                letters.append(Letter(person.id, "telegram", person.telegram_chat_id, "", text))
        return letters

    def _link(self, complaint_id: int) -> str:
        base = self.storage.settings.public_url
        return f"{base}/staff/cases/{complaint_id}" if base else ""
