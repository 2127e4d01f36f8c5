"""The person complained about never sees it, from the first second (issue 15, points 1-4).

A complaint names "Mary Manager" in its "which member of staff" answer; nobody has marked a
subject. Mary must not see, open, search or be alerted about it; a lead who is not named
settles who it is about in the triage queue; changing the subject is acting, needs a reason
and tells the leads; the people search answers the same for hidden and absent.
"""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.scheduler import Scheduler
from storage.models import AuditEvent, Outbox
from storage.runtime import Storage
from storage.staff import StaffDirectory
from storage.subjects import could_mean, normalise
from tests.admin.helpers import add_staff, csrf_of, login, submit, token, version_of
from tests.conftest import FakeClock


async def emails_to(storage: Storage, staff_id: int) -> list[str]:
    async with storage.sessions() as session:
        rows = await session.scalars(
            select(Outbox.subject).where(Outbox.staff_id == staff_id).order_by(Outbox.id)
        )
        return list(rows)


def test_names_match_whatever_the_case_accents_and_aliases() -> None:
    labels = {"coordinator": {"coordinator", "the Coordinator"}}
    assert normalise("  Zoë  O'BRIEN ") == "zoe o brien"
    assert could_mean("MARY MANAGER", "Mary Mánager", (), (), labels)
    assert could_mean("mrs manager", "Mary Mánager", (), (), labels)
    assert could_mean("Zoe", "Zoë Ward", (), (), labels)
    assert could_mean("the centre boss was rude", "Pat Lee", ("the centre boss",), (), labels)
    assert could_mean("the coordinator", "Pat Lee", (), ("coordinator",), labels)
    assert not could_mean("the man at reception", "Mary Mánager", (), (), labels)
    assert not could_mean("the coordinator", "Pat Lee", (), ("chair",), labels)


async def test_named_but_unmarked_is_hidden_and_not_alerted_then_a_lead_settles_it(
    storage: Storage, client: TestClient, other_client: TestClient, clock: FakeClock
) -> None:
    mary = await add_staff(storage, "mary@example.org", ["coordinator"], "Mary Mánager")
    other_mary = await add_staff(storage, "mary.s@example.org", ["coordinator"], "Mary Smith")
    pat = await add_staff(storage, "pat@example.org", ["coordinator"], "Pat Lee")
    lead = await add_staff(storage, "lead@example.org", ["admin"], "Lee Lead")
    done = await submit(storage, about_staff="MARY manager")
    ref, path = done.reference, f"/staff/cases/{done.complaint_id}"

    # Alerts skip every account the answer could mean: the New complaint mail goes to Pat only.
    await Scheduler(storage).tick()
    assert await emails_to(storage, mary.id) == []
    assert await emails_to(storage, other_mary.id) == []
    assert f"New complaint: {ref}" in await emails_to(storage, pat.id)
    assert f"Who is it about? {ref}" in await emails_to(storage, lead.id)

    assert await login(client, "mary@example.org") == 303
    assert (await client.get(path)).status == 404
    assert f">{ref}</a>" not in await (await client.get("/staff/cases", params={"q": ref})).text()
    assert ref not in await (await client.get("/staff/triage")).text()
    # Mary cannot set the subject to someone else and act on it either.
    data = {"csrf": await token(client), "version": "1", "subject": str(pat.id), "reason": "x"}
    assert (await client.post(path + "/subject", data=data)).status == 404
    assert (await client.post(path + "/triage", data=data)).status == 404

    # The lead sees it in the triage queue and settles it: it is Mary, not Mary Smith.
    assert await login(other_client, "lead@example.org") == 303
    queue = await (await other_client.get("/staff/triage")).text()
    assert f">{ref}</a>" in queue
    page = await (await other_client.get(path)).text()
    form = {"csrf": csrf_of(page), "version": str(version_of(page)), "subject": str(mary.id)}
    refused = await other_client.post(path + "/triage", data={**form, "reason": " "})
    assert refused.status == 400
    settled = await other_client.post(
        path + "/triage", data={**form, "reason": "She ran the session."}, allow_redirects=False
    )
    assert settled.status == 303
    assert f">{ref}</a>" not in await (await other_client.get("/staff/triage")).text()
    async with storage.sessions() as session:
        event = await session.scalar(
            select(AuditEvent).where(
                AuditEvent.complaint_id == done.complaint_id, AuditEvent.action == "triage"
            )
        )
    assert event is not None and event.staff_id == lead.id
    assert f"account {mary.id}" in event.detail and "She ran the session." in event.detail

    assert (await client.get(path)).status == 404  # still hidden from Mary, now as its subject
    assert await login(client, "mary.s@example.org") == 303
    assert (await client.get(path)).status == 200  # Mary Smith sees it again


async def test_a_name_that_matches_nobody_is_held_for_the_leads(
    storage: Storage, client: TestClient, other_client: TestClient
) -> None:
    await add_staff(storage, "pat@example.org", ["coordinator"], "Pat Lee")
    await add_staff(storage, "lead@example.org", ["admin"], "Lee Lead")
    done = await submit(storage, about_staff="the new volunteer, Bob")
    path = f"/staff/cases/{done.complaint_id}"
    assert await login(client, "pat@example.org") == 303
    assert (await client.get(path)).status == 404
    assert done.reference not in await (await client.get("/staff/")).text()
    assert await login(other_client, "lead@example.org") == 303
    assert f">{done.reference}</a>" in await (await other_client.get("/staff/triage")).text()
    assert (await other_client.get(path)).status == 200


async def test_an_alias_hides_the_case_from_its_account(
    storage: Storage, client: TestClient
) -> None:
    pat = await add_staff(storage, "pat@example.org", ["coordinator"], "Pat Lee")
    directory = StaffDirectory(storage.sessions, storage.procedure)
    await directory.set_aliases(pat.id, ["the centre boss"], now=storage.clock(), by=None)
    done = await submit(storage, about_staff="The Centre Boss")
    assert await login(client, "pat@example.org") == 303
    assert (await client.get(f"/staff/cases/{done.complaint_id}")).status == 404


async def test_changing_the_subject_needs_a_reason_and_tells_the_leads(
    storage: Storage, client: TestClient, other_client: TestClient
) -> None:
    coordinator = await add_staff(storage, "pat@example.org", ["coordinator"], "Pat Lee")
    chair = await add_staff(storage, "chair@example.org", ["chair"], "Cho Chair")
    lead = await add_staff(storage, "lead@example.org", ["admin"], "Lee Lead")
    done = await submit(storage)
    path = f"/staff/cases/{done.complaint_id}"
    assert await login(other_client, "chair@example.org") == 303
    page = await (await other_client.get(path)).text()
    form = {"csrf": csrf_of(page), "version": str(version_of(page)), "subject": ""}
    # The chair can see the case but does not handle stage 1: clearing the subject is acting.
    refused = await other_client.post(path + "/subject", data={**form, "reason": "Mistake."})
    assert refused.status == 403

    assert await login(client, "pat@example.org") == 303
    page = await (await client.get(path)).text()
    form = {"csrf": csrf_of(page), "version": str(version_of(page)), "subject": str(chair.id)}
    assert (await client.post(path + "/subject", data={**form, "reason": ""})).status == 400
    named = await client.post(
        path + "/subject", data={**form, "reason": "Named on the phone."}, allow_redirects=False
    )
    assert named.status == 303
    async with storage.sessions() as session:
        event = await session.scalar(
            select(AuditEvent).where(
                AuditEvent.complaint_id == done.complaint_id, AuditEvent.action == "set_subject"
            )
        )
    assert event is not None and event.staff_id == coordinator.id
    assert "Named on the phone." in event.detail
    await Scheduler(storage).tick()
    assert f"Subject changed: {done.reference}" in await emails_to(storage, lead.id)
    assert f"Subject changed: {done.reference}" not in await emails_to(storage, chair.id)


async def test_people_search_answers_the_same_for_hidden_and_absent(
    storage: Storage, client: TestClient
) -> None:
    me = await add_staff(storage, "lead@example.org", ["admin", "coordinator"], "Lee Lead")
    await add_staff(storage, "pat@example.org", ["coordinator"], "Pat Lee")
    done = await submit(storage, about_staff="Lee Lead")
    assert me.id
    assert await login(client, "lead@example.org") == 303
    hidden = await client.get("/staff/people", params={"q": done.reference})
    absent = await client.get("/staff/people", params={"q": "C-2026-9999"})
    assert (hidden.status, await hidden.text()) == (absent.status, await absent.text())
    assert hidden.status == 404
    by_email = await client.get("/staff/people", params={"q": "nobody@example.org"})
    assert by_email.status == 404


async def test_admins_list_aliases_on_the_accounts_page(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "lead@example.org", ["admin"], "Lee Lead")
    pat = await add_staff(storage, "pat@example.org", ["coordinator"], "Pat Lee")
    assert await login(client, "lead@example.org") == 303
    form = {"csrf": await token(client, "/staff/accounts"), "aliases": "the boss, Patsy"}
    saved = await client.post(f"/staff/accounts/{pat.id}/aliases", data=form, allow_redirects=False)
    assert saved.status == 303
    directory = StaffDirectory(storage.sessions, storage.procedure)
    assert (await directory.get(pat.id)).aliases == ("the boss", "Patsy")


async def test_the_audit_log_hides_exports_of_a_person_with_a_hidden_case(
    storage: Storage, client: TestClient, other_client: TestClient
) -> None:
    await add_staff(storage, "lead@example.org", ["admin"], "Lee Lead")
    await add_staff(storage, "sam@example.org", ["admin"], "Sam Subject")
    done = await submit(storage, about_staff="Sam Subject")
    assert await login(client, "lead@example.org") == 303
    export = await client.get(f"/staff/people/{done.person_id}/export.json")
    assert export.status == 200
    mine = await (await client.get("/staff/audit")).text()
    assert f"person {done.person_id}<" in mine
    assert await login(other_client, "sam@example.org") == 303
    theirs = await (await other_client.get("/staff/audit")).text()
    assert f"person {done.person_id}<" not in theirs
    assert done.reference not in theirs
