"""After sending: the receipt, and the menu of what a person can do next in the same chat.

The menu's actions that need storage (status, my data, adding information, escalating) come
back as an Effect with a JSON-able Reply.data; the channel fulfils it and shows the result.
"""

from __future__ import annotations

import re
from datetime import date

from conversations.cleaning import has_words, shorten
from conversations.commands import PREFIX, Command
from conversations.context import Context
from conversations.flow import Goto, Input, Question, Result, Stay, Step, choices
from conversations.model import Choice, Draft, Effect, Expect, Reply
from conversations.steps import kind, no_words, selected_adjustments, show_adjustments
from locales import Translator, translator
from procedures import letters, lifecycle
from procedures.letters import limit_words
from procedures.lifecycle import Actor, Status
from procedures.model import Stage

# Words between quotation marks, in the ways the languages we have write them.
QUOTED = re.compile(r'["\u201c\u201d\u00ab\u00bb\u201e](.+?)["\u201c\u201d\u00ab\u00bb]')
# English always works, whatever the language, as with the commands.
ENGLISH_NOT_SATISFIED = {
    "i am not satisfied",
    "i'm not satisfied",
    "im not satisfied",
    "not satisfied",
    "i am not happy",
    "i'm not happy",
    "not happy",
    "i am not satisfied with the response",
    "i am not satisfied with the answer",
    "escalate",
    "i want to escalate",
    "i would like to escalate",
    "i want to escalate my complaint",
    "i want to appeal",
}


def _menu(draft: Draft, ctx: Context, t: Translator) -> dict[str, str]:
    if ctx.staff:
        return {"new": t.gettext("Enter another complaint")}
    return {
        "status": t.gettext("My complaints and their status"),
        "add": t.gettext("Add information"),
        "escalate": t.gettext("I am not satisfied with the response"),
        "data": t.gettext("My data"),
        "new": t.gettext("Make another complaint or comment"),
    }


def _offers_escalation(draft: Draft, ctx: Context) -> bool:
    """Whether the button is shown: once a case has an answer (or its answer is late), or
    has ended; before that, "Talk to a person" takes its place (typing it still explains)."""
    latest = draft.submitted_refs[-1] if draft.submitted_refs else None
    case = ctx.case(latest)
    if case is None:
        return True  # storage did not say (a test of the pure dialogue): as before
    facts = case.facts
    return (
        facts.responded
        or lifecycle.overdue(facts)
        or facts.status in lifecycle.ENDED
        or not facts.is_complaint
    )


def menu_choices(draft: Draft, ctx: Context, t: Translator) -> tuple[Choice, ...]:
    menu = _menu(draft, ctx, t)
    if ctx.staff or _offers_escalation(draft, ctx):
        return choices("menu", menu)
    menu.pop("escalate")
    person = Choice(PREFIX + Command.PERSON, t.gettext("Talk to a person"))
    return (*choices("menu", menu), person)


def _letter_phrases(t: Translator) -> set[str]:
    """What the letters tell people to type, in their language (the quoted words)."""
    letter = t.gettext('To ask, reply "I am not satisfied" in this chat.')
    return {_typed(found) for found in QUOTED.findall(letter)} | {"i am not satisfied"}


def _typed(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split()).strip(" .!?")


def asks_next_stage(text: str, t: Translator) -> bool:
    """A message that, on its own, asks for the next stage ("I am not satisfied")."""
    typed = _typed(text)
    if not typed:
        return False
    # TRANSLATORS: what a person may type on its own to say they are not satisfied with our
    # answer and want the next stage, comma-separated, lower case. Not shown to anyone.
    words = t.gettext("i am not satisfied, not satisfied, i want to escalate, escalate")
    variants = {_typed(w) for w in words.split(",") if w.strip()} | ENGLISH_NOT_SATISFIED
    return typed in variants | _letter_phrases(t) | {_typed(_menu_label(t))}


def _menu_label(t: Translator) -> str:
    return t.gettext("I am not satisfied with the response")


def ask_for_next_stage(draft: Draft, ctx: Context, t: Translator) -> Result:
    """ "I am not satisfied", by button or in words: what the procedure allows for the case."""
    if len(draft.submitted_refs) > 1 and not draft.pending.get("reference"):
        draft.pending["then"] = "escalate"
        return Goto("pick")
    if not draft.pending.get("reference"):
        draft.pending["reference"] = draft.submitted_refs[-1] if draft.submitted_refs else None
    reference = draft.pending.get("reference")
    case = ctx.case(str(reference) if reference else None)
    if case is None:
        if next_stage(ctx) is None:
            return Goto("menu", text=no_further_stage(ctx, t))
        return Goto(_request_step(draft, ctx))
    facts = case.facts
    named = t.gettext("This is about complaint {reference}.", reference=case.reference)
    if lifecycle.BY_NAME["request_next_stage"].refusal(facts, Actor.COMPLAINANT) is None:
        notes = [named]
        if lifecycle.overdue(facts) and facts.respond_by is not None:
            notes.append(
                t.gettext(
                    "Our answer to complaint {reference} was due by {date} and has not been "
                    "sent. We are sorry. You can ask for it to be looked at again now.",
                    reference=case.reference,
                    date=t.date(facts.respond_by),
                )
            )
        if lifecycle.late_request(facts):
            notes.append(
                t.gettext(
                    "The time limit for asking has passed. You can still send your request: "
                    "staff will decide whether it can go ahead."
                )
            )
        return Goto(_request_step(draft, ctx), note=" ".join(notes))
    draft.pending.pop("reference", None)
    if facts.status in (Status.WITHDRAWN, Status.CLOSED) or not facts.is_complaint:
        return Goto(
            "menu",
            text=t.gettext(
                "Complaint {reference} is not open. To talk about it, tap Talk to a person.",
                reference=case.reference,
            ),
        )
    if lifecycle.NEXT_STAGE.holds(facts):
        # There is a next stage, but this one has not been answered yet.
        waiting = [named]
        if facts.respond_by is not None:
            waiting.append(
                t.gettext(
                    "We have not answered it yet. We will answer by {date}.",
                    date=t.date(facts.respond_by),
                )
            )
        waiting.append(
            t.gettext(
                "If you are not satisfied with our answer, you can then ask for it to be "
                "looked at again. Meanwhile, you can add information or talk to a person."
            )
        )
        return Goto("menu", text=" ".join(waiting))
    return Goto("menu", text=named + " " + no_further_stage(ctx, t))


def ask_menu(draft: Draft, ctx: Context, t: Translator) -> Question:
    return Question(
        t.gettext("What would you like to do now?"), menu_choices(draft, ctx, t), Expect.CHOICE
    )


def handle_menu(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice is None and inp.files:
        return Stay(
            t.gettext("To add this to your complaint, tap Add information, then send it again.")
        )
    if inp.choice not in _menu(draft, ctx, t):
        return Stay(t.gettext("Please choose one of the options."))
    anything_else = t.gettext("Is there anything else I can help with?")
    if inp.choice == "status":
        return Stay(anything_else, repeat=False, effect=Effect.STATUS)
    if inp.choice == "data":
        return Stay(anything_else, repeat=False, effect=Effect.MY_DATA)
    if inp.choice == "new":
        keep = {k: v for k, v in draft.answers.items() if k in ("language", "privacy", "received")}
        draft.answers = keep
        draft.history = []
        draft.pending = {}
        draft.editing = False
        return Goto("kind")
    if inp.choice == "escalate":
        draft.pending.pop("reference", None)
        return ask_for_next_stage(draft, ctx, t)
    target = "add_info"
    if len(draft.submitted_refs) > 1:
        draft.pending["then"] = target
        return Goto("pick")
    draft.pending["reference"] = draft.submitted_refs[-1] if draft.submitted_refs else None
    return Goto(target)


def ask_pick(draft: Draft, ctx: Context, t: Translator) -> Question:
    refs = {ref: ref for ref in draft.submitted_refs}
    return Question(t.gettext("Which one is it about?"), choices("pick", refs), Expect.CHOICE)


def handle_pick(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice in draft.submitted_refs:
        draft.pending["reference"] = inp.choice
        then = str(draft.pending.get("then") or "menu")
        return ask_for_next_stage(draft, ctx, t) if then == "escalate" else Goto(then)
    return Stay(t.gettext("Please choose one of the options."))


def _files(inp: Input) -> list[dict[str, object]]:
    return [file.to_dict() for file in inp.files]


def ask_add_info(draft: Draft, ctx: Context, t: Translator) -> Question:
    reference = draft.pending.get("reference")
    if reference:
        text = t.gettext("What would you like to add to {reference}?", reference=reference)
    else:
        text = t.gettext("What would you like to add?")
    text += " " + t.gettext("You can send text, photos, documents or voice notes.")
    return Question(text, choices("add_info", {"done": t.gettext("Done")}), Expect.FILE_OR_TEXT)


def handle_add_info(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice == "done":
        return Goto("menu", note=t.gettext("Thank you."))
    if inp.choice is not None or not (inp.text or inp.files):
        return Stay(t.gettext("Please send what you would like to add, or tap Done."))
    if inp.text and not has_words(inp.text) and not inp.files:
        return no_words(t)
    data = {"reference": draft.pending.get("reference"), "text": inp.text, "files": _files(inp)}
    return Stay(
        t.gettext("Thank you, I've added that. You can send more, or tap Done."),
        repeat=False,
        effect=Effect.ADD_INFO,
        data=data,
    )


def next_stage(ctx: Context, reference: object = None) -> Stage | None:
    """The stage a request would open, for the case `reference` (or the newest)."""
    case = ctx.case(str(reference) if reference else None)
    current = case.facts.stage if case is not None and case.facts.stage is not None else None
    try:
        return ctx.procedure.stage((ctx.case_stage if current is None else current) + 1)
    except KeyError:
        return None


def no_further_stage(ctx: Context, t: Translator) -> str:
    original = ctx.procedure.external_body
    body = ctx.procedure.localised(t.lang).external_body
    text = t.gettext("I'm sorry it hasn't been put right.")
    if body is None or original is None:
        return (
            text
            + " "
            + t.gettext(
                "Our complaints procedure has no further stage. Please tap Talk to a person if you "
                "would like to discuss it."
            )
        )
    return (
        text
        + " "
        + t.gettext(
            "Our complaints procedure has no further stage, but you can contact {body}: {how}",
            body=ctx.procedure.say(original.name, t.lang, in_sentence=True),
            how=body.how_to_reach,
        )
    )


def _request_step(draft: Draft, ctx: Context) -> str:
    """The next question of a request for the next stage: whether it is about the stage's
    usual handler (when someone else takes over then), each of the stage's points, one at a
    time, then anything else and Send."""
    stage = next_stage(ctx, draft.pending.get("reference"))
    if stage is None:
        return "escalate"
    if stage.handler.alternative_role and "escalate_about" not in draft.pending:
        return "escalate_about"
    answered = draft.pending.get("escalate_points")
    if len(answered if isinstance(answered, list) else ()) < len(stage.entry.points):
        return "escalate_point"
    return "escalate"


def _opening(stage: Stage, t: Translator) -> list[str]:
    """The first words of a request: sorry, what it asks for, and within when."""
    lines = [
        t.gettext("I'm sorry it hasn't been put right."),
        t.gettext("You can ask for it to be looked at again: {stage}.", stage=stage.name),
    ]
    if stage.entry.within is not None:
        lines.append(
            t.gettext(
                "Please ask within {limit} of receiving our response.",
                limit=limit_words(t, stage.entry.within),
            )
        )
    return lines


def _localised_next(draft: Draft, ctx: Context, t: Translator) -> Stage | None:
    stage = next_stage(ctx, draft.pending.get("reference"))
    return None if stage is None else ctx.procedure.localised(t.lang).stage(stage.number)


def ask_escalate_about(draft: Draft, ctx: Context, t: Translator) -> Question:
    """CAST stage 2: "If that person is the subject of the complaint ... the Board"."""
    original = next_stage(ctx, draft.pending.get("reference"))
    stage = _localised_next(draft, ctx, t)
    assert original is not None and stage is not None  # asked only when there is one
    usual = original.handler
    handler = ctx.procedure.say(usual.label, t.lang, in_sentence=True)
    other = ctx.procedure.say(usual.alternative_label or "", t.lang, in_sentence=True)
    lines = [
        *_opening(stage, t),
        t.gettext(
            "Is your complaint about {handler}? If it is, your request goes to {other} "
            "instead, and {handler} will not see it.",
            handler=handler,
            other=other,
        ),
    ]
    buttons = {
        "yes": t.gettext("Yes, it is about them"),
        "no": t.gettext("No"),
        "skip": t.gettext("Skip this question"),
    }
    return Question("\n\n".join(lines), choices("escalate_about", buttons), Expect.CHOICE)


def handle_escalate_about(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    if inp.choice not in ("yes", "no", "skip"):
        return Stay(t.gettext("Please choose one of the options."))
    draft.pending["escalate_about"] = inp.choice
    return Goto(_request_step(draft, ctx))


def ask_escalate_point(draft: Draft, ctx: Context, t: Translator) -> Question:
    """One of the points the stage's request should cover (CAST's five), one at a time."""
    stage = _localised_next(draft, ctx, t)
    assert stage is not None
    answered = draft.pending.get("escalate_points")
    n = len(answered) if isinstance(answered, list) else 0
    lines = _opening(stage, t) if n == 0 and not stage.handler.alternative_role else []
    lines.append(
        t.gettext(
            "Point {n} of {total}: {point}",
            n=n + 1,
            total=len(stage.entry.points),
            point=stage.entry.points[n],
        )
    )
    lines.append(t.gettext("Please type your answer, or tap Skip."))
    skip = {"skip": t.gettext("Skip")}
    return Question("\n\n".join(lines), choices("escalate_point", skip), Expect.TEXT)


def handle_escalate_point(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    answered = draft.pending.setdefault("escalate_points", [])
    if inp.choice == "skip":
        answered.append("")
    elif inp.choice is not None or not inp.text:
        return Stay(t.gettext("Please type your answer."))
    elif not has_words(inp.text):
        return no_words(t)
    else:
        answered.append(inp.text)
    return Goto(_request_step(draft, ctx))


def _request_points(draft: Draft, ctx: Context, stage: Stage | None) -> list[list[str]]:
    """(point, answer) of the points asked, in the procedure's words (staff read English)."""
    answered = draft.pending.get("escalate_points")
    if stage is None or not isinstance(answered, list):
        return []
    return [
        [point, str(answer)] for point, answer in zip(stage.entry.points, answered, strict=False)
    ]


def ask_escalate(draft: Draft, ctx: Context, t: Translator) -> Question:
    stage = next_stage(ctx, draft.pending.get("reference"))
    if stage is not None:
        stage = ctx.procedure.localised(t.lang).stage(stage.number)
    buttons = {"send": t.gettext("Send my request"), "later": t.gettext("Not now")}
    if stage is None:
        return Question(no_further_stage(ctx, t), choices("escalate", {"later": buttons["later"]}))
    entry = stage.entry
    asked = "escalate_points" in draft.pending or "escalate_about" in draft.pending
    lines = [] if asked else _opening(stage, t)[:2]
    if asked and entry.points:
        lines.append(t.gettext("Is there anything else you would like to add?"))
    elif entry.with_reasons or not entry.points:
        lines.append(t.gettext("Please tell us why you are not satisfied."))
    if entry.points and not asked:
        points = "\n".join(f"{n}. {point}" for n, point in enumerate(entry.points, 1))
        lines.append(t.gettext("Please cover these points:") + "\n" + points)
    if entry.within is not None and not asked:
        lines.append(_opening(stage, t)[2])
    lines.append(
        t.gettext("You can send several messages and files. Tap Send my request when done.")
    )
    written = draft.pending.get("escalate_text")
    if isinstance(written, list) and written:
        lines.append(
            t.gettext(
                "You have written so far: \u201c{start}\u201d", start=shorten(" ".join(written))
            )
        )
    return Question("\n\n".join(lines), choices("escalate", buttons), Expect.FILE_OR_TEXT)


def handle_escalate(draft: Draft, inp: Input, ctx: Context, t: Translator) -> Result:
    written = draft.pending.setdefault("escalate_text", [])
    files = draft.pending.setdefault("escalate_files", [])
    if inp.choice == "later":
        return Goto("menu", note=t.gettext("That's fine. What you wrote is kept for now."))
    if inp.choice == "send":
        stage = next_stage(ctx, draft.pending.get("reference"))
        points = _request_points(draft, ctx, stage)
        if not written and not files and not any(answer for _, answer in points):
            return Stay(t.gettext("Please tell us why you are not satisfied first."))
        data = {
            "reference": draft.pending.get("reference"),
            "stage": stage.number if stage else None,
            "text": "\n\n".join(written),
            "files": list(files),
            "points": points,
            "about_handler": draft.pending.get("escalate_about") == "yes",
        }
        for key in ("escalate_text", "escalate_files", "escalate_points", "escalate_about"):
            draft.pending.pop(key, None)
        # The chat shows the confirmation with the new dates before this (services/).
        return Goto(
            "menu",
            text=t.gettext("What would you like to do now?"),
            effect=Effect.ESCALATE,
            data=data,
        )
    if inp.choice is not None or not (inp.text or inp.files):
        return Stay(t.gettext("Please type your answer."))
    if inp.text and not has_words(inp.text) and not inp.files:
        return no_words(t)
    if inp.text:
        written.append(inp.text)
    files.extend(_files(inp))
    return Stay(t.gettext("Thank you. You can add more, or tap Send my request."), repeat=False)


AFTER: tuple[Step, ...] = (
    Step(
        "menu",
        "What next? status / add information / not satisfied / my data / new",
        ask_menu,
        handle_menu,
        counted=False,
    ),
    Step("pick", "Which complaint", ask_pick, handle_pick, counted=False),
    Step(
        "add_info",
        "Add information (each message sent)",
        ask_add_info,
        handle_add_info,
        counted=False,
    ),
    Step(
        "escalate_about",
        "Not satisfied: is it about the next stage's usual handler?",
        ask_escalate_about,
        handle_escalate_about,
        counted=False,
    ),
    Step(
        "escalate_point",
        "Not satisfied: each point the next stage asks, one at a time (skippable)",
        ask_escalate_point,
        handle_escalate_point,
        counted=False,
    ),
    Step(
        "escalate",
        "Not satisfied: what the next stage asks",
        ask_escalate,
        handle_escalate,
        counted=False,
    ),
)
AFTER_BY_ID = {step.id: step for step in AFTER}


def with_reference(draft: Draft, reference: str) -> Draft:
    """The draft after storage created complaint `reference` from it (for add info/escalate)."""
    updated = draft.copy()
    if reference not in updated.submitted_refs:
        updated.submitted_refs.append(reference)
    return updated


def _form_name(draft: Draft, ctx: Context) -> str:
    form = ctx.procedure.complaint_form
    if form and kind(draft) == "complaint" and draft.answers.get("route") != "informal":
        return form.name
    return ""


def receipt(
    draft: Draft,
    ctx: Context,
    reference: str,
    handler_label: str,
    acknowledge_by: date | None,
    respond_by: date | None,
) -> Reply:
    """What to tell the person once storage has created the complaint."""
    t = translator(draft.lang)
    answers = draft.answers
    what = kind(draft)
    # The core (reference, who, when) is worded once, in procedures/letters.py.
    lines = [
        letters.receipt(
            t,
            ctx.procedure,
            kind=what or "complaint",
            reference=reference,
            handler_label=handler_label,
            acknowledge_by=acknowledge_by,
            respond_by=respond_by,
            form=_form_name(draft, ctx),
        )
    ]
    if what == "complaint":
        if answers.get("route") == "informal":
            lines.append(t.gettext("They will first try to sort it out informally with you."))
        when = answers.get("when")
        if isinstance(when, dict) and when.get("status") in ("late", "too_late"):
            lines.append(
                t.gettext(
                    "Because of the time limit, staff will first decide whether they can look "
                    "into it, and will tell you."
                )
            )
        if answers.get("behalf") == "other" and answers.get("behalf_consent") == "no":
            lines.append(
                t.gettext(
                    "A member of staff will contact you about getting the agreement of the "
                    "person it is for."
                )
            )
    lines.append(_how_we_reply(draft, ctx, t))
    if selected_adjustments(draft) or answers.get("adjustments_note"):
        lines.append(
            t.gettext(
                "We have noted what you need: {needs}.", needs=show_adjustments(draft, ctx, t)
            )
        )
    if what != "compliment" and not ctx.staff:
        lines.append(
            t.gettext(
                "If you are not happy with the reply, you can come back here and tap I am not "
                "satisfied with the response."
            )
        )
    lines.append(t.gettext("What would you like to do now?"))
    return Reply(
        text="\n\n".join(line for line in lines if line),
        choices=menu_choices(draft, ctx, t),
        expect=Expect.CHOICE,
        step="menu",
    )


def _how_we_reply(draft: Draft, ctx: Context, t: Translator) -> str:
    method = draft.answers.get("contact_method")
    if method == "email" and draft.answers.get("email"):
        return t.gettext("We will write to you at {email}.", email=draft.answers["email"])
    if method == "phone" and draft.answers.get("phone"):
        return t.gettext("We will phone you on {phone}.", phone=draft.answers["phone"])
    if method == "post":
        return t.gettext("We will write to you by post.")
    if method == "chat":
        return t.gettext("We will reply to you here.")
    return ""
