"""With no mail server (no COMPLAINTS_SMTP_HOST), the chat does not offer replies by email:
nothing here would send them (issue 14, point 4). Start-up says so in one line
(tests/test_start_errors_and_files.py) and email rows already queued are staff tasks
(tests/webchat/test_promises_kept.py)."""

from __future__ import annotations

from tests.scripted import COMPLAINT_PLAN
from tests.webchat.test_webchat import Open, open_chat  # noqa: F401 (fixture)


async def test_email_replies_are_not_offered_without_a_mail_server(open_chat: Open) -> None:  # noqa: F811
    visitor = await open_chat()
    page = await visitor.follow(COMPLAINT_PLAN, until="contact_method")
    offered = [value for value, _ in page.buttons]
    assert "contact_method:email" not in offered, offered
    assert {"contact_method:post", "contact_method:phone", "contact_method:chat"} <= set(offered)
    page = await visitor.post({"choice": "contact_method:email"})  # a button from an old page
    assert page.step == "contact_method"
