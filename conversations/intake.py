"""The guided intake as a state machine: a draft and an answer in, a new draft and a reply out.

`step()` handles what works at every question first (cleaning the text, keeping files, the
commands, old buttons, the cancel and language overlays) and then hands the answer to the
current step of conversations.steps (or conversations.followup after sending).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from conversations import followup
from conversations.cleaning import clean, has_words
from conversations.commands import Command, recognise
from conversations.contacts import check_email, check_phone
from conversations.context import Context
from conversations.flow import Goto, Input, Next, Question, Result, Step, match_choice
from conversations.followup import AFTER_BY_ID
from conversations.model import Answer, Choice, Draft, Effect, Expect, FileRef, Reply
from conversations.steps import (
    BY_ID,
    KEEP_TYPED_FROM,
    NO_KEEP,
    STEPS,
    email_problem,
    handle_language,
    keep_note,
    language_labels,
    missing,
)
from locales import Translator, translator
from procedures.case import (
    ContactMethod,
    Kind,
    NewComplaint,
    Received,
    Representative,
    Supporter,
)

__all__ = ["Context", "start", "step", "to_new_complaint"]

log = logging.getLogger(__name__)

HISTORY_LIMIT = 100


def start(
    draft: Draft | None, ctx: Context, lang_hint: str | None = None, *, welcome: bool = True
) -> tuple[Draft, Reply]:
    """The first message: the language question for someone new, or where they left off
    (with "Welcome back" unless `welcome` is False: the person never left)."""
    if draft is None:
        fresh = Draft.new(lang_hint)
        return fresh, _ask(fresh, ctx)
    current = _repaired(draft.copy())
    t = translator(current.lang)
    if current.mode == "cancelled":
        return current, _resume_prompt(current, t)
    current.mode = ""
    if welcome and (current.answers or current.history):
        return current, _ask(
            current, ctx, t.gettext("Welcome back. Let's carry on where you left off.")
        )
    return current, _ask(current, ctx)


def step(draft: Draft, answer: Answer, ctx: Context) -> tuple[Draft, Reply]:
    """The next draft and reply. Never raises: a bug becomes an apology, the draft untouched."""
    try:
        return _step(draft, answer, ctx)
    except Exception:  # the last guard for a person mid-complaint; logged for us to fix
        log.exception("dialogue failed at step %r", getattr(draft, "step", None))
        safe = draft.copy() if isinstance(draft, Draft) else Draft.new()
        t = translator(safe.lang)
        text = t.gettext(
            "Sorry, something went wrong on our side. Your answers are safe. Please try again, "
            "or type help."
        )
        return safe, Reply(text=text, step=safe.step, data={"internal_error": True})


# --- the dispatcher --------------------------------------------------------------------------


def _step(draft: Draft, answer: Answer, ctx: Context) -> tuple[Draft, Reply]:
    d = _repaired(draft.copy())
    t = translator(d.lang)
    text = clean(answer.text) if isinstance(answer.text, str) else ""
    choice = clean(answer.choice) if isinstance(answer.choice, str) else None
    files = tuple(f for f in answer.files if isinstance(f, FileRef)) if answer.files else ()
    inp = Input(text, choice or None, files)

    if d.mode == "cancelled":
        return _resumed(d, inp, ctx, t)
    if d.mode == "confirm_cancel":
        handled = _confirm_cancel(d, inp, ctx, t)
        if handled is not None:
            return handled
    if d.mode == "choose_language":
        handled = _choose_language(d, inp, ctx, t)
        if handled is not None:
            return handled
    if d.mode == "callback_contact":
        handled = _callback_contact(d, inp, ctx, t)
        if handled is not None:
            return handled

    command = recognise(inp.text, inp.choice, t)
    if command is not None:
        return _command(d, command, ctx, t)
    if inp.choice is not None and inp.choice.startswith("cmd:"):
        return d, _ask(d, ctx, _stale(t))
    if (
        d.submitted
        and inp.choice is None
        and d.step in AFTER_BY_ID
        and d.step != "escalate"
        and followup.asks_next_stage(inp.text, t)
    ):
        # What a letter tells people to type works wherever they are after sending.
        d.pending.pop("reference", None)
        return _apply(d, followup.ask_for_next_stage(d, ctx, t), ctx, "")

    current = _current(d)
    notes: list[str] = []
    kept = 0  # files kept here with the complaint, acknowledged once with whatever is said
    if files and not d.submitted:
        _keep_files(d, files)
        if current.id != "description":
            kept = len(files)
            if not inp.text and inp.choice is None:
                notes.append(_files_kept(t, kept))
                notes.append(t.gettext("For this question, please type an answer or tap a button."))
                return d, _ask(d, ctx, " ".join(notes))
            inp = Input(inp.text, inp.choice)
    if not inp.text and inp.choice is None and not inp.files:
        return d, _ask(d, ctx, _empty(d, ctx, t))

    question = current.ask(d, ctx, t)
    offered = _offered(d, current, question, t)
    if inp.choice is None and offered and current.id != "language":
        matched = match_choice(inp.text, offered, t)
        if matched is not None:
            inp = Input("", matched, inp.files)  # typed a button's words: as if tapped
        elif question.expect is Expect.CHOICE and not d.submitted:
            if len(inp.text) >= KEEP_TYPED_FROM and has_words(inp.text):
                keep_note(d, inp.text)
                notes.append(_typed_kept(t, kept))
            elif kept:
                notes.append(_files_kept(t, kept))
            notes.append(t.gettext("For this question, please tap one of the options."))
            return d, _ask(d, ctx, " ".join(notes))
    if inp.choice is not None:
        if inp.choice not in {c.id for c in offered}:
            return d, _ask(d, ctx, _join(_files_kept(t, kept), _stale(t)))
        value = inp.choice.split(":", 1)[1]
        if value == "keep" and current.is_answered(d):
            return _advance(d, ctx, _files_kept(t, kept))
        inp = Input("", value, inp.files)

    result = current.handle(d, inp, ctx, t)
    if kept and _says(result):
        # One acknowledgement per turn: the answer's own words come first.
        return _apply(d, result, ctx, "", _also_kept(t, kept))
    return _apply(d, result, ctx, _files_kept(t, kept))


def _files_kept(t: Translator, count: int) -> str:
    if not count:
        return ""
    return t.ngettext(
        "Thank you, I've kept the file with your complaint.",
        "Thank you, I've kept the files with your complaint.",
        count,
    )


def _also_kept(t: Translator, count: int) -> str:
    return t.ngettext(
        "I've also kept the file with your complaint.",
        "I've also kept the files with your complaint.",
        count,
    )


def _typed_kept(t: Translator, files: int) -> str:
    if not files:
        return t.gettext("Thank you, I've kept what you wrote for staff to read.")
    return t.ngettext(
        "Thank you, I've kept what you wrote and the file for staff to read.",
        "Thank you, I've kept what you wrote and the files for staff to read.",
        files,
    )


def _says(result: Result) -> bool:
    """Whether handling the answer says something of its own before the next question."""
    if isinstance(result, Next):
        return bool(result.note)
    if isinstance(result, Goto):
        return bool(result.note or result.text)
    return bool(result.text)


def _apply(
    d: Draft, result: Result, ctx: Context, note: str, after: str = ""
) -> tuple[Draft, Reply]:
    """Carry out a step's result; `note` goes before what it says, `after` right after it."""
    if isinstance(result, Next):
        return _advance(d, ctx, _join(note, result.note, after))
    if isinstance(result, Goto):
        _push(d, d.step)
        d.step = result.step
        if result.text:
            reply = _reply_with_text(d, ctx, _join(note, result.note, result.text, after))
        else:
            reply = _ask(d, ctx, _join(note, result.note, after))
        return d, _with_effect(reply, result.effect, result.data)
    # Stay: say why (or acknowledge), keeping the question's buttons.
    t = translator(d.lang)
    if result.repeat:
        reply = _ask(d, ctx, _join(note, result.text, after))
    else:
        question = _current(d).ask(d, ctx, t)
        reply = Reply(
            text=_join(note, result.text, after),
            choices=_offered(d, _current(d), question, t),
            expect=question.expect,
            step=d.step,
        )
    return d, _with_effect(reply, result.effect, result.data)


def _advance(d: Draft, ctx: Context, note: str = "") -> tuple[Draft, Reply]:
    _push(d, d.step)
    if d.step in AFTER_BY_ID:
        d.step = "menu"
        return d, _ask(d, ctx, note)
    gap = missing(d, ctx)
    if d.editing:
        # Back to the summary, unless the change needs another answer (email -> phone number).
        d.step = gap.id if gap is not None else "summary"
        d.editing = gap is not None
        return d, _ask(d, ctx, note)
    ids = [s.id for s in STEPS]
    position = ids.index(d.step) if d.step in ids else -1
    following = [s for s in STEPS[position + 1 :] if s.applies(d, ctx) or s.id == "summary"]
    target = following[0] if following else BY_ID["summary"]
    if target.id == "summary" and gap is not None:
        target = gap
    d.step = target.id
    return d, _ask(d, ctx, note)


# --- what works at every question ------------------------------------------------------------


def _command(d: Draft, command: Command, ctx: Context, t: Translator) -> tuple[Draft, Reply]:
    if command is Command.HELP:
        return d, _ask(d, ctx, _help(d, t))
    if command is Command.BACK:
        return _back(d, ctx, t)
    if command is Command.PERSON:
        reach = _reach(d)
        if reach or (d.submitted and ctx.channel != "console"):
            return _callback(d, ctx, t, reach)
        # Nobody can be asked to contact them before we know how: ask first.
        d.mode = "callback_contact"
        return d, _callback_prompt(t)
    if command is Command.CANCEL:
        if d.submitted:
            return d, _ask(d, ctx, t.gettext("Your complaint has already been sent."))
        d.mode = "confirm_cancel"
        return d, _cancel_prompt(t)
    if command is Command.LANGUAGE:
        d.mode = "choose_language"
        return d, Reply(
            text=t.gettext("Which language would you like to use?"),
            choices=tuple(
                Choice(f"language:{code}", label)
                for code, label in language_labels(d, ctx, t).items()
            ),
            expect=Expect.CHOICE,
            step="language",
        )
    if command in (Command.STATUS, Command.MY_DATA):
        # The channel shows the answer first; the current question then stays open.
        effect = Effect.STATUS if command is Command.STATUS else Effect.MY_DATA
        return d, _with_effect(_ask(d, ctx), effect, {})
    # Command.RESUME: Telegram's /start on a conversation that already exists.
    note = t.gettext("Welcome back. Let's carry on where you left off.") if d.answers else ""
    return d, _ask(d, ctx, note)


def _reach(d: Draft) -> str:
    """A phone number or email address the person already gave for themselves, if any."""
    for key in ("phone", "call_phone", "email"):
        value = d.answers.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _callback(d: Draft, ctx: Context, t: Translator, reach: str) -> tuple[Draft, Reply]:
    """Ask staff to contact them: at `reach`, or (after sending) through this chat."""
    d.callback_requested = True
    if reach:
        first = t.gettext(
            "Thank you. I've asked a member of staff to contact you at {contact}.", contact=reach
        )
    else:
        first = t.gettext(
            "Thank you. I've asked a member of staff to contact you. They will write to you "
            "here, in this chat."
        )
    text = " ".join(
        (first, t.gettext("You can carry on meanwhile: nothing you have told us is lost."))
    )
    data = {"step": d.step, "note": reach, "name": d.answers.get("name", "")}
    return d, _with_effect(_ask(d, ctx, text), Effect.CALLBACK_REQUEST, data)


def _callback_prompt(t: Translator, problem: str = "") -> Reply:
    ask = t.gettext(
        "A member of staff can phone or email you. What phone number or email address should "
        "they use?"
    )
    return Reply(
        text=_join(problem, ask),
        choices=(Choice("callback:cancel", t.gettext("Never mind, carry on")),),
        expect=Expect.TEXT,
        step="callback",
    )


def _callback_contact(
    d: Draft, inp: Input, ctx: Context, t: Translator
) -> tuple[Draft, Reply] | None:
    """The answer to "what number or address should they use?"."""
    offered = _callback_prompt(t).choices
    chosen = inp.choice or (match_choice(inp.text, offered, t) if inp.text else None)
    if chosen == "callback:cancel":
        d.mode = ""
        return d, _ask(d, ctx, t.gettext("Okay, let's carry on."))
    if inp.choice is not None or inp.files or recognise(inp.text, None, t) is not None:
        d.mode = ""  # they went on with something else: handle it as usual
        return None
    if not inp.text:
        return d, _callback_prompt(t, t.gettext("Please type your answer."))
    if "@" in inp.text:
        reach, problem = check_email(inp.text)
        if reach is None:
            return d, _callback_prompt(t, email_problem(t, problem))
    else:
        reach = check_phone(inp.text)
        if reach is None:
            problem_text = t.gettext(
                "I couldn't use that. Please type an email address, like name@example.com, "
                "or a phone number with the area code, like 07700 900123."
            )
            return d, _callback_prompt(t, problem_text)
    d.mode = ""
    return _callback(d, ctx, t, reach)


def _back(d: Draft, ctx: Context, t: Translator) -> tuple[Draft, Reply]:
    if d.submitted:
        return d, _ask(d, ctx, t.gettext("Your complaint has already been sent."))
    while d.history:
        previous = d.history.pop()
        step = BY_ID.get(previous)
        if step is not None and (step.applies(d, ctx) or previous == "change"):
            d.step = previous
            if previous in ("summary", "change"):
                d.editing = False
            return d, _ask(d, ctx)
    return d, _ask(d, ctx, t.gettext("This is the first question."))


def _cancel_prompt(t: Translator) -> Reply:
    text = "\n\n".join(
        (
            t.gettext("Do you want to stop?"),
            t.gettext(
                "If you stop, we keep your answers for 30 days so you can carry on later. You "
                "can also ask us to delete them now."
            ),
        )
    )
    choices = (
        Choice("cancel:no", t.gettext("No, carry on")),
        Choice("cancel:yes", t.gettext("Yes, stop for now")),
        Choice("cancel:delete", t.gettext("Stop and delete my answers")),
    )
    return Reply(text=text, choices=choices, expect=Expect.CHOICE, step="cancel")


def _confirm_cancel(
    d: Draft, inp: Input, ctx: Context, t: Translator
) -> tuple[Draft, Reply] | None:
    offered = _cancel_prompt(t).choices
    chosen = inp.choice or (match_choice(inp.text, offered, t) if inp.text else None)
    if chosen == "cancel:no":
        d.mode = ""
        return d, _ask(d, ctx, t.gettext("Okay, let's carry on."))
    if chosen == "cancel:yes":
        d.mode = "cancelled"
        d.cancelled_on = ctx.today.isoformat()
        text = "\n\n".join(
            (
                t.gettext("Okay, I've stopped. Nothing has been sent."),
                t.gettext(
                    "We will keep your answers for 30 days in case you want to carry on: just "
                    "send a message."
                ),
            )
        )
        return d, Reply(
            text=text,
            choices=_resume_choices(t),
            expect=Expect.CHOICE,
            effect=Effect.CANCELLED,
            step="resume",
        )
    if chosen == "cancel:delete":
        return _deleted(d, t)
    # Anything else: they changed their mind and went on; handle it as a normal answer.
    d.mode = ""
    return None


def _resume_choices(t: Translator) -> tuple[Choice, ...]:
    return (
        Choice("resume:continue", t.gettext("Carry on where I left off")),
        Choice("resume:delete", t.gettext("Delete my answers")),
    )


def _resume_prompt(d: Draft, t: Translator) -> Reply:
    return Reply(
        text=t.gettext("Welcome back. Would you like to carry on where you left off?"),
        choices=_resume_choices(t),
        expect=Expect.CHOICE,
        step="resume",
    )


def _resumed(d: Draft, inp: Input, ctx: Context, t: Translator) -> tuple[Draft, Reply]:
    chosen = inp.choice or (match_choice(inp.text, _resume_choices(t), t) if inp.text else None)
    if chosen == "resume:continue":
        d.mode = ""
        d.cancelled_on = None
        return d, _ask(d, ctx, t.gettext("Welcome back. Let's carry on where you left off."))
    if chosen == "resume:delete":
        return _deleted(d, t)
    return d, _resume_prompt(d, t)


def _deleted(d: Draft, t: Translator) -> tuple[Draft, Reply]:
    fresh = Draft.new(d.lang)
    fresh.submitted_refs = list(d.submitted_refs)
    text = t.gettext(
        "Your answers have been deleted. If you want to start again, just send a message."
    )
    return fresh, Reply(text=text, effect=Effect.DELETE_DRAFT, step=fresh.step, expect=Expect.NONE)


def _choose_language(
    d: Draft, inp: Input, ctx: Context, t: Translator
) -> tuple[Draft, Reply] | None:
    code = None
    if inp.choice and inp.choice.startswith("language:"):
        code = inp.choice.split(":", 1)[1]
    probe = d.copy()
    if handle_language(probe, Input(inp.text, code), ctx, t) == Next():
        d.lang, d.answers["language"], d.mode = probe.lang, probe.lang, ""
        reply = _ask(d, ctx)
        return d, _with_effect(reply, Effect.LANGUAGE_CHANGED, {"lang": d.lang})
    d.mode = ""
    return None


def _help(d: Draft, t: Translator) -> str:
    if d.submitted:
        return t.gettext("Tap one of the options below, or type talk to a person.")
    return "\n".join(
        (
            t.gettext("Answer the question below by typing or tapping a button."),
            t.gettext("You can also type:"),
            t.gettext("back: go to the previous question (your answers are kept)"),
            t.gettext("talk to a person: ask a member of staff to contact you"),
            t.gettext("language: choose another language"),
            t.gettext("cancel: stop for now"),
        )
    )


def _empty(d: Draft, ctx: Context, t: Translator) -> str:
    """What to say to an empty message: how this question can be answered."""
    if _current(d).ask(d, ctx, t).choices:
        return t.gettext("Please type your answer, or tap one of the options.")
    return t.gettext("Please type your answer.")


def _stale(t: Translator) -> str:
    return t.gettext("That button belongs to an earlier question. Here is where we are now:")


# --- building replies ------------------------------------------------------------------------


def _current(d: Draft) -> Step:
    return BY_ID.get(d.step) or AFTER_BY_ID.get(d.step) or BY_ID["summary"]


def _offered(d: Draft, current: Step, question: Question, t: Translator) -> tuple[Choice, ...]:
    if current.id in NO_KEEP or current.id in AFTER_BY_ID or not current.is_answered(d):
        return question.choices
    keep = Choice(f"{current.id}:keep", t.gettext("Keep my answer"))
    return (keep, *question.choices)


def _ask(d: Draft, ctx: Context, note: str = "") -> Reply:
    t = translator(d.lang)
    current = _current(d)
    question = current.ask(d, ctx, t)
    progress = _progress(d, ctx)
    line = (
        t.gettext("Question {number} of {total}", number=progress[0], total=progress[1])
        if progress
        else ""
    )
    return Reply(
        text=_join(note, line + ("\n" if line else "") + question.text),
        choices=_offered(d, current, question, t),
        expect=question.expect,
        progress=progress,
        step=d.step,
    )


def _reply_with_text(d: Draft, ctx: Context, text: str) -> Reply:
    t = translator(d.lang)
    current = _current(d)
    question = current.ask(d, ctx, t)
    return Reply(text=text, choices=question.choices, expect=question.expect, step=d.step)


def _progress(d: Draft, ctx: Context) -> tuple[int, int] | None:
    """(number, total) of the question being asked, counted over the questions every path of
    this kind asks; a follow-up keeps the number of the question before it. None until the
    person says what it is (that answer decides the route), and for steps not counted."""
    if not isinstance(d.answers.get("kind"), str):
        return None
    number = 0
    found = None
    for s in STEPS:
        if not s.counted or not s.applies(d, ctx):
            continue
        if not s.follows:
            number += 1
        if s.id == d.step:
            found = max(number, 1)
    total = sum(1 for s in STEPS if s.counted and not s.follows and s.applies(d, ctx))
    return (found, total) if found is not None else None


def _with_effect(reply: Reply, effect: Effect, data: dict[str, Any]) -> Reply:
    if effect is Effect.NONE and not data:
        return reply
    return Reply(
        text=reply.text,
        choices=reply.choices,
        expect=reply.expect,
        effect=effect,
        progress=reply.progress,
        step=reply.step,
        data=dict(data),
    )


def _join(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _push(d: Draft, step_id: str) -> None:
    if not d.history or d.history[-1] != step_id:
        d.history.append(step_id)
    del d.history[:-HISTORY_LIMIT]


def _keep_files(d: Draft, files: tuple[FileRef, ...]) -> None:
    kept = d.answers.setdefault("files", [])
    if not isinstance(kept, list):
        return
    known = {f.get("ref") for f in kept if isinstance(f, dict)}
    kept.extend(f.to_dict() for f in files if f.ref not in known)


def _repaired(d: Draft) -> Draft:
    """Make a stored draft safe to continue: an unknown step or mode (from another version)."""
    if d.step not in BY_ID and d.step not in AFTER_BY_ID:
        d.step = "summary" if d.answers else "language"
    if d.mode not in ("", "confirm_cancel", "choose_language", "cancelled", "callback_contact"):
        d.mode = ""
    if not isinstance(d.answers, dict):
        d.answers = {}
    if not isinstance(d.history, list):
        d.history = []
    if not isinstance(d.pending, dict):
        d.pending = {}
    return d


# --- the result ------------------------------------------------------------------------------


def to_new_complaint(draft: Draft, received_via: Received | None = None) -> NewComplaint:
    """The complaint as storage creates it. How it was received: the staff member's answer,
    else `received_via` (the channel), else the web chat. Raises ValueError without a kind."""
    a = draft.answers
    try:
        kind = Kind(a.get("kind"))
    except ValueError as error:
        raise ValueError("the draft has no answer to complaint, compliment or feedback") from error
    complaint = kind is Kind.COMPLAINT
    not_compliment = kind is not Kind.COMPLIMENT
    description = "\n\n".join(x for x in a.get("description", []) if isinstance(x, str))
    notes = [x for x in a.get("notes", []) if isinstance(x, str)]
    if a.get("late_reason") and isinstance(a["late_reason"], str) and complaint:
        t = translator(draft.lang)
        notes.insert(0, t.gettext("Why not sooner: {reason}", reason=a["late_reason"]))
    if notes:
        description = "\n\n".join([description, *notes]) if description else "\n\n".join(notes)

    when = a.get("when") if not_compliment and isinstance(a.get("when"), dict) else {}
    incident = None
    if when.get("date"):
        try:
            incident = date.fromisoformat(str(when["date"]))
        except ValueError:
            incident = None
    about = a.get("about_staff")
    about_staff = about_role = None
    if about == "yes":
        about_staff = str(a.get("staff_name") or "") or None
    elif about == "handler":
        about_staff = str(a.get("about_label") or "") or None
        about_role = str(a.get("about_role") or "") or None

    representative = None
    if not_compliment and a.get("behalf") == "other":
        representative = Representative(
            name=str(a.get("behalf_name", "")),
            relationship=str(a.get("behalf_relationship", "")),
            consent=a.get("behalf_consent") == "yes",
        )
    supporter = None
    if "helper" in a.get("adjustments", []) and a.get("supporter_name"):
        channel, reach = a.get("supporter_channel"), str(a.get("supporter_contact") or "")
        supporter = Supporter(
            name=str(a["supporter_name"]),
            email=reach if channel == "email" else "",
            phone=reach if channel == "phone" else "",
            consent=bool(reach) and a.get("supporter_consent") == "yes",
        )
    try:
        method = ContactMethod(a.get("contact_method"))
    except ValueError:
        method = ContactMethod.CHAT
    formal = not (complaint and a.get("route") == "informal")
    # Their own number: for replies by phone, or for the calls they asked for instead.
    phone = str(a.get("phone") or "") if method is ContactMethod.PHONE else ""
    if not phone and "phone_call" in a.get("adjustments", []):
        phone = str(a.get("call_phone") or "")
    address = str(a.get("address") or "") if method is ContactMethod.POST else ""
    if complaint and formal:
        # Given for the organisation's complaints form only: stored with the case like any
        # detail, while replies still go the way chosen (storage resolves by contact_method).
        phone = phone or str(a.get("form_phone") or "")
        address = address or str(a.get("form_address") or "")
    try:
        received = Received(a["received"]) if "received" in a else received_via
    except ValueError:
        received = received_via
    category = a.get("category") if not_compliment else None
    files = [f.get("ref") for f in a.get("files", []) if isinstance(f, dict)]
    return NewComplaint(
        kind=kind,
        description=description,
        language=draft.lang,
        formal=formal,
        category=category if isinstance(category, str) and category != "other" else None,
        about_staff=about_staff,
        about_role=about_role,
        incident_date=incident,
        incident_text=str(when.get("text") or ""),
        desired_outcome=str(a.get("outcome") or "") if complaint else "",
        representative=representative,
        adjustments=tuple(x for x in a.get("adjustments", []) if isinstance(x, str)),
        adjustments_note=str(a.get("adjustments_note") or ""),
        contact_method=method,
        email=str(a.get("email") or "") if method is ContactMethod.EMAIL else "",
        phone=phone,
        postal_address=address,
        share_name=not (complaint and about in ("yes", "handler") and a.get("share_name") == "no"),
        complainant_name=str(a.get("name") or ""),
        received_via=received or Received.WEBCHAT,
        late=when.get("status") in ("late", "too_late"),
        attachments=tuple(str(ref) for ref in files if ref),
        supporter=supporter,
        relationship_to_org=(
            str(a.get("org_relationship") or "")
            if complaint and a.get("org_relationship") != "other"
            else ""
        ),
    )
