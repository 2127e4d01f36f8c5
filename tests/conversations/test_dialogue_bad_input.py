"""Bad input: each gets a short kind answer, the conversation goes on, nothing is lost."""

from __future__ import annotations

from dialogue_helpers import Chat, file_ref

from conversations.cleaning import clean, has_words
from conversations.intake import to_new_complaint
from conversations.model import Answer


def at_description(chat: Chat) -> None:
    chat.open()
    chat.tap("en")
    chat.tap("yes")
    chat.tap("complaint")
    chat.tap("self")
    chat.tap("no")
    assert chat.reply.step == "description"


def test_empty_message(chat: Chat) -> None:
    at_description(chat)
    for empty in ("", "   ", "\x00\x07", "\u202e"):
        reply = chat.send(empty)
        assert "Please type your answer" in reply.text and reply.step == "description"


def test_ten_thousand_characters_are_kept_whole(chat: Chat) -> None:
    at_description(chat)
    long = ("It started in the morning. " * 400)[:10_000]
    chat.send(long)
    chat.tap("done")
    assert chat.reply.step == "when"
    # Too long for a date: kept as a note, and the date asked for again.
    chat.send(long)
    assert chat.reply.step == "when"
    chat.tap("today")
    chat.send("x" * 6000)  # too long for "what would put it right"
    assert chat.reply.step == "outcome"
    chat.send("An apology")
    chat.tap("none")
    chat.tap("chat")
    chat.tap("skip")
    summary = chat.reply.text
    assert len(summary) < 4000  # fits one Telegram message
    chat.tap("send")
    complaint = to_new_complaint(chat.draft)
    assert complaint.description.startswith(long.strip())
    assert complaint.description.count(long.strip()) == 2  # the story and the kept note
    assert "x" * 6000 in complaint.description


def test_only_emoji(chat: Chat) -> None:
    at_description(chat)
    reply = chat.send("😡😡😡")
    assert "emoji" in reply.text and reply.step == "description"
    assert "description" not in chat.draft.answers
    chat.send("😡 they were rude")
    assert chat.draft.answers["description"] == ["😡 they were rude"]


def test_right_to_left_text_is_kept(chat: Chat) -> None:
    at_description(chat)
    arabic = "لقد انتظرت ساعتين ولم يساعدني أحد"
    chat.send(arabic)
    assert chat.draft.answers["description"] == [arabic]
    urdu = "میں نے\u200cشکایت کی"  # the zero-width non-joiner matters in Urdu
    chat.send(urdu)
    assert chat.draft.answers["description"][-1] == urdu


def test_control_characters_are_stripped() -> None:
    assert clean("a\x00b\x1bc\r\nd\te\u202eevil\ufeff") == "abc\nd\teevil"
    assert clean("\ud800x") == "x"  # a lone surrogate cannot be stored as UTF-8
    assert clean("👩\u200d👧") == "👩\u200d👧"  # emoji joiners stay
    assert not has_words("😀 !!! 🎉")
    assert has_words("ਸ਼ਿਕਾਇਤ")


def test_file_where_text_is_expected_is_kept(chat: Chat) -> None:
    at_description(chat)
    chat.send("Words")
    chat.tap("done")
    reply = chat.send(files=(file_ref(3),))
    assert reply.step == "when"
    assert "kept the file" in reply.text
    assert chat.draft.answers["files"][0]["ref"] == "sha256-3"
    # A file with a typed answer: both are used.
    chat.send("yesterday", files=(file_ref(4),))
    assert chat.reply.step == "outcome"
    assert [f["ref"] for f in chat.draft.answers["files"]] == ["sha256-3", "sha256-4"]


def test_files_only_description(chat: Chat) -> None:
    at_description(chat)
    reply = chat.tap("done")
    assert reply.step == "description"  # nothing yet
    chat.send(files=(file_ref(1, "voice"),))
    chat.tap("done")
    assert chat.reply.step == "when"


def test_typed_text_at_a_button_question_is_kept(chat: Chat) -> None:
    chat.open()
    chat.tap("en")
    chat.tap("yes")
    story = "They refused to let me in and I waited outside in the rain for an hour."
    reply = chat.send(story)
    assert reply.step == "kind" and "tap one of the options" in reply.text
    assert chat.draft.answers["notes"] == [story]


def test_unknown_choice_types_and_odd_answers(chat: Chat) -> None:
    chat.open()
    for answer in (
        Answer(choice=""),
        Answer(choice="language:xx"),
        Answer(choice="cmd:unknown"),
        Answer(text="Klingon"),
    ):
        reply = chat._answer(answer)
        assert reply.step == "language"


def test_unreadable_date_can_be_kept_as_written(chat: Chat) -> None:
    at_description(chat)
    chat.send("words")
    chat.tap("done")
    reply = chat.send("the week of the big storm")
    assert reply.step == "when" and "Keep what I wrote" in reply.text
    chat.tap("asis")
    assert chat.draft.answers["when"]["text"] == "the week of the big storm"
    assert chat.reply.step == "outcome"


def test_future_date_is_kindly_refused(chat: Chat) -> None:
    at_description(chat)
    chat.send("words")
    chat.tap("done")
    reply = chat.send("12/12/2027")
    assert "future" in reply.text and reply.step == "when"


def test_a_story_typed_before_choosing_a_language_is_kept(chat: Chat) -> None:
    chat.open("ar")
    story = "ابني تعرض للأذى في المركز يوم أمس ولم يخبرني أحد بذلك"
    reply = chat.send(story)
    assert reply.step == "language"
    assert chat.draft.answers["notes"] == [story]
    chat.tap("ar")
    assert chat.draft.lang == "ar" and chat.reply.step == "privacy"
