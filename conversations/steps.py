"""The intake questions, in the order they are asked: the one table the dialogue runs from.

Each step says when it applies (from earlier answers and the procedure), how it asks, how it
reads an answer, and how its answer is read back in the summary. docs/dialogue.md is drawn
from STEPS by conversations.diagram.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date, timedelta

from babel import Locale

from conversations.cleaning import SHORT_LIMIT, TEXT_LIMIT, has_words, shorten
from conversations.contacts import EmailProblem, check_email, check_phone
from conversations.context import Context, routing_handler
from conversations.dates import Outcome, parse_when
from conversations.flow import Goto, Input, Next, Question, Result, Stay, Step, choices
from conversations.labels import (
    adjustment_labels,
    contact_labels,
    kind_labels,
    received_labels,
)
from conversations.model import Choice, Draft, Effect, Expect
from locales import LANGUAGES, Translator, babel_code, language_for
from procedures.case import ADJUSTMENTS
from procedures.letters import limit_words
from procedures.window import WindowStatus, window_status

Labels = Callable[[Draft, Context, Translator], dict[str, str]]
# Typed text at a button question that is this long is probably part of their story: kept.
KEEP_TYPED_FROM = 40


# --- small shared pieces -------------------------------------------------------------------


def kind(draft: Draft) -> str | None:
    value = draft.answers.get("kind")
    return value if isinstance(value, str) else None


def is_complaint(draft: Draft, ctx: Context) -> bool:
    return kind(draft) == "complaint"


def not_compliment(draft: Draft, ctx: Context) -> bool:
    return kind(draft) in ("complaint", "feedback")


def about_staff(draft: Draft) -> bool:
    return draft.answers.get("about_staff") in ("yes", "handler")


def keep_note(draft: Draft, text: str) -> None:
    """Keep text that could not be used where it was sent, so staff still see it."""
    notes = draft.answers.setdefault("notes", [])
    if isinstance(notes, list):
        notes.append(text)


def no_words(t: Translator) -> Stay:
    return Stay(
        t.gettext("Thank you. I can only read words here, not emoji. Could you write it in words?")
    )


def free_text(draft: Draft, inp: Input, t: Translator, key: str, limit: int) -> Result:
    """Store a typed answer, or say kindly why not (and keep overly long text as a note)."""
    if inp.choice is not None or not inp.text:
        return Stay(t.gettext("Please type your answer."))
    if not has_words(inp.text):
        return no_words(t)
    if len(inp.text) > limit:
        keep_note(draft, inp.text)
        return Stay(
            t.gettext(
                "Thank you. That is longer than I can use for this question, so I have kept "
                "all of it with your complaint for staff to read. Could you give a shorter "
                "answer here?"
            )
        )
    draft.answers[key] = inp.text
    return Next()


def pick(step: str, labels: Labels) -> Callable[[Draft, Input, Context, Translator], Result]:
    """A handler for a plain one-of-several question whose answer is the choice value."""

    def handle(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
        if inp.choice in labels(draft, ctx, t):
            draft.answers[step] = inp.choice
            return Next()
        return Stay(t.gettext("Please choose one of the options."))

    return handle


def chosen(step: str, labels: Labels) -> Callable[[Draft, Context, Translator], str]:
    def show(draft: Draft, ctx: Context, t: Translator) -> str:
        value = draft.answers.get(step)
        return labels(draft, ctx, t).get(str(value), str(value))

    return show


def stored(key: str, empty: Callable[[Translator], str]) -> Callable[..., str]:
    def show(draft: Draft, ctx: Context, t: Translator) -> str:
        value = draft.answers.get(key)
        return shorten(value) if isinstance(value, str) and value else empty(t)

    return show


def organisation_contact(ctx: Context) -> str:
    contact = ctx.procedure.contact
    return ", ".join(
        x for x in (contact.phone, contact.email, contact.address, contact.website) if x
    )


# --- language and privacy --------------------------------------------------------------------


def language_labels(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    order = [draft.lang, *(code for code in LANGUAGES if code != draft.lang)]
    return {code: LANGUAGES[code] for code in order if code in LANGUAGES}


def language_from_text(text: str, lang: str) -> str | None:
    """A language typed by name ("Polski", "Polish", "pl") rather than tapped."""
    typed = text.casefold().strip(" .!")
    for code, name in LANGUAGES.items():
        names = {code.casefold(), name.casefold()}
        for where in dict.fromkeys(("en", babel_code(lang))):
            with suppress(ValueError, LookupError):
                names.add(Locale.parse(babel_code(code)).get_display_name(where).casefold())
        if typed in names:
            return code
    return None


def ask_language(draft: Draft, ctx: Context, t: Translator) -> Question:
    if ctx.staff:
        text = t.gettext("Which language should we use when we write to the person?")
    else:
        text = "\n\n".join(
            (
                t.gettext(
                    "Hello. I can help you make a complaint, or pass on a compliment or feedback."
                ),
                t.gettext("Which language would you like to use?"),
            )
        )
    return Question(text, choices("language", language_labels(draft, ctx, t)), Expect.CHOICE)


def handle_language(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    code = inp.choice if inp.choice in LANGUAGES else language_from_text(inp.text, draft.lang)
    if code is None:
        ask = t.gettext("Please choose a language from the list.")
        if len(inp.text) >= KEEP_TYPED_FROM and has_words(inp.text):
            # Many people start by typing what happened: keep it, it is part of their complaint.
            keep_note(draft, inp.text)
            return Stay(
                t.gettext("Thank you, I've kept what you wrote for staff to read.") + " " + ask
            )
        return Stay(ask)
    draft.lang = code
    draft.answers["language"] = code
    return Next()


def ask_privacy(draft: Draft, ctx: Context, t: Translator) -> Question:
    years = ctx.procedure.retention_years
    text = " ".join(
        (
            t.gettext(
                "{organisation} will use what you tell us only to look into it and put things "
                "right.",
                organisation=ctx.procedure.localised(t.lang).organisation,
            ),
            t.gettext("Only the people dealing with it will see it."),
            t.ngettext(
                "We keep it for {n} year, then delete it.",
                "We keep it for {n} years, then delete it.",
                years,
            ),
        )
    )
    tips = t.gettext("You can type help, back or cancel at any time, or ask to talk to a person.")
    return Question(
        f"{text}\n\n{tips}\n\n{t.gettext('Shall we start?')}",
        choices("privacy", privacy_labels(draft, ctx, t)),
        Expect.CHOICE,
    )


def privacy_labels(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    return {
        "yes": t.gettext("Yes, let's start"),
        "more": t.gettext("Tell me more"),
        "no": t.gettext("Not now"),
    }


def handle_privacy(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice == "yes":
        draft.answers["privacy"] = True
        return Next()
    if inp.choice == "more":
        more = [
            t.gettext(
                "Your answers are saved as you go, so you can stop and come back later. "
                "Nothing is sent until you check it and tap Send."
            ),
            t.gettext(
                "If you stop, we keep your answers for 30 days so you can carry on, unless you "
                "ask us to delete them."
            ),
            t.gettext(
                "If your complaint is about a member of staff, they may be told about it so "
                "they can respond. You will be asked whether they may know your name."
            ),
            t.gettext("Shall we start?"),
        ]
        return Stay("\n\n".join(more), repeat=False)
    if inp.choice == "no":
        text = t.gettext("That's fine. Nothing has been sent.")
        contact = organisation_contact(ctx)
        if contact:
            text += "\n\n" + t.gettext(
                "If you would rather contact {organisation} another way: {contact}",
                organisation=ctx.procedure.localised(t.lang).organisation,
                contact=contact,
            )
        text += "\n\n" + t.gettext("You can come back here at any time.")
        return Stay(text, repeat=False)
    return Stay(t.gettext("Please choose one of the options."))


# --- what it is ------------------------------------------------------------------------------


def ask_received(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(
        t.gettext("How did this complaint reach us?"),
        choices("received", received_labels(t)),
        Expect.CHOICE,
    )


def _received(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    return received_labels(t)


def _kinds(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    return kind_labels(t, ctx.procedure.accepts_compliments)


def ask_kind(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(
        t.gettext("What would you like to do?"),
        choices("kind", _kinds(draft, ctx, t)),
        Expect.CHOICE,
    )


def _routes(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    return {
        "informal": t.gettext("Try to sort it out informally"),
        "formal": t.gettext("Make a formal complaint"),
    }


def ask_route(draft: Draft, ctx: Context, t: Translator) -> Question:
    text = "\n\n".join(
        (
            t.gettext(
                "Would you like us to try to sort it out informally first, or make a formal "
                "complaint?"
            ),
            t.gettext(
                "Informal is often quicker: someone talks it through with you. You can still "
                "make a formal complaint later."
            ),
        )
    )
    return Question(text, choices("route", _routes(draft, ctx, t)), Expect.CHOICE)


def _behalf(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    return {"self": t.gettext("For myself"), "other": t.gettext("For someone else")}


def ask_behalf(draft: Draft, ctx: Context, t: Translator) -> Question:
    if ctx.staff:
        text = t.gettext("Is the person complaining for themselves, or for someone else?")
    else:
        text = t.gettext("Are you doing this for yourself, or for someone else?")
    return Question(text, choices("behalf", _behalf(draft, ctx, t)), Expect.CHOICE)


def on_behalf(draft: Draft, ctx: Context) -> bool:
    return not_compliment(draft, ctx) and draft.answers.get("behalf") == "other"


def ask_behalf_name(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(t.gettext("What is the name of the person it is for?"))


def handle_behalf_name(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    return free_text(draft, inp, t, "behalf_name", SHORT_LIMIT)


def ask_relationship(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(
        t.gettext("How do you know them? For example: parent, carer, friend or advocate.")
    )


def handle_relationship(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    return free_text(draft, inp, t, "behalf_relationship", SHORT_LIMIT)


def _consent(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    return {"yes": t.gettext("Yes, they agree"), "no": t.gettext("No, or not yet")}


def ask_consent(draft: Draft, ctx: Context, t: Translator) -> Question:
    name = str(draft.answers.get("behalf_name") or "")
    if name:
        text = t.gettext("Does {name} agree to you doing this for them?", name=name)
    else:
        text = t.gettext("Does the person agree to you doing this for them?")
    return Question(text, choices("behalf_consent", _consent(draft, ctx, t)), Expect.CHOICE)


def handle_consent(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice == "yes":
        draft.answers["behalf_consent"] = "yes"
        return Next()
    if inp.choice == "no":
        draft.answers["behalf_consent"] = "no"
        return Next(
            t.gettext(
                "Thank you for telling us. We usually need their agreement before we can look "
                "into it. You can still go on: a member of staff will contact you about how to "
                "get it."
            )
        )
    return Stay(t.gettext("Please choose one of the options."))


# --- what it is about ------------------------------------------------------------------------


def has_categories(draft: Draft, ctx: Context) -> bool:
    return bool(ctx.procedure.categories) and not_compliment(draft, ctx)


def _categories(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    local = ctx.procedure.localised(t.lang)
    labels = {category.id: category.label for category in local.categories}
    # TRANSLATORS: a category choice for "What is it mainly about?"
    labels["other"] = t.gettext("Something else, or not sure")
    return labels


def ask_category(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(
        t.gettext("What is it mainly about?"),
        choices("category", _categories(draft, ctx, t)),
        Expect.CHOICE,
    )


def fills_form(draft: Draft, ctx: Context) -> bool:
    """A formal complaint to an organisation whose own form the answers fill in."""
    form = ctx.procedure.complaint_form
    return (
        bool(form and form.relationships)
        and is_complaint(draft, ctx)
        and (draft.answers.get("route") != "informal")
    )


def _relationships(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    form = ctx.procedure.localised(t.lang).complaint_form
    labels = {r.id: r.label for r in (form.relationships if form else ())}
    # TRANSLATORS: a category choice for "What is it mainly about?"
    labels["other"] = t.gettext("Something else, or not sure")
    return labels


def ask_relationship_to_org(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(
        t.gettext(
            "How are you connected to {organisation}?",
            organisation=ctx.procedure.organisation,
        ),
        choices("org_relationship", _relationships(draft, ctx, t)),
        Expect.CHOICE,
    )


def _about_staff(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    labels = {"yes": t.gettext("Yes")}
    handler = routing_handler(ctx.procedure)
    if handler is not None and is_complaint(draft, ctx):
        # TRANSLATORS: {role} is a job title from the organisation's procedure, e.g. "the
        # Coordinator", in the person's language where the procedure is translated.
        role = ctx.procedure.say(handler.label, t.lang, in_sentence=True)
        labels["handler"] = t.gettext("It is about {role}", role=role)
    labels["no"] = t.gettext("No")
    return labels


def ask_about_staff(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(
        t.gettext("Is it about a particular member of staff?"),
        choices("about_staff", _about_staff(draft, ctx, t)),
        Expect.CHOICE,
    )


def handle_about_staff(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice not in _about_staff(draft, ctx, t):
        return Stay(t.gettext("Please choose one of the options."))
    draft.answers["about_staff"] = inp.choice
    handler = routing_handler(ctx.procedure)
    if inp.choice == "handler" and handler is not None:
        # Kept with the answer, so to_new_complaint() can route without the procedure.
        draft.answers["about_role"] = handler.role
        draft.answers["about_label"] = handler.label
    return Next()


def names_staff(draft: Draft, ctx: Context) -> bool:
    return draft.answers.get("about_staff") == "yes"


def ask_staff_name(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(
        t.gettext(
            "What is their name, or their job? If you don't know, describe them in a few words."
        )
    )


def handle_staff_name(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    return free_text(draft, inp, t, "staff_name", SHORT_LIMIT)


# --- what happened, when, and what would put it right ---------------------------------------


def description_parts(draft: Draft) -> list[str]:
    parts = draft.answers.get("description")
    return [part for part in parts if isinstance(part, str)] if isinstance(parts, list) else []


def files_count(draft: Draft) -> int:
    files = draft.answers.get("files")
    return len(files) if isinstance(files, list) else 0


def ask_description(draft: Draft, ctx: Context, t: Translator) -> Question:
    done = choices("description", {"done": t.gettext("That's everything")})
    if description_parts(draft):
        text = t.gettext(
            "You have told us: \u201c{start}\u201d. You can add more, or tap That's everything.",
            start=shorten(" ".join(description_parts(draft)), 120),
        )
        return Question(text, done, Expect.FILE_OR_TEXT)
    if kind(draft) == "compliment":
        first = t.gettext("What would you like to tell us?")
    elif kind(draft) == "feedback":
        first = t.gettext("What is your feedback?")
    else:
        first = t.gettext("Please tell us what happened, in your own words.")
    more = t.gettext(
        "You can send several messages, and photos, documents or voice notes. "
        "Tap That's everything when you have finished."
    )
    return Question(f"{first}\n\n{more}", done, Expect.FILE_OR_TEXT)


def handle_description(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice == "done":
        if description_parts(draft) or files_count(draft):
            draft.answers["description_done"] = True
            return Next()
        return Stay(
            t.gettext("Please tell us a little about it first, in words, a photo or a voice note.")
        )
    if inp.choice is not None:
        return Stay(t.gettext("Please choose one of the options."))
    if inp.text and not has_words(inp.text) and not inp.files:
        return no_words(t)
    if inp.text:
        draft.answers.setdefault("description", []).append(inp.text)
    # One acknowledgement for everything in this message.
    if inp.text and inp.files:
        got = t.ngettext(
            "Thank you, I've got that and the file.",
            "Thank you, I've got that and the {n} files.",
            len(inp.files),
        )
    elif inp.files:
        got = t.ngettext(
            "Thank you, I've kept the file.", "Thank you, I've kept the {n} files.", len(inp.files)
        )
    else:
        got = t.gettext("Thank you, I've got that.")
    more = t.gettext("You can send more, or tap That's everything.")
    return Stay(f"{got} {more}", repeat=False)


def _when_buttons(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    labels = {
        "today": t.gettext("Today"),
        "yesterday": t.gettext("Yesterday"),
        "unknown": t.gettext("I'm not sure"),
    }
    if draft.pending.get("when_text"):
        # TRANSLATORS: keep the date exactly as the person typed it, even if it was not understood.
        labels["asis"] = t.gettext("Keep what I wrote")
    return labels


def ask_when(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(
        t.gettext(
            "When did it happen? You can write a date like 12/10/2026, or words like "
            "\u201clast Tuesday\u201d or \u201cOctober\u201d."
        ),
        choices("when", _when_buttons(draft, ctx, t)),
        Expect.DATE,
    )


def handle_when(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice == "unknown":
        draft.answers["when"] = {"text": "", "date": None, "precision": None, "status": None}
        return Next()
    if inp.choice == "asis" and draft.pending.get("when_text"):
        text = str(draft.pending.pop("when_text"))
        draft.answers["when"] = {"text": text, "date": None, "precision": None, "status": None}
        return Next()
    if inp.choice in ("today", "yesterday"):
        found = ctx.today - timedelta(days=0 if inp.choice == "today" else 1)
        return _dated(draft, ctx, t, "", found, "day")
    if inp.choice is not None or not inp.text:
        return Stay(t.gettext("Please type a date, or tap one of the options."))
    if len(inp.text) > SHORT_LIMIT:
        keep_note(draft, inp.text)
        return Stay(
            t.gettext(
                "Thank you, I have kept that with your complaint. Could you give just the date "
                "here?"
            )
        )
    parsed = parse_when(inp.text, ctx.today, draft.lang)
    if parsed.outcome is Outcome.UNKNOWN:
        draft.answers["when"] = {"text": inp.text, "date": None, "precision": None, "status": None}
        return Next()
    if parsed.outcome is Outcome.FUTURE:
        return Stay(t.gettext("That date seems to be in the future. When did it happen?"))
    if parsed.outcome is Outcome.UNREADABLE or parsed.date is None:
        draft.pending["when_text"] = inp.text
        return Stay(
            t.gettext(
                "Sorry, I couldn't read that as a date. You could write it like 12/10/2026, "
                "\u201clast Tuesday\u201d or \u201cOctober\u201d, or tap Keep what I wrote."
            )
        )
    precision = parsed.precision.value if parsed.precision else "day"
    return _dated(draft, ctx, t, inp.text, parsed.date, precision)


def _dated(
    draft: Draft, ctx: Context, t: Translator, text: str, found: date, precision: str
) -> Result:
    draft.pending.pop("when_text", None)
    status = WindowStatus.ON_TIME
    if is_complaint(draft, ctx):
        status = window_status(ctx.procedure.complaint_window, found, ctx.today)
    draft.answers["when"] = {
        "text": text,
        "date": found.isoformat(),
        "precision": precision,
        "status": status.value,
    }
    return Next(late_warning(ctx, t, status))


def late_warning(ctx: Context, t: Translator, status: WindowStatus) -> str:
    window = ctx.procedure.complaint_window
    organisation = ctx.procedure.localised(t.lang).organisation
    if window is None or status is WindowStatus.ON_TIME:
        return ""
    limit = window.not_after if status is WindowStatus.TOO_LATE else window.expected_within
    if limit is None:
        return ""
    if status is WindowStatus.TOO_LATE:
        first = t.gettext(
            "Thank you. This is more than {limit} after it happened, which is longer than "
            "{organisation}'s complaints procedure allows.",
            limit=limit_words(t, limit),
            organisation=organisation,
        )
    else:
        first = t.gettext(
            "Thank you. This is more than {limit} after it happened, which is longer than "
            "{organisation} usually expects.",
            limit=limit_words(t, limit),
            organisation=organisation,
        )
    # The next question asks what made it hard to complain sooner (late_reason).
    second = t.gettext("You can still go on: staff will decide whether they can look into it.")
    return f"{first} {second}"


def is_late(draft: Draft, ctx: Context) -> bool:
    when = draft.answers.get("when")
    status = when.get("status") if isinstance(when, dict) else None
    return is_complaint(draft, ctx) and status in ("late", "too_late")


def ask_late_reason(draft: Draft, ctx: Context, t: Translator) -> Question:
    text = t.gettext(
        "Did something make it hard to complain sooner? If so, please tell us here: staff "
        "will take it into account."
    )
    return Question(text, choices("late_reason", {"skip": t.gettext("No, nothing to add")}))


def handle_late_reason(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice == "skip":
        draft.answers["late_reason"] = ""
        return Next()
    return free_text(draft, inp, t, "late_reason", TEXT_LIMIT)


def show_when(draft: Draft, ctx: Context, t: Translator) -> str:
    when = draft.answers.get("when")
    if not isinstance(when, dict):
        return ""
    if when.get("text"):
        return shorten(str(when["text"]))
    try:
        return t.date(date.fromisoformat(str(when.get("date"))))
    except ValueError:
        return t.gettext("Not sure")


def ask_outcome(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(
        t.gettext("What would you like to happen to put it right?"),
        choices("outcome", {"skip": t.gettext("I'm not sure")}),
    )


def handle_outcome(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice == "skip":
        draft.answers["outcome"] = ""
        return Next()
    return free_text(draft, inp, t, "outcome", TEXT_LIMIT)


# --- what they need from us, and how to reach them -------------------------------------------


def selected_adjustments(draft: Draft) -> list[str]:
    chosen = draft.answers.get("adjustments")
    return [a for a in ADJUSTMENTS if isinstance(chosen, list) and a in chosen]


def _adjustment_buttons(draft: Draft, ctx: Context, t: Translator) -> tuple[Choice, ...]:
    selected = selected_adjustments(draft)
    toggles = tuple(
        Choice(f"adjustments:{key}", label, pressed=key in selected)
        for key, label in adjustment_labels(t).items()
    )
    ends = {"none": t.gettext("Nothing needed"), "done": t.gettext("Done")}
    return (*toggles, *choices("adjustments", ends))


def ask_adjustments(draft: Draft, ctx: Context, t: Translator) -> Question:
    text = "\n\n".join(
        (
            t.gettext("Is there anything that would make this easier for you?"),
            t.gettext("Tap all that apply, then Done. You can also type what you need."),
        )
    )
    return Question(text, _adjustment_buttons(draft, ctx, t))


def handle_adjustments(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice in ("none", "done"):
        if inp.choice == "none":
            draft.answers.setdefault("adjustments", [])
        draft.answers["adjustments_done"] = True
        draft.lang = language_for(draft.lang, selected_adjustments(draft))  # Easy Read from now
        return Next()
    if inp.choice in ADJUSTMENTS:
        selected = selected_adjustments(draft)
        if inp.choice in selected:
            selected.remove(inp.choice)
        else:
            selected.append(inp.choice)
        draft.answers["adjustments"] = [a for a in ADJUSTMENTS if a in selected]
        return Stay(adjustments_so_far(draft, t), repeat=False)
    if inp.choice is not None or not inp.text:
        return Stay(t.gettext("Please choose one of the options."))
    if not has_words(inp.text):
        return no_words(t)
    if len(inp.text) > TEXT_LIMIT:
        keep_note(draft, inp.text)
    else:
        note = str(draft.answers.get("adjustments_note") or "")
        draft.answers["adjustments_note"] = f"{note}\n{inp.text}" if note else inp.text
    return Stay(adjustments_so_far(draft, t), repeat=False)


def adjustments_so_far(draft: Draft, t: Translator) -> str:
    return "\n\n".join(
        (
            t.gettext("Noted: {needs}", needs=show_adjustments(draft, None, t)),
            t.gettext("Tap anything else you need, or Done."),
        )
    )


def show_adjustments(draft: Draft, ctx: Context | None, t: Translator) -> str:
    labels = adjustment_labels(t)
    shown = [labels[a] for a in selected_adjustments(draft)]
    note = draft.answers.get("adjustments_note")
    if isinstance(note, str) and note:
        shown.append(shorten(note))
    return ", ".join(shown) if shown else t.gettext("Nothing needed")


# --- "someone to help me": their supporter, and whether they get copies ------------------------


def wants_supporter(draft: Draft, ctx: Context) -> bool:
    return "helper" in selected_adjustments(draft)


def supporter_named(draft: Draft, ctx: Context) -> bool:
    return wants_supporter(draft, ctx) and bool(draft.answers.get("supporter_name"))


def supporter_reachable(draft: Draft, ctx: Context) -> bool:
    return supporter_named(draft, ctx) and bool(draft.answers.get("supporter_contact"))


def _skip(t: Translator) -> dict[str, str]:
    return {"skip": t.gettext("Skip")}


def ask_supporter_name(draft: Draft, ctx: Context, t: Translator) -> Question:
    # TRANSLATORS: asked after someone chose "Someone to help me"; they may skip it.
    text = t.gettext("What is the name of the person who helps you?")
    return Question(text, choices("supporter_name", _skip(t)))


def handle_supporter_name(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice == "skip":
        draft.answers["supporter_name"] = ""
        return Next()
    return free_text(draft, inp, t, "supporter_name", SHORT_LIMIT)


def ask_supporter_contact(draft: Draft, ctx: Context, t: Translator) -> Question:
    text = t.gettext(
        "How can we reach {name}? Please type their email address or phone number.",
        name=str(draft.answers.get("supporter_name") or ""),
    )
    return Question(text, choices("supporter_contact", _skip(t)))


def handle_supporter_contact(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    """An email address or a phone number, checked like the person's own."""
    if inp.choice == "skip":
        draft.answers["supporter_contact"] = ""
        draft.answers["supporter_channel"] = ""
        return Next()
    if inp.choice is not None or not inp.text:
        return Stay(t.gettext("Please type your answer."))
    if "@" in inp.text:
        email, problem = check_email(inp.text)
        if email is None:
            return Stay(email_problem(t, problem))
        draft.answers["supporter_contact"], draft.answers["supporter_channel"] = email, "email"
        return Next()
    phone = check_phone(inp.text)
    if phone is None:
        return Stay(
            t.gettext(
                "I couldn't use that. Please type an email address, like name@example.com, "
                "or a phone number with the area code, like 07700 900123."
            )
        )
    draft.answers["supporter_contact"], draft.answers["supporter_channel"] = phone, "phone"
    return Next()


def _copies(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    return {"yes": t.gettext("Yes, send them copies"), "no": t.gettext("No copies")}


def ask_supporter_consent(draft: Draft, ctx: Context, t: Translator) -> Question:
    text = t.gettext(
        "Do you agree that we send {name} a copy of every message we send you?",
        name=str(draft.answers.get("supporter_name") or ""),
    )
    return Question(text, choices("supporter_consent", _copies(draft, ctx, t)), Expect.CHOICE)


def _show_supporter_contact(draft: Draft, ctx: Context, t: Translator) -> str:
    return str(draft.answers.get("supporter_contact") or "") or _not_given(t)


def _contacts(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    labels = contact_labels(t, ctx.channel)
    if not ctx.email and draft.answers.get("contact_method") != "email":
        del labels["email"]  # no mail server: staff would have to post or phone instead
    return labels


def ask_contact_method(draft: Draft, ctx: Context, t: Translator) -> Question:
    text = (
        t.gettext("How should we reply to the person?")
        if ctx.staff
        else t.gettext("How would you like us to reply to you?")
    )
    return Question(text, choices("contact_method", _contacts(draft, ctx, t)), Expect.CHOICE)


DETAIL_KEYS = {"email": "email", "phone": "phone", "post": "address"}


def needs_detail(draft: Draft, ctx: Context) -> bool:
    return draft.answers.get("contact_method") in DETAIL_KEYS


def detail_answered(draft: Draft) -> bool:
    key = DETAIL_KEYS.get(str(draft.answers.get("contact_method")))
    return key is not None and bool(draft.answers.get(key))


def ask_contact_detail(draft: Draft, ctx: Context, t: Translator) -> Question:
    method = draft.answers.get("contact_method")
    if method == "email":
        return Question(t.gettext("What is your email address?"), (), Expect.EMAIL)
    if method == "phone":
        return Question(
            t.gettext("What phone number should we call? A UK or international number is fine."),
            (),
            Expect.PHONE,
        )
    return Question(t.gettext("What is your postal address, including the postcode?"))


def handle_contact_detail(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    method = draft.answers.get("contact_method")
    if inp.choice is not None or not inp.text:
        return Stay(t.gettext("Please type your answer."))
    if method == "email":
        email, problem = check_email(inp.text)
        if email is None:
            return Stay(email_problem(t, problem))
        draft.answers["email"] = email
        return Next()
    if method == "phone":
        phone = check_phone(inp.text)
        if phone is None:
            return Stay(phone_problem(t))
        draft.answers["phone"] = phone
        return Next()
    return free_text(draft, inp, t, "address", TEXT_LIMIT)


def needs_call_number(draft: Draft, ctx: Context) -> bool:
    """They asked to be phoned instead of written to, but replies go another way: without
    a number, the call task on the staff dashboard would have no one to call."""
    method = draft.answers.get("contact_method")
    return "phone_call" in selected_adjustments(draft) and method not in (None, "phone")


def ask_call_phone(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(
        t.gettext("What phone number should we call? A UK or international number is fine."),
        (),
        Expect.PHONE,
    )


def handle_call_phone(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice is not None or not inp.text:
        return Stay(t.gettext("Please type your answer."))
    phone = check_phone(inp.text)
    if phone is None:
        return Stay(phone_problem(t))
    draft.answers["call_phone"] = phone
    return Next()


# --- the details the organisation's complaints form asks for ------------------------------


def form_asks_phone(draft: Draft, ctx: Context) -> bool:
    """The form has a telephone line, and no number was asked for replies or calls."""
    return (
        fills_form(draft, ctx)
        and draft.answers.get("contact_method") != "phone"
        and not needs_call_number(draft, ctx)
    )


def form_asks_address(draft: Draft, ctx: Context) -> bool:
    return fills_form(draft, ctx) and draft.answers.get("contact_method") != "post"


def _form_question(ctx: Context, t: Translator, text: str, step: str) -> Question:
    lines = [text]
    if not ctx.staff:
        # They chose how we reply a moment ago: a number asked for now must not seem to undo it.
        lines.append(t.gettext("This is only for the form: we will still reply the way you chose."))
    return Question("\n\n".join(lines), choices(step, {"skip": t.gettext("Skip this question")}))


def _form_name(ctx: Context, t: Translator) -> str:
    form = ctx.procedure.localised(t.lang).complaint_form
    return form.name if form else ""


def _skipped(draft: Draft, inp: Input, key: str) -> bool:
    """A tap on "Skip this question": an answer of its own (asked once, never again)."""
    if inp.choice == "skip":
        draft.answers[key] = ""
    return inp.choice == "skip"


def ask_form_phone(draft: Draft, ctx: Context, t: Translator) -> Question:
    # TRANSLATORS: {form} is the name of the organisation's complaints form, as the
    # organisation writes it (e.g. "Creative Alliance Complaints Form").
    text = t.gettext(
        "The {form} asks for a telephone number. What number should go on it?",
        form=_form_name(ctx, t),
    )
    return _form_question(ctx, t, text, "form_phone")


def handle_form_phone(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if _skipped(draft, inp, "form_phone"):
        return Next()
    if inp.choice is not None or not inp.text:
        return Stay(t.gettext("Please type your answer."))
    phone = check_phone(inp.text)
    if phone is None:
        return Stay(" ".join((phone_problem(t), t.gettext("You can also skip this question."))))
    draft.answers["form_phone"] = phone
    return Next()


def ask_form_address(draft: Draft, ctx: Context, t: Translator) -> Question:
    text = t.gettext(
        "The {form} asks for a postal address. What address should go on it, with the postcode?",
        form=_form_name(ctx, t),
    )
    return _form_question(ctx, t, text, "form_address")


def handle_form_address(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if _skipped(draft, inp, "form_address"):
        return Next()
    return free_text(draft, inp, t, "form_address", TEXT_LIMIT)


def phone_problem(t: Translator) -> str:
    return t.gettext(
        "I couldn't use that as a phone number. Please type the whole number with "
        "the area code, like 07700 900123, or with the country code, like "
        "+48 601 234 567."
    )


def email_problem(t: Translator, problem: EmailProblem | None) -> str:
    if problem is EmailProblem.NO_AT:
        return t.gettext(
            "That doesn't look like an email address: it needs an @, like name@example.com. "
            "Could you type it again?"
        )
    if problem is EmailProblem.SPACES:
        return t.gettext(
            "An email address has no spaces in it, like name@example.com. Could you type it again?"
        )
    if problem is EmailProblem.NO_DOT:
        return t.gettext(
            "The part after the @ needs a dot, like name@example.com. Could you type it again?"
        )
    return t.gettext(
        "I couldn't use that as an email address. It should look like name@example.com. "
        "Could you type it again?"
    )


def show_detail(draft: Draft, ctx: Context, t: Translator) -> str:
    key = DETAIL_KEYS.get(str(draft.answers.get("contact_method")), "")
    return shorten(str(draft.answers.get(key) or ""))


def ask_name(draft: Draft, ctx: Context, t: Translator) -> Question:
    if ctx.staff:
        text = t.gettext("What is the person's name?")
    elif draft.answers.get("contact_method") == "post":
        text = t.gettext("What name should we write to?")
    else:
        text = t.gettext("What is your name? You don't have to tell us.")
    skip = {} if draft.answers.get("contact_method") == "post" else {"skip": t.gettext("Skip")}
    return Question(text, choices("name", skip))


def handle_name(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice == "skip" and draft.answers.get("contact_method") != "post":
        draft.answers["name"] = ""
        return Next()
    return free_text(draft, inp, t, "name", SHORT_LIMIT)


def name_answered(draft: Draft) -> bool:
    # A skipped name will not do once they ask for a letter.
    if draft.answers.get("contact_method") == "post":
        return bool(draft.answers.get("name"))
    return "name" in draft.answers


def asks_share(draft: Draft, ctx: Context) -> bool:
    return is_complaint(draft, ctx) and about_staff(draft)


def _share(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    return {"yes": t.gettext("Yes, they may know"), "no": t.gettext("No, please keep it private")}


def ask_share(draft: Draft, ctx: Context, t: Translator) -> Question:
    text = "\n\n".join(
        (
            t.gettext("May we tell the member of staff that the complaint is from you?"),
            t.gettext(
                "It usually helps us look into it. If you say no, we will still try, but it "
                "may limit what we can do."
            ),
        )
    )
    return Question(text, choices("share_name", _share(draft, ctx, t)), Expect.CHOICE)


# --- read-back -------------------------------------------------------------------------------


def missing(draft: Draft, ctx: Context) -> Step | None:
    """The first question that applies and has no answer yet."""
    for step in STEPS:
        if step.counted and step.applies(draft, ctx) and not step.is_answered(draft):
            return step
    return None


def summary_lines(draft: Draft, ctx: Context, t: Translator) -> list[str]:
    lines = []
    for step in STEPS:
        if step.label and step.show and step.applies(draft, ctx) and step.is_answered(draft):
            lines.append(f"• {step.label(t)}: {step.show(draft, ctx, t)}")
    if files_count(draft):
        count = files_count(draft)
        lines.append("• " + t.ngettext("{n} file", "{n} files", count))
    notes = draft.answers.get("notes")
    if isinstance(notes, list) and notes:
        lines.append(
            "• " + t.gettext("Other things you told us: {text}", text=shorten("".join(notes), 120))
        )
    return lines


def ask_summary(draft: Draft, ctx: Context, t: Translator) -> Question:
    text = "\n".join(
        (
            t.gettext("Here is what you have told us. Please check it:"),
            "",
            *summary_lines(draft, ctx, t),
            "",
            t.gettext("Is this right?"),
        )
    )
    labels = {"send": t.gettext("Yes, send it"), "change": t.gettext("Change something")}
    return Question(text, choices("summary", labels), Expect.CHOICE)


def handle_summary(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice == "change":
        return Goto("change")
    if inp.choice == "send":
        gap = missing(draft, ctx)
        if gap is not None:
            return Goto(gap.id, note=t.gettext("There is one more question first."))
        return Goto("menu", text=t.gettext("Sending it now."), effect=Effect.SUBMIT)
    return Stay(t.gettext("Please choose one of the options."))


def changeable(draft: Draft, ctx: Context) -> list[Step]:
    return [
        step
        for step in STEPS
        if step.label and step.applies(draft, ctx) and step.is_answered(draft)
    ]


def ask_change(draft: Draft, ctx: Context, t: Translator) -> Question:
    labels = {step.id: step.label(t) for step in changeable(draft, ctx) if step.label}
    labels["summary"] = t.gettext("Nothing, go back")
    return Question(
        t.gettext("Which answer would you like to change?"),
        choices("change", labels),
        Expect.CHOICE,
    )


def handle_change(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice == "summary":
        return Goto("summary")
    if inp.choice in {step.id for step in changeable(draft, ctx)}:
        draft.editing = True
        return Goto(inp.choice)
    return Stay(t.gettext("Please choose one of the options."))


# --- the table -------------------------------------------------------------------------------


def _staff_channel(draft: Draft, ctx: Context) -> bool:
    return ctx.staff


def _self_service(draft: Draft, ctx: Context) -> bool:
    return not ctx.staff


def _informal_possible(draft: Draft, ctx: Context) -> bool:
    return is_complaint(draft, ctx) and ctx.procedure.has_informal_route


def _never(draft: Draft, ctx: Context) -> bool:
    return False


def _not_sure(t: Translator) -> str:
    return t.gettext("Not sure")


def _not_given(t: Translator) -> str:
    return t.gettext("Not given")


def _show_category(draft: Draft, ctx: Context, t: Translator) -> str:
    return _categories(draft, ctx, t).get(str(draft.answers.get("category")), "")


def _show_description(draft: Draft, ctx: Context, t: Translator) -> str:
    text = " ".join(description_parts(draft))
    return shorten(text) if text else t.gettext("(files only)")


STEPS: tuple[Step, ...] = (
    Step("language", "Language", ask_language, handle_language, counted=False),
    Step(
        "privacy",
        "How we use what you tell us; start?",
        ask_privacy,
        handle_privacy,
        applies=_self_service,
        when="not staff-assisted",
        counted=False,
    ),
    Step(
        "received",
        "How it reached us",
        ask_received,
        pick("received", _received),
        label=lambda t: t.gettext("How it reached us"),
        show=chosen("received", _received),
        applies=_staff_channel,
        when="staff-assisted",
    ),
    Step(
        "kind",
        "Complaint, compliment or feedback",
        ask_kind,
        pick("kind", _kinds),
        label=lambda t: t.gettext("What this is"),
        show=chosen("kind", _kinds),
    ),
    Step(
        "route",
        "Informal first or formal",
        ask_route,
        pick("route", _routes),
        label=lambda t: t.gettext("How to handle it"),
        show=chosen("route", _routes),
        applies=_informal_possible,
        when="complaint, procedure has an informal route",
    ),
    Step(
        "behalf",
        "For myself or someone else",
        ask_behalf,
        pick("behalf", _behalf),
        label=lambda t: t.gettext("Who it is for"),
        show=chosen("behalf", _behalf),
        applies=not_compliment,
        when="not a compliment",
    ),
    Step(
        "behalf_name",
        "Their name",
        ask_behalf_name,
        handle_behalf_name,
        label=lambda t: t.gettext("Their name"),
        show=stored("behalf_name", _not_given),
        applies=on_behalf,
        when="for someone else",
        follows=True,
    ),
    Step(
        "behalf_relationship",
        "How you know them",
        ask_relationship,
        handle_relationship,
        label=lambda t: t.gettext("How you know them"),
        show=stored("behalf_relationship", _not_given),
        applies=on_behalf,
        when="for someone else",
        follows=True,
    ),
    Step(
        "behalf_consent",
        "Do they agree?",
        ask_consent,
        handle_consent,
        label=lambda t: t.gettext("They agree"),
        show=chosen("behalf_consent", _consent),
        applies=on_behalf,
        when="for someone else",
        follows=True,
    ),
    Step(
        "org_relationship",
        "Connection to the organisation (its complaints form asks)",
        ask_relationship_to_org,
        pick("org_relationship", _relationships),
        label=lambda t: t.gettext("Your connection to us"),
        show=chosen("org_relationship", _relationships),
        applies=fills_form,
        when="formal complaint, procedure has a complaints form",
    ),
    Step(
        "category",
        "Category",
        ask_category,
        pick("category", _categories),
        label=lambda t: t.gettext("What it is about"),
        show=_show_category,
        applies=has_categories,
        when="not a compliment, procedure has categories",
    ),
    Step(
        "about_staff",
        "About a member of staff? (or the stage-1 handler)",
        ask_about_staff,
        handle_about_staff,
        label=lambda t: t.gettext("About a member of staff"),
        show=chosen("about_staff", _about_staff),
        owns=("about_role", "about_label"),
    ),
    Step(
        "staff_name",
        "Their name or job",
        ask_staff_name,
        handle_staff_name,
        label=lambda t: t.gettext("Member of staff"),
        show=stored("staff_name", _not_given),
        applies=names_staff,
        when="about a member of staff",
        follows=True,
    ),
    Step(
        "description",
        "What happened (several messages, files)",
        ask_description,
        handle_description,
        label=lambda t: t.gettext("What happened"),
        show=_show_description,
        answered=lambda d: bool(d.answers.get("description_done")),
        owns=("description_done",),
    ),
    Step(
        "when",
        "When (free-form date; time-limit warning)",
        ask_when,
        handle_when,
        label=lambda t: t.gettext("When"),
        show=show_when,
        applies=not_compliment,
        when="not a compliment",
    ),
    Step(
        "late_reason",
        "What made it hard to complain sooner (skippable)",
        ask_late_reason,
        handle_late_reason,
        label=lambda t: t.gettext("Why not sooner"),
        show=stored("late_reason", _not_given),
        applies=is_late,
        when="later than the procedure expects",
        follows=True,
    ),
    Step(
        "outcome",
        "What would put it right",
        ask_outcome,
        handle_outcome,
        label=lambda t: t.gettext("What would put it right"),
        show=stored("outcome", _not_sure),
        applies=is_complaint,
        when="complaint",
    ),
    Step(
        "adjustments",
        "Accessibility needs (several)",
        ask_adjustments,
        handle_adjustments,
        label=lambda t: t.gettext("What you need from us"),
        show=show_adjustments,
        answered=lambda d: bool(d.answers.get("adjustments_done")),
        owns=("adjustments_done", "adjustments_note"),
    ),
    Step(
        "supporter_name",
        "Supporter's name (skippable)",
        ask_supporter_name,
        handle_supporter_name,
        label=lambda t: t.gettext("Who helps you"),
        show=stored("supporter_name", _not_given),
        applies=wants_supporter,
        when="chose someone to help me",
        follows=True,
    ),
    Step(
        "supporter_contact",
        "Supporter's email or phone (checked, skippable)",
        ask_supporter_contact,
        handle_supporter_contact,
        label=lambda t: t.gettext("How to reach them"),
        show=_show_supporter_contact,
        applies=supporter_named,
        when="supporter named",
        owns=("supporter_channel",),
        follows=True,
    ),
    Step(
        "supporter_consent",
        "Copies of our messages to the supporter?",
        ask_supporter_consent,
        pick("supporter_consent", _copies),
        label=lambda t: t.gettext("Copies to them"),
        show=chosen("supporter_consent", _copies),
        applies=supporter_reachable,
        when="supporter can be reached",
        follows=True,
    ),
    Step(
        "contact_method",
        "How to hear back",
        ask_contact_method,
        pick("contact_method", _contacts),
        label=lambda t: t.gettext("How we reply"),
        show=chosen("contact_method", _contacts),
    ),
    Step(
        "contact_detail",
        "Email, phone or address (checked)",
        ask_contact_detail,
        handle_contact_detail,
        label=lambda t: t.gettext("Contact details"),
        show=show_detail,
        applies=needs_detail,
        when="email, phone or post",
        answered=detail_answered,
        owns=("email", "phone", "address"),
        follows=True,
    ),
    Step(
        "call_phone",
        "Number to call (asked for phone calls, replies another way)",
        ask_call_phone,
        handle_call_phone,
        label=lambda t: t.gettext("By phone"),
        show=stored("call_phone", _not_given),
        applies=needs_call_number,
        when="phone calls asked for, replies not by phone",
        follows=True,
    ),
    Step(
        "form_phone",
        "Telephone for the complaints form (checked, skippable)",
        ask_form_phone,
        handle_form_phone,
        label=lambda t: t.gettext("Telephone on the form"),
        show=stored("form_phone", _not_given),
        applies=form_asks_phone,
        when="formal complaint, procedure has a complaints form, no number given yet",
        follows=True,
    ),
    Step(
        "form_address",
        "Postal address for the complaints form (skippable)",
        ask_form_address,
        handle_form_address,
        label=lambda t: t.gettext("Address on the form"),
        show=stored("form_address", _not_given),
        applies=form_asks_address,
        when="formal complaint, procedure has a complaints form, replies not by post",
        follows=True,
    ),
    Step(
        "name",
        "Your name (needed for post)",
        ask_name,
        handle_name,
        label=lambda t: t.gettext("Name"),
        show=stored("name", _not_given),
        answered=name_answered,
    ),
    Step(
        "share_name",
        "May staff know your name?",
        ask_share,
        pick("share_name", _share),
        label=lambda t: t.gettext("Share your name with them"),
        show=chosen("share_name", _share),
        applies=asks_share,
        when="complaint about staff",
        follows=True,
    ),
    Step("summary", "Read-back summary", ask_summary, handle_summary, counted=False),
    Step(
        "change",
        "Which answer to change",
        ask_change,
        handle_change,
        applies=_never,
        when="from the summary",
        counted=False,
    ),
)

BY_ID = {step.id: step for step in STEPS}
# Steps that keep a "Keep my answer" button when returned to: the others have their own "done".
NO_KEEP = frozenset({"description", "adjustments", "summary", "change", "language", "privacy"})
