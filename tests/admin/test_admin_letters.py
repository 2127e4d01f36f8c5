"""Letters for post in the staff view, through the real app on both databases: every message
to someone who asked for post is listed on the dashboard and the case page, downloads as a
PDF (large print here, in Welsh) and as Braille, and is marked posted by staff (audited), after
which it counts as sent. Hidden cases hide their letters; without liblouis staff are told why."""

from __future__ import annotations

import os
import re
from datetime import date
from io import BytesIO

import pytest
from aiohttp.test_utils import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from printing import braille
from procedures.case import ContactMethod
from storage.models import AuditEvent, Outbox
from storage.runtime import Storage
from tests.admin.helpers import add_staff, login, panel_signs_off, submit, token

ADDRESS = "1 High Street\nTrowbridge\nBA14 8AA"
LINK = re.compile(r'href="/staff/letters/(\d+)\.pdf"')


def by_post(**changes: object) -> dict[str, object]:
    return {
        "contact_method": ContactMethod.POST,
        "postal_address": ADDRESS,
        "language": "cy",
        "adjustments": ("large_print", "braille"),
        **changes,
    }


def _loose(text: str) -> str:
    """Braille read back loses what Braille does not mark: the case of a letter after an
    all-capitals word ("NACCC's" reads back "NACCC'S"), and straight against curly quotes."""
    return text.replace("\u2019", "'").casefold()


def section(html: str, anchor: str) -> str:
    return html.split(f'id="{anchor}"')[1].split("</section>")[0]


async def page(client: TestClient, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200, (path, response.status)
    return await response.text()


async def audit(storage: Storage, action: str) -> list[AuditEvent]:
    async with storage.sessions() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


async def posted(client: TestClient, letter_id: int, back: str = "case") -> int:
    csrf = await token(client)
    response = await client.post(
        f"/staff/letters/{letter_id}/posted",
        data={"csrf": csrf, "back": back},
        allow_redirects=False,
    )
    return response.status


async def test_letters_are_listed_downloaded_and_marked_posted(
    storage: Storage, client: TestClient
) -> None:
    coordinator = await add_staff(storage, "co@example.org", ["coordinator"])
    done = await submit(storage, **by_post())
    await storage.cases.acknowledge(done.complaint_id, staff_id=coordinator.id)
    chatting = await submit(storage, "visitor-2", complainant_name="Chat Only")
    assert await login(client, "co@example.org") == 303

    dashboard = await page(client, "/staff/")
    letters = section(dashboard, "letters")
    assert letters.count(f"I have posted the letter about {done.reference}") == 2
    assert "large print" in letters and "Braille" in letters and "Cymraeg" in letters
    assert "Trowbridge" in letters  # the address to put on the envelope
    assert chatting.reference not in letters
    assert done.reference not in section(dashboard, "tasks")  # not twice

    case_page = await page(client, f"/staff/cases/{done.complaint_id}")
    ids = [int(i) for i in LINK.findall(section(case_page, "letters"))]
    assert len(ids) == 2
    receipt_id = min(ids)
    assert "No letters" not in case_page
    assert 'id="letters"' not in await page(client, f"/staff/cases/{chatting.complaint_id}")

    pdf = await client.get(f"/staff/letters/{receipt_id}.pdf")
    assert pdf.status == 200 and pdf.content_type == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    reader = PdfReader(BytesIO(await pdf.read()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"Ein cyfeirnod: {done.reference}" in text
    assert "Rydyn ni wedi cael eich cwyn." in text  # the receipt, in Welsh
    assert "1 High Street" in text and storage.procedure.organisation in text
    stream = reader.pages[0].get_contents().get_data().decode("latin-1")
    assert min(float(s) for s in re.findall(r"/F\d+ ([\d.]+) Tf", stream)) >= 16

    if not braille.unavailable() or os.environ.get("CI"):
        brf = await client.get(f"/staff/letters/{receipt_id}.brf")
        assert brf.status == 200
        assert "Rydyn ni wedi cael eich cwyn" in braille.back_translate(await brf.read(), "cy")

    assert await posted(client, receipt_id) == 303
    async with storage.sessions() as session:
        row = await session.get(Outbox, receipt_id)
        assert row is not None
        assert row.state == "sent" and row.sent_at is not None
        assert row.external_id == f"staff:{coordinator.id}"
    [event] = await audit(storage, "letter_posted")
    assert event.staff_id == coordinator.id and event.complaint_id == done.complaint_id
    assert "braille" in event.detail and "large_print" in event.detail
    assert len(await audit(storage, "letter_downloaded")) >= 1

    letters = section(await page(client, "/staff/"), "letters")
    assert letters.count(f"I have posted the letter about {done.reference}") == 1
    assert "Posted" in section(await page(client, f"/staff/cases/{done.complaint_id}"), "letters")
    assert await posted(client, receipt_id) == 404  # once only
    assert len(await audit(storage, "letter_posted")) == 1


async def test_letters_of_a_hidden_case_cannot_be_seen_or_posted(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "co@example.org", ["coordinator"])
    about_them = await submit(storage, **by_post(about_role="coordinator"))
    async with storage.sessions() as session:
        letter_id = await session.scalar(
            select(Outbox.id).where(Outbox.complaint_id == about_them.complaint_id)
        )
    assert letter_id is not None
    assert await login(client, "co@example.org") == 303
    assert about_them.reference not in section(await page(client, "/staff/"), "letters")
    assert (await client.get(f"/staff/letters/{letter_id}.pdf")).status == 404
    assert (await client.get(f"/staff/letters/{letter_id}.brf")).status in (404, 503)
    assert await posted(client, letter_id) == 404
    assert await audit(storage, "letter_downloaded") == []


async def test_without_liblouis_staff_are_told_what_to_install(
    storage: Storage, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(braille, "COMMAND", "lou_translate-not-installed")
    await add_staff(storage, "co@example.org", ["coordinator"])
    done = await submit(storage, **by_post())
    assert await login(client, "co@example.org") == 303
    letters = section(await page(client, f"/staff/cases/{done.complaint_id}"), "letters")
    assert "liblouis-bin" in letters and ".brf" not in letters
    [letter_id] = [int(i) for i in LINK.findall(letters)]
    response = await client.get(f"/staff/letters/{letter_id}.brf")
    assert response.status == 503 and "liblouis-bin" in await response.text()
    assert (await client.get(f"/staff/letters/{letter_id}.pdf")).status == 200  # print still


async def test_every_message_of_a_postal_complaint_becomes_a_letter(
    storage: Storage, client: TestClient
) -> None:
    """Receipt, acknowledgement, extension, answer, escalation, final answer: each message
    of a whole walk through West Wilts' three stages is on the case page as a letter, and its
    PDF (and Braille, read back) holds every line of what was written to the person."""
    await add_staff(storage, "chair@example.org", ["chair", "coordinator", "panel"])
    done = await submit(storage, **by_post(language="en", adjustments=("braille",)))
    cases, case_id = storage.cases, done.complaint_id
    await cases.acknowledge(case_id, staff_id=None)
    await cases.extend(
        case_id,
        which="respond",
        new_date=date(2027, 1, 8),
        reason="Two staff are ill.",
        staff_id=None,
    )
    await cases.reply(case_id, "Our stage 1 answer.", staff_id=None)
    for stage_answer in ("Our stage 2 answer.", "Our final answer."):
        await cases.escalate(case_id, reasons="I am not satisfied.")
        await cases.acknowledge(case_id, staff_id=None)
        await panel_signs_off(storage, case_id)
        await cases.reply(case_id, stage_answer, staff_id=None)
    async with storage.sessions() as session:
        rows = list(
            await session.scalars(
                select(Outbox).where(Outbox.complaint_id == case_id).order_by(Outbox.id)
            )
        )
    assert len(rows) >= 9 and {row.channel for row in rows} == {"post"}
    assert "NACCC" in rows[-1].body  # the final answer names the external body

    assert await login(client, "chair@example.org") == 303
    listed = [
        int(i)
        for i in LINK.findall(section(await page(client, f"/staff/cases/{case_id}"), "letters"))
    ]
    assert listed == [row.id for row in rows]
    check_braille = not braille.unavailable() or os.environ.get("CI")
    for row in rows:
        pdf = await client.get(f"/staff/letters/{row.id}.pdf")
        assert pdf.status == 200
        reader = PdfReader(BytesIO(await pdf.read()))
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        lines = [" ".join(line.split()) for line in row.body.splitlines() if line.strip()]
        assert all(line in text for line in lines), row.body
        if check_braille:
            brf = await client.get(f"/staff/letters/{row.id}.brf")
            read = _loose(" ".join(braille.back_translate(await brf.read(), "en").split()))
            assert all(_loose(line) in read for line in lines), row.body
