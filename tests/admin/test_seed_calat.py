"""CALAT's seed rules in behaviour: members' and MPs' enquiries, answered within 10 working days."""

from __future__ import annotations

import json
import shlex
from datetime import date

import pytest
from aiohttp.test_utils import TestClient

from bot.cli import main
from storage.reports import build_report
from storage.runtime import Storage
from tests.admin.helpers import add_staff, login, submit, token
from tests.admin.seed_helpers import act, outbox_bodies


@pytest.fixture
def procedure() -> str:
    return "calat"


def test_calat_members_enquiries_answered_within_10_working_days(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMPLAINTS_NATION", raising=False)
    command = "procedure deadlines calat --kind enquiry --received 2026-12-21 --nation england"
    code = main(shlex.split(command + " --json"))
    # 22, 23, 24 December; 25, 28 December and 1 January are bank holidays; 29, 30, 31
    # December, 4, 5, 6, 7 January.
    assert code == 0
    assert json.loads(capsys.readouterr().out) == {"respond_by": "2027-01-07"}
    assert main(shlex.split("procedure deadlines cast --kind enquiry --received 2026-12-21")) == 2
    assert "sets no time limit for enquiries" in capsys.readouterr().err


async def test_calat_enquiry_recorded_by_staff_with_its_own_deadline_and_counted_apart(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "manager@example.org", ["manager", "admin"])
    assert await login(client, "manager@example.org") == 303
    await submit(storage)  # one ordinary complaint
    form = {
        "csrf": await token(client, "/staff/enquiries"),
        "member": "Cllr Jo Bloggs, Fairfield ward",
        "via": "email",
        "email": "cllr.bloggs@example.org",
        "text": "A resident asks why her course was cancelled.",
    }
    response = await client.post("/staff/enquiries", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    case = await storage.cases.get(case_id)
    assert case.kind == "enquiry"
    # Received Monday 2 November 2026: 10 working days later, Monday 16 November.
    assert case.stage is not None and case.stage.respond_by == date(2026, 11, 16)
    assert case.stage.acknowledge_by is None
    receipt = (await outbox_bodies(storage, case_id))[0]
    assert "We have received your enquiry." in receipt and "16 November 2026" in receipt
    page = await (await client.get(f"/staff/cases/{case_id}")).text()
    assert "Move to the next stage" not in page  # an enquiry has no stages to escalate

    await act(client, case_id, "reply", {"body": "The course moved to Thursdays."})
    answer = (await outbox_bodies(storage, case_id))[-1]
    assert answer.startswith(f"Our answer to your enquiry {case.reference}:")
    assert "not satisfied" not in answer and "Ombudsman" not in answer

    today = storage.cases.today()
    report = await build_report(
        storage.sessions,
        storage.procedure,
        storage.calendar,
        start=today,
        end=today,
        as_of=today,
        zone=storage.settings.zone,
    )
    kinds = {t.key: t.count for t in report.by_kind}
    assert kinds["complaint"] == 1 and kinds["enquiry"] == 1
    assert sum(t.count for t in report.by_category) == 1  # complaint figures leave it out
    assert all(t.measured + t.pending <= 1 for t in report.timeliness)
