"""A file over the request limit is refused kindly in the person's language, and the words
sent with it are kept (issue 14, point 8)."""

from __future__ import annotations

from storage.runtime import Storage
from tests.scripted import COMPLAINT_PLAN
from tests.webchat.test_webchat import Open, open_chat, stored  # noqa: F401 (fixture)


async def test_a_file_over_the_request_limit_keeps_the_words(open_chat: Open) -> None:  # noqa: F811
    visitor = await open_chat()
    storage: Storage = visitor.storage  # type: ignore[attr-defined]
    await visitor.follow(COMPLAINT_PLAN, until="description")
    limit = storage.attachments.max_bytes
    big = b"%PDF-1.4 " + b"x" * (limit + 2 * 1024 * 1024)  # past the upload maximum + 1 MiB
    page = await visitor.post(
        {"text": "The room was locked, see my letter."},
        files=[("letter.pdf", big, "application/pdf")],
    )
    assert "That file is too big" in " ".join(page.said)
    assert page.step == "description"
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    assert "The room was locked, see my letter." in visitor.page.last
