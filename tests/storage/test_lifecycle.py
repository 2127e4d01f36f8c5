"""The case lifecycle on real databases: records, due dates and outbox messages per step."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from procedures.case import ContactMethod, Kind, NewComplaint, Received
from procedures.deadlines import calendar_for, stage_deadlines
from procedures.loader import load_procedure, preset_names
from storage.cases import CaseService
from storage.errors import ChangedMeanwhile, IllegalTransition, InvalidInput
from storage.models import AuditEvent, Complaint, Extension, Message, Outbox, StageRecord
from storage.runtime import Storage
from tests.admin.helpers import panel_signs_off
from tests.conftest import FakeClock

COMPLAINT = NewComplaint(
    kind=Kind.COMPLAINT,
    description="The session on Tuesday was cancelled without notice.",
    desired_outcome="An apology and a new date.",
    received_via=Received.WEBCHAT,
)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def outbox(storage: Storage, complaint_id: int) -> list[Outbox]:
    async with storage.sessions() as session:
        rows = await session.scalars(
            select(Outbox).where(Outbox.complaint_id == complaint_id).order_by(Outbox.id)
        )
        return list(rows)


async def stage_rows(storage: Storage, complaint_id: int) -> list[StageRecord]:
    async with storage.sessions() as session:
        rows = await session.scalars(
            select(StageRecord)
            .where(StageRecord.complaint_id == complaint_id)
            .order_by(StageRecord.number)
        )
        return list(rows)


def service_for(storage: Storage, preset: str, clock: FakeClock) -> CaseService:
    procedure = load_procedure(preset)
    return CaseService(storage.sessions, procedure, calendar_for(procedure, "england"), clock=clock)


async def test_west_wilts_hand_checked_walk(storage: Storage, clock: FakeClock) -> None:
    """Dates worked out by hand on a 2026 calendar (no holidays in the span)."""
    cases = service_for(storage, "west-wilts-ccc", clock)
    clock.set(at(date(2026, 11, 2)))  # Monday
    done = await cases.submit(COMPLAINT, channel="webchat", external_id="visitor-1")
    assert done.reference == "C-2026-0001"
    assert done.handler_label == "The Coordinator"
    # 5 working days after Mon 2 Nov: Mon 9 Nov; 15 working days: Mon 23 Nov.
    assert (done.acknowledge_by, done.respond_by) == (date(2026, 11, 9), date(2026, 11, 23))
    [receipt] = await outbox(storage, done.complaint_id)
    assert "C-2026-0001" in receipt.body
    assert "Monday 9 November 2026" in receipt.body
    assert "Monday 23 November 2026" in receipt.body
    assert (receipt.channel, receipt.address, receipt.state) == ("webchat", "visitor-1", "pending")

    clock.set(at(date(2026, 11, 4)))
    await cases.acknowledge(done.complaint_id, staff_id=None)
    clock.set(at(date(2026, 11, 20)))  # Friday
    await cases.reply(done.complaint_id, "We are sorry. We have a new date.", staff_id=None)
    stage1 = (await stage_rows(storage, done.complaint_id))[0]
    # Stage 2 must be asked for within 14 days of the response: Fri 4 Dec.
    assert stage1.escalate_by == date(2026, 12, 4)
    answer = (await outbox(storage, done.complaint_id))[-1].body
    assert "We are sorry. We have a new date." in answer
    assert "Friday 4 December 2026" in answer

    clock.set(at(date(2026, 12, 1)))  # Tuesday
    late = await cases.escalate(done.complaint_id, reasons="Still no new date.")
    assert late is False
    stage2 = (await stage_rows(storage, done.complaint_id))[1]
    # Acknowledge within a week: Tue 8 Dec; reply within 4 weeks: Tue 29 Dec.
    assert (stage2.acknowledge_by, stage2.respond_by) == (date(2026, 12, 8), date(2026, 12, 29))
    assert stage2.handler_role == "chair"


async def test_complaint_about_the_coordinator_goes_to_the_chair(
    storage: Storage, clock: FakeClock
) -> None:
    cases = service_for(storage, "west-wilts-ccc", clock)
    done = await cases.submit(replace(COMPLAINT, about_role="coordinator", about_staff="Jo"))
    assert done.handler_label.startswith("The Chair of the Management Committee")
    [record] = await stage_rows(storage, done.complaint_id)
    assert record.handler_role == "chair"


@pytest.mark.parametrize("preset", preset_names())
async def test_walk_every_preset_to_its_external_body(
    storage: Storage, clock: FakeClock, preset: str
) -> None:
    cases = service_for(storage, preset, clock)
    procedure = cases.procedure
    clock.set(at(date(2026, 12, 21)))  # across Christmas and New Year on purpose
    done = await cases.submit(replace(COMPLAINT, email="a@example.org"))
    messages = 1
    for stage in procedure.stages:
        records = await stage_rows(storage, done.complaint_id)
        record = records[-1]
        assert (record.number, record.name) == (stage.number, stage.name)
        due = stage_deadlines(procedure, stage.number, cases.today(), cases.calendar)
        assert (record.acknowledge_by, record.respond_by) == (due.acknowledge_by, due.respond_by)
        clock.advance(days=1)
        await cases.acknowledge(done.complaint_id, staff_id=None)
        clock.advance(days=3)
        await panel_signs_off(storage, done.complaint_id, cases)
        await cases.reply(done.complaint_id, f"Answer at stage {stage.number}.", staff_id=None)
        messages += 2
        sent = await outbox(storage, done.complaint_id)
        assert len(sent) == messages
        assert all(row.language == "en" for row in sent)
        assert "We have started looking at your complaint" in sent[-2].body
        assert f"Answer at stage {stage.number}." in sent[-1].body
        record = (await stage_rows(storage, done.complaint_id))[-1]
        expected = stage_deadlines(
            procedure, stage.number, record.received_on, cases.calendar, responded=cases.today()
        ).escalate_by
        assert record.escalate_by == expected
        if stage.number < procedure.last_stage and not stage.final:
            assert procedure.stage(stage.number + 1).name in sent[-1].body
            clock.advance(days=2)
            assert await cases.escalate(done.complaint_id, reasons="Not resolved.") is False
            messages += 1
        else:
            break
    if procedure.external_body is not None:
        assert (
            procedure.say(procedure.external_body.name, "en", in_sentence=True)
            in (await outbox(storage, done.complaint_id))[-1].body
        )
        await cases.refer_external(done.complaint_id, staff_id=None)
        view = await cases.get(done.complaint_id)
        assert view.status == "referred"
        assert (
            procedure.say(procedure.external_body.name, "en", in_sentence=True)
            in (await outbox(storage, done.complaint_id))[-1].body
        )
    with pytest.raises(IllegalTransition):
        await cases.escalate(done.complaint_id)


async def test_illegal_transitions_raise_clear_errors(storage: Storage) -> None:
    cases = storage.cases
    done = await cases.submit(COMPLAINT)
    await cases.acknowledge(done.complaint_id, staff_id=None)
    with pytest.raises(IllegalTransition, match="already acknowledged"):
        await cases.acknowledge(done.complaint_id, staff_id=None)
    await cases.reply(done.complaint_id, "Answer.", staff_id=None)
    await cases.escalate(done.complaint_id, reasons="No.")
    await cases.reply(done.complaint_id, "Final answer.", staff_id=None)
    with pytest.raises(IllegalTransition, match="final stage"):
        await cases.escalate(done.complaint_id)
    await cases.close(done.complaint_id, staff_id=None)
    with pytest.raises(IllegalTransition, match="closed"):
        await cases.escalate(done.complaint_id)
    with pytest.raises(IllegalTransition):
        await cases.close(done.complaint_id, staff_id=None)


async def test_late_escalation_is_recorded_and_flagged_never_dropped(
    storage: Storage, clock: FakeClock
) -> None:
    cases = service_for(storage, "west-wilts-ccc", clock)
    done = await cases.submit(COMPLAINT)
    await cases.reply(done.complaint_id, "Answer.", staff_id=None)
    clock.advance(days=30)  # the window is 14 days
    assert await cases.escalate(done.complaint_id, reasons="Sorry, I was in hospital.") is True
    stage2 = (await stage_rows(storage, done.complaint_id))[1]
    assert stage2.late_request is True
    assert stage2.request_text == "Sorry, I was in hospital."
    assert "after the time limit" in (await outbox(storage, done.complaint_id))[-1].body


async def test_extension_replaces_date_keeps_history_and_tells_complainant(
    storage: Storage, clock: FakeClock
) -> None:
    cases = storage.cases
    done = await cases.submit(COMPLAINT)
    await cases.acknowledge(done.complaint_id, staff_id=None)
    with pytest.raises(InvalidInput, match="reason"):
        await cases.extend(
            done.complaint_id,
            which="respond",
            new_date=date(2026, 12, 1),
            reason=" ",
            staff_id=None,
        )
    await cases.extend(
        done.complaint_id,
        which="respond",
        new_date=date(2026, 12, 1),
        reason="We are waiting for a witness statement.",
        staff_id=None,
    )
    [record] = await stage_rows(storage, done.complaint_id)
    assert record.respond_by == date(2026, 12, 1)
    async with storage.sessions() as session:
        [extension] = await session.scalars(select(Extension))
    assert extension.previous_date == done.respond_by
    letter = (await outbox(storage, done.complaint_id))[-1].body
    assert "We are waiting for a witness statement." in letter
    assert "Tuesday 1 December 2026" in letter


async def test_compliment_is_recorded_and_thanked_without_deadlines(storage: Storage) -> None:
    done = await storage.cases.submit(
        replace(COMPLAINT, kind=Kind.COMPLIMENT, description="Sam was wonderful.")
    )
    assert (done.acknowledge_by, done.respond_by) == (None, None)
    assert await stage_rows(storage, done.complaint_id) == []
    assert "Thank you for your kind words." in (await outbox(storage, done.complaint_id))[0].body
    with pytest.raises(IllegalTransition):
        await storage.cases.acknowledge(done.complaint_id, staff_id=None)


async def test_informal_concern_then_formal(storage: Storage, clock: FakeClock) -> None:
    cases = service_for(storage, "west-wilts-ccc", clock)
    done = await cases.submit(replace(COMPLAINT, formal=False))
    [record] = await stage_rows(storage, done.complaint_id)
    assert (record.number, record.respond_by) == (0, None)
    await cases.reply(done.complaint_id, "We talked it through.", staff_id=None)
    await cases.escalate(done.complaint_id, reasons="I want a formal complaint.")
    view = await cases.get(done.complaint_id)
    assert (view.current_stage, view.formal, view.status) == (1, True, "open")
    assert view.stage is not None and view.stage.respond_by is not None


async def test_messages_go_to_the_chosen_channel_in_the_person_language(
    storage: Storage,
) -> None:
    by_email = replace(
        COMPLAINT, contact_method=ContactMethod.EMAIL, email="p@example.org", language="pl"
    )
    done = await storage.cases.submit(by_email, channel="telegram", external_id="42")
    [row] = await outbox(storage, done.complaint_id)
    assert (row.channel, row.address, row.language) == ("email", "p@example.org", "pl")
    by_phone = replace(COMPLAINT, contact_method=ContactMethod.PHONE, phone="07700900123")
    done = await storage.cases.submit(by_phone)
    [row] = await outbox(storage, done.complaint_id)
    assert (row.channel, row.state) == ("phone", "manual")  # a task for staff, not a send


async def test_stale_version_gets_changed_meanwhile(storage: Storage) -> None:
    cases = storage.cases
    done = await cases.submit(COMPLAINT)
    version = (await cases.get(done.complaint_id)).version
    await cases.acknowledge(done.complaint_id, staff_id=None, expected_version=version)
    with pytest.raises(ChangedMeanwhile):
        await cases.reply(done.complaint_id, "Late.", staff_id=None, expected_version=version)
    assert (await cases.get(done.complaint_id)).version == version + 1


async def test_two_staff_acting_at_once_one_wins(storage: Storage) -> None:
    cases = storage.cases
    done = await cases.submit(COMPLAINT)
    version = (await cases.get(done.complaint_id)).version
    results = await asyncio.gather(
        cases.reply(done.complaint_id, "First.", staff_id=None, expected_version=version),
        cases.reply(done.complaint_id, "Second.", staff_id=None, expected_version=version),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["ChangedMeanwhile", "NoneType"]
    replies = [m for m in await outbox(storage, done.complaint_id) if "Our answer" in m.body]
    assert len(replies) == 1


async def test_concurrent_submissions_get_unique_references(storage: Storage) -> None:
    done = await asyncio.gather(*(storage.cases.submit(COMPLAINT) for _ in range(20)))
    references = sorted(d.reference for d in done)
    assert references == [f"C-2026-{n:04d}" for n in range(1, 21)]


async def test_every_action_is_audited_without_content(storage: Storage) -> None:
    cases = storage.cases
    done = await cases.submit(COMPLAINT)
    await cases.add_note(done.complaint_id, "Secret internal thought.", staff_id=None)
    await cases.acknowledge(done.complaint_id, staff_id=None)
    async with storage.sessions() as session:
        events = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        notes = await session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "note")
        )
        status = await session.scalar(select(Complaint.status))
    assert [e.action for e in events] == ["submit", "note", "acknowledge"]
    assert all("Secret" not in e.detail for e in events)
    assert notes == 1
    assert status == "acknowledged"
    # An internal note is never sent to the complainant.
    assert all("Secret" not in m.body for m in await outbox(storage, done.complaint_id))
