"""Whole conversations through start()/step(), ending with the NewComplaint and the receipt."""

from __future__ import annotations

from datetime import date

from dialogue_helpers import CREATIVE_ALLIANCE_WINDOW, TODAY, Chat, file_ref, make_procedure

from conversations.context import Context
from conversations.followup import receipt, with_reference
from conversations.intake import start, step, to_new_complaint
from conversations.model import Answer, Draft, Effect, Expect
from procedures.case import ContactMethod, Kind, Received
from procedures.model import Category


def begin(chat: Chat) -> None:
    chat.open("en")
    chat.tap("en")
    chat.tap("yes")


def test_complaint_start_to_receipt(chat: Chat) -> None:
    reply = chat.open("pl-PL")
    assert reply.step == "language"
    assert reply.choices[0].id == "language:pl"  # the channel's hint comes first
    chat.tap("en")
    assert chat.reply.step == "privacy"
    assert "Test Centre" in chat.reply.text
    chat.tap("yes")
    assert chat.reply.step == "kind"
    assert "Question" not in chat.reply.text  # the total is known once they say what it is
    chat.tap("complaint")
    chat.tap("self")
    chat.tap("no")  # not about staff
    assert chat.reply.step == "description"
    assert chat.reply.expect is Expect.FILE_OR_TEXT
    chat.send("The room was locked when we arrived.")
    chat.send("Nobody answered the phone.", files=(file_ref(1), file_ref(2, "voice")))
    assert "2 files" in chat.reply.text
    chat.tap("done")
    assert chat.reply.step == "when"
    chat.send("last Tuesday")
    assert chat.reply.step == "outcome"
    chat.send("An apology and a new date.")
    chat.tap("large_print")
    chat.tap("done")
    chat.tap("chat")
    assert chat.reply.step == "name"
    chat.send("Sam Jones")
    assert chat.reply.step == "summary"
    summary = chat.reply.text
    for shown in ("The room was locked", "last Tuesday", "An apology", "Large print", "Sam Jones"):
        assert shown in summary
    chat.tap("send")
    assert chat.reply.effect is Effect.SUBMIT
    assert chat.draft.step == "menu"

    complaint = to_new_complaint(chat.draft, Received.WEBCHAT)
    assert complaint.kind is Kind.COMPLAINT
    assert complaint.description == (
        "The room was locked when we arrived.\n\nNobody answered the phone."
    )
    assert complaint.incident_date == date(2026, 11, 17)  # TODAY is a Wednesday
    assert complaint.incident_text == "last Tuesday"
    assert complaint.desired_outcome == "An apology and a new date."
    assert complaint.adjustments == ("large_print",)
    assert complaint.contact_method is ContactMethod.CHAT
    assert complaint.complainant_name == "Sam Jones"
    assert complaint.attachments == ("sha256-1", "sha256-2")
    assert complaint.representative is None
    assert complaint.received_via is Received.WEBCHAT
    assert complaint.formal and not complaint.late

    chat.draft = with_reference(chat.draft, "TC-0001")
    reply = receipt(chat.draft, chat.ctx, "TC-0001", "the Coordinator", date(2026, 11, 25), None)
    assert "TC-0001" in reply.text and "the Coordinator" in reply.text
    assert "Wednesday 25 November 2026" in reply.text
    assert reply.step == "menu"
    assert {c.id for c in reply.choices} >= {"menu:status", "menu:add", "menu:escalate"}


def test_compliment_has_no_deadlines(chat: Chat) -> None:
    begin(chat)
    chat.tap("compliment")
    chat.tap("yes")  # about a member of staff
    chat.send("Priya")
    chat.send("Priya was so kind to my son.")
    chat.tap("done")
    assert chat.reply.step == "adjustments"  # no date or outcome for a compliment
    chat.tap("none")
    chat.tap("chat")
    chat.tap("skip")
    assert chat.reply.step == "summary"  # no "share my name" for a compliment
    chat.tap("send")
    complaint = to_new_complaint(chat.draft)
    assert complaint.kind is Kind.COMPLIMENT
    assert complaint.about_staff == "Priya"
    assert complaint.incident_date is None and complaint.desired_outcome == ""
    reply = receipt(chat.draft, chat.ctx, "TC-0002", "the Coordinator", None, None)
    assert "Thank you for your kind words" in reply.text
    assert "reply by" not in reply.text


def test_on_behalf_of_someone_without_consent_goes_on() -> None:
    chat = Chat(Context(make_procedure(categories=(Category("care", "Care"),)), TODAY))
    begin(chat)
    chat.tap("complaint")
    chat.tap("other")
    chat.send("Maria Nowak")
    chat.send("daughter")
    assert "Maria Nowak" in chat.reply.text
    chat.tap("no")
    assert "agreement" in chat.reply.text  # explained kindly ...
    assert chat.reply.step == "category"  # ... and the conversation goes on
    chat.tap("care")
    chat.tap("no")
    chat.send("Mum's care plan was not followed.")
    chat.tap("done")
    chat.tap("unknown")
    chat.tap("skip")
    chat.tap("done")
    chat.tap("phone")
    assert chat.reply.expect is Expect.PHONE
    chat.send("07700 900123")
    chat.send("Ola")
    chat.tap("send")
    complaint = to_new_complaint(chat.draft)
    assert complaint.representative is not None
    assert complaint.representative.name == "Maria Nowak"
    assert complaint.representative.relationship == "daughter"
    assert complaint.representative.consent is False
    assert complaint.category == "care"
    assert complaint.phone == "+447700900123"
    assert complaint.incident_date is None
    reply = receipt(chat.draft, chat.ctx, "TC-3", "the Coordinator", None, None)
    assert "agreement" in reply.text


def test_late_complaint_is_warned_but_goes_on() -> None:
    chat = Chat(Context(make_procedure(window=CREATIVE_ALLIANCE_WINDOW, informal=True), TODAY))
    begin(chat)
    chat.tap("complaint")
    assert chat.reply.step == "route"
    chat.tap("informal")
    chat.tap("self")
    chat.tap("no")
    chat.send("A tutor shouted at me.")
    chat.tap("done")
    chat.send("12/09/2026")  # more than a month, less than four
    assert "1 month" in chat.reply.text and "still go on" in chat.reply.text
    assert chat.reply.step == "late_reason"  # asked here, not at a step already passed
    chat.tap("cmd:back")
    chat.send("June")  # more than four months
    assert "4 months" in chat.reply.text
    chat.send("I was in hospital.")
    assert chat.reply.step == "outcome"
    chat.send("An apology")
    chat.tap("none")
    chat.tap("chat")
    chat.tap("skip")
    chat.tap("send")
    complaint = to_new_complaint(chat.draft)
    assert complaint.late is True
    assert complaint.formal is False
    assert complaint.incident_text == "June"
    assert complaint.description.endswith("Why not sooner: I was in hospital.")
    assert complaint.incident_date == date(2026, 6, 30)
    reply = receipt(chat.draft, chat.ctx, "CA-1", "Manager", date(2026, 12, 2), date(2026, 12, 16))
    assert "time limit" in reply.text and "informally" in reply.text


def complete_to_summary(chat: Chat) -> None:
    begin(chat)
    chat.tap("complaint")
    chat.tap("self")
    chat.tap("no")
    chat.send("Something happened.")
    chat.tap("done")
    chat.tap("today")
    chat.tap("skip")
    chat.tap("done")
    chat.tap("chat")
    chat.tap("skip")
    assert chat.reply.step == "summary"


def test_edit_from_summary_returns_to_summary(chat: Chat) -> None:
    complete_to_summary(chat)
    chat.tap("change")
    assert chat.reply.step == "change"
    chat.tap("outcome")
    assert chat.reply.step == "outcome"
    assert chat.reply.choices[0].id == "outcome:keep"
    chat.send("A refund")
    assert chat.reply.step == "summary"
    assert "A refund" in chat.reply.text
    # A change that needs a new answer asks it, then returns to the summary.
    chat.tap("change")
    chat.tap("contact_method")
    chat.tap("email")
    assert chat.reply.step == "contact_detail"
    chat.send("sam@example.com")
    assert chat.reply.step == "summary"
    assert "sam@example.com" in chat.reply.text
    chat.tap("change")
    chat.tap("summary")
    assert chat.reply.step == "summary"
    chat.tap("send")
    complaint = to_new_complaint(chat.draft)
    assert complaint.desired_outcome == "A refund"
    assert complaint.email == "sam@example.com"
    assert complaint.contact_method is ContactMethod.EMAIL


def test_about_the_handler_routes_to_the_alternative() -> None:
    chat = Chat(Context(make_procedure(alternative=True), TODAY, "telegram"))
    begin(chat)
    chat.tap("complaint")
    chat.tap("self")
    assert any(c.label == "It is about Coordinator" for c in chat.reply.choices)
    chat.tap("handler")
    assert chat.reply.step == "description"  # no name needed: the role says who
    chat.send("x y z")
    chat.tap("done")
    chat.tap("unknown")
    chat.tap("skip")
    chat.tap("done")
    assert chat.reply.choices[0].label == "Here in Telegram"
    chat.tap("chat")
    chat.tap("skip")
    assert chat.reply.step == "share_name"
    chat.tap("no")
    chat.tap("send")
    complaint = to_new_complaint(chat.draft)
    assert complaint.about_role == "coordinator"
    assert complaint.about_staff == "Coordinator"
    assert complaint.share_name is False


def test_cancel_keeps_the_draft_and_resumes(chat: Chat) -> None:
    begin(chat)
    chat.tap("complaint")
    chat.tap("self")
    chat.send("cancel")
    assert chat.reply.step == "cancel"
    chat.tap("cancel:no")
    assert chat.reply.step == "about_staff"
    chat.tap("cmd:cancel")
    chat.tap("cancel:yes")
    assert chat.reply.effect is Effect.CANCELLED
    assert chat.draft.cancelled_on == TODAY.isoformat()
    saved = chat.draft.to_dict()

    # Days later, after a restart: storage hands back the saved draft.
    draft, reply = start(Draft.from_dict(saved), chat.ctx, "en")
    assert reply.step == "resume"
    draft, reply = step(draft, Answer(choice="resume:continue"), chat.ctx)
    assert reply.step == "about_staff"
    assert draft.answers["kind"] == "complaint" and draft.answers["behalf"] == "self"
    assert draft.mode == "" and draft.cancelled_on is None


def test_cancel_and_delete(chat: Chat) -> None:
    begin(chat)
    chat.tap("complaint")
    chat.tap("cmd:cancel")
    chat.tap("cancel:delete")
    assert chat.reply.effect is Effect.DELETE_DRAFT
    assert chat.draft.answers == {}


def test_back_keeps_answers_and_offers_keep(chat: Chat) -> None:
    begin(chat)
    chat.tap("complaint")
    chat.tap("self")
    assert chat.reply.step == "about_staff"
    chat.send("back")
    assert chat.reply.step == "behalf"
    assert chat.draft.answers["behalf"] == "self"
    chat.tap("keep")
    assert chat.reply.step == "about_staff"
    chat.tap("cmd:back")
    chat.tap("cmd:back")
    assert chat.reply.step == "kind"
    chat.tap("compliment")  # changing an early answer skips what no longer applies
    assert chat.reply.step == "about_staff"
    assert chat.draft.answers["behalf"] == "self"  # kept, just not used


def test_back_at_the_first_question(chat: Chat) -> None:
    chat.open()
    reply = chat.tap("cmd:back")
    assert reply.step == "language" and "first question" in reply.text


def test_help_then_the_same_question(chat: Chat) -> None:
    begin(chat)
    reply = chat.send("help")
    assert "back" in reply.text and "talk to a person" in reply.text
    assert reply.step == "kind" and reply.choices


def test_talk_to_a_person_is_recorded_and_goes_on(chat: Chat) -> None:
    begin(chat)
    chat.tap("complaint")
    reply = chat.tap("cmd:person")
    assert reply.effect is Effect.NONE and "phone number or email address" in reply.text
    reply = chat.send("07700 900123")
    assert reply.effect is Effect.CALLBACK_REQUEST
    assert reply.data["note"] == "+447700900123"
    assert reply.step == "behalf"
    assert chat.draft.callback_requested


def test_stale_button_repeats_the_current_question(chat: Chat) -> None:
    begin(chat)
    chat.tap("complaint")
    reply = chat._answer(Answer(choice="kind:compliment"))  # the old button
    assert "earlier question" in reply.text
    assert reply.step == "behalf"
    assert chat.draft.answers["kind"] == "complaint"
    reply = chat._answer(Answer(choice="nonsense"))
    assert "earlier question" in reply.text


def test_invalid_email_then_valid(chat: Chat) -> None:
    complete_to_summary(chat)
    chat.tap("change")
    chat.tap("contact_method")
    chat.tap("email")
    for bad, hint in (("sam.example.com", "@"), ("sam@example", "dot"), ("sam @x.com", "spaces")):
        reply = chat.send(bad)
        assert reply.step == "contact_detail" and hint in reply.text
    chat.send("Sam@Example.COM")
    assert chat.reply.step == "summary"
    assert chat.draft.answers["email"] == "Sam@example.com"


def test_invalid_phone_then_valid(chat: Chat) -> None:
    complete_to_summary(chat)
    chat.tap("change")
    chat.tap("contact_method")
    chat.tap("phone")
    assert "07700 900123" in chat.send("12345").text
    chat.send("+48 601 234 567")
    assert chat.draft.answers["phone"] == "+48601234567"


def test_post_needs_a_name_and_address(chat: Chat) -> None:
    complete_to_summary(chat)
    chat.tap("change")
    chat.tap("contact_method")
    chat.tap("post")
    chat.send("1 High Street\nTrowbridge\nBA14 8AA")
    assert chat.reply.step == "name"  # the skipped name will not do for a letter
    assert not [c for c in chat.reply.choices if c.id == "name:skip"]
    chat.send("Sam Jones")
    assert chat.reply.step == "summary"
    chat.tap("send")
    complaint = to_new_complaint(chat.draft)
    assert complaint.postal_address.endswith("BA14 8AA")


def test_language_change_mid_conversation(chat: Chat) -> None:
    begin(chat)
    chat.tap("complaint")
    chat.send("language")
    assert chat.reply.step == "language"
    reply = chat.tap("language:pl")
    assert reply.effect is Effect.LANGUAGE_CHANGED and reply.data == {"lang": "pl"}
    assert chat.draft.lang == "pl" and reply.step == "behalf"


def test_typed_answer_matches_a_button(chat: Chat) -> None:
    begin(chat)
    chat.send("make a complaint")
    assert chat.draft.answers["kind"] == "complaint"
    chat.send("2")  # the second button: for someone else
    assert chat.draft.answers["behalf"] == "other"


def test_staff_assisted_intake() -> None:
    ctx = Context(make_procedure(), TODAY, "staff")
    chat = Chat(ctx)
    chat.open("en")
    chat.tap("cy")
    assert chat.reply.step == "received"  # no self-service privacy question
    chat.tap("letter")
    chat.tap("complaint")
    chat.tap("self")
    chat.tap("no")
    chat.send("Typed in from a letter.")
    chat.tap("done")
    chat.tap("unknown")
    chat.tap("skip")
    chat.tap("done")
    assert "contact_method:chat" not in {c.id for c in chat.reply.choices}
    chat.tap("post")
    chat.send("2 Low Road, Bath BA1 1AA")
    chat.send("Gwen Price")
    chat.tap("send")
    complaint = to_new_complaint(chat.draft, Received.WEBCHAT)
    assert complaint.received_via is Received.LETTER
    assert complaint.language == "cy"


def test_followup_menu(chat: Chat) -> None:
    complete_to_summary(chat)
    chat.tap("send")
    chat.draft = with_reference(chat.draft, "TC-9")
    assert chat.tap("status").effect is Effect.STATUS
    assert chat.tap("data").effect is Effect.MY_DATA
    chat.tap("add")
    assert chat.reply.step == "add_info" and "TC-9" in chat.reply.text
    reply = chat.send("One more thing.", files=(file_ref(7),))
    assert reply.effect is Effect.ADD_INFO
    assert reply.data["reference"] == "TC-9" and reply.data["text"] == "One more thing."
    assert reply.data["files"][0]["ref"] == "sha256-7"
    chat.tap("done")
    assert chat.reply.step == "menu"


def test_escalate_asks_the_points_one_at_a_time() -> None:
    ctx = Context(make_procedure(points=("Why you are dissatisfied", "What you want")), TODAY)
    chat = Chat(ctx)
    complete_to_summary(chat)
    chat.tap("send")
    chat.draft = with_reference(chat.draft, "TC-1")
    chat.draft = with_reference(chat.draft, "TC-2")
    chat.tap("escalate")
    chat.tap("TC-1")
    assert chat.reply.step == "escalate_point"
    assert "Point 1 of 2: Why you are dissatisfied" in chat.reply.text
    assert "14 days" in chat.reply.text
    chat.send("The reply ignored my main point.")
    assert "Point 2 of 2: What you want" in chat.reply.text
    chat.tap("skip")
    assert chat.reply.step == "escalate"
    assert "anything else" in chat.reply.text
    reply = chat.tap("send")
    assert reply.effect is Effect.ESCALATE
    assert reply.data == {
        "reference": "TC-1",
        "stage": 2,
        "text": "",
        "files": [],
        "points": [
            ["Why you are dissatisfied", "The reply ignored my main point."],
            ["What you want", ""],
        ],
        "about_handler": False,
    }
    assert chat.reply.step == "menu"


def test_escalate_with_every_point_skipped_needs_some_words() -> None:
    ctx = Context(make_procedure(points=("Why you are dissatisfied",)), TODAY)
    chat = Chat(ctx)
    complete_to_summary(chat)
    chat.tap("send")
    chat.draft = with_reference(chat.draft, "TC-1")
    chat.tap("escalate")
    chat.tap("skip")
    reply = chat.tap("send")
    assert reply.effect is Effect.NONE and reply.step == "escalate"
    chat.send("It was not put right.")
    assert chat.tap("send").effect is Effect.ESCALATE


def test_escalate_at_the_last_stage_points_to_the_external_body() -> None:
    ctx = Context(make_procedure(), TODAY, "webchat", case_stage=2)
    chat = Chat(ctx)
    complete_to_summary(chat)
    chat.tap("send")
    reply = chat.tap("escalate")
    assert "contact the Ombudsman" in reply.text and reply.step == "menu"


def test_another_complaint_after_sending(chat: Chat) -> None:
    complete_to_summary(chat)
    chat.tap("send")
    reply = chat.tap("new")
    assert reply.step == "kind"
    assert "description" not in chat.draft.answers
    assert chat.draft.answers["privacy"] is True
