"""What the procedure promises to tell the complainant, worded once for every channel.

Each function takes the person's Translator (their language, their date format) and plain
facts, and returns the text. Storage puts these texts in the outbox; the dialogue shows the
receipt. Staff's own words are passed through as they wrote them. The procedure's own texts
(stage names, handlers, bodies, points) are put in the person's language here, from the
procedure's translations (procedures/translations.py), whatever language the caller stored.
"""

from __future__ import annotations

from datetime import date

from locales import Translator
from procedures.model import Contact, ExternalBody, Procedure, Stage, TimeLimit, Unit
from procedures.translations import in_sentence


def _name(t: Translator, procedure: Procedure | None, text: str) -> str:
    """A handler or body name from the procedure, in the person's language, mid-sentence."""
    if procedure is None:
        return in_sentence(text)
    return procedure.say(text, t.lang, in_sentence=True)


def _stage(t: Translator, procedure: Procedure | None, stage: Stage) -> Stage:
    """The stage as the person reads it: its name, handler and points in their language."""
    if procedure is None:
        return stage
    try:
        return procedure.localised(t.lang).stage(stage.number)
    except KeyError:
        return stage


def _body(t: Translator, procedure: Procedure | None, body: ExternalBody) -> ExternalBody:
    if procedure is None:
        return body
    local = procedure.localised(t.lang)
    bodies = (procedure.external_body, *procedure.further_external_bodies)
    for original, translated in zip(
        bodies, (local.external_body, *local.further_external_bodies), strict=True
    ):
        if original == body and translated is not None:
            return translated
    return body


def limit_words(t: Translator, limit: TimeLimit) -> str:
    """ "5 working days", "2 weeks" in the person's language, with the right plural."""
    n = limit.amount
    if limit.unit is Unit.WORKING_DAYS:
        return t.ngettext("{n} working day", "{n} working days", n)
    if limit.unit is Unit.DAYS:
        return t.ngettext("{n} day", "{n} days", n)
    if limit.unit is Unit.WEEKS:
        return t.ngettext("{n} week", "{n} weeks", n)
    return t.ngettext("{n} month", "{n} months", n)


def _due(t: Translator, acknowledge_by: date | None, respond_by: date | None) -> list[str]:
    lines = []
    if acknowledge_by:
        lines.append(
            t.gettext("We will confirm we have it by {date}.", date=t.date(acknowledge_by))
        )
    if respond_by:
        lines.append(t.gettext("We aim to reply by {date}.", date=t.date(respond_by)))
    return lines


def receipt(
    t: Translator,
    procedure: Procedure,
    *,
    kind: str,
    reference: str,
    handler_label: str,
    acknowledge_by: date | None,
    respond_by: date | None,
    form: str = "",
) -> str:
    """The first message after submitting: reference, who handles it, when to expect what.

    `form`: the organisation's complaints form the answers filled in (Creative Alliance)."""
    if kind == "compliment":
        return "\n".join(
            [
                t.gettext("Thank you for your kind words."),
                t.gettext(
                    "We will share them with the team at {organisation}.",
                    organisation=procedure.localised(t.lang).organisation,
                ),
                t.gettext("Your reference is {reference}.", reference=reference),
            ]
        )
    if kind == "feedback":
        return "\n".join(
            [
                t.gettext("Thank you for your feedback."),
                t.gettext("Your reference is {reference}.", reference=reference),
                t.gettext("We read all feedback and use it to improve what we do."),
            ]
        )
    if kind == "enquiry":
        return "\n".join(
            [
                t.gettext("We have received your enquiry."),
                t.gettext("Your reference is {reference}.", reference=reference),
                t.gettext("It will be looked at by {handler}.", handler=handler_label),
                *_due(t, None, respond_by),
            ]
        )
    lines = [
        t.gettext("We have received your complaint."),
        t.gettext("Your reference is {reference}.", reference=reference),
        t.gettext("It will be looked at by {handler}.", handler=_name(t, procedure, handler_label)),
        *_due(t, acknowledge_by, respond_by),
    ]
    if form:
        lines.append(
            t.gettext(
                "Your answers fill in the {form}: we have added it to your complaint, so you "
                "do not need to send the form as well.",
                form=procedure.say(form, t.lang),
            )
        )
    return "\n".join(lines)


def acknowledgement(
    t: Translator,
    *,
    reference: str,
    handler_label: str,
    respond_by: date | None,
    by_phone: bool = False,
    procedure: Procedure | None = None,
) -> str:
    lines = [
        t.gettext("We have started looking at your complaint {reference}.", reference=reference),
        t.gettext("It is being handled by {handler}.", handler=_name(t, procedure, handler_label)),
    ]
    if respond_by:
        lines.append(t.gettext("We aim to reply by {date}.", date=t.date(respond_by)))
    if by_phone:
        lines.append(t.gettext("You asked for a phone call. We will call you."))
    return "\n".join(lines)


def supporter_copy(t: Translator, first_name: str) -> str:
    """The line above a copy sent to the person's supporter, saying why they have it."""
    if first_name:
        # TRANSLATORS: first line of a copy of our message sent to the helper someone named.
        return t.gettext(
            "You are getting this copy as the named supporter of {name}.", name=first_name
        )
    # TRANSLATORS: the same, when the person gave no name.
    return t.gettext("You are getting this copy because you were named as a supporter.")


# Channels where a letter cannot be answered by replying in a chat.
WRITTEN = ("email", "post")


def how_to_escalate(
    t: Translator,
    procedure: Procedure,
    next_stage: Stage,
    escalate_by: date | None,
    *,
    channel: str = "chat",
) -> str:
    """What to do if they are not satisfied: who, how, what to include, by when. In a chat
    they reply there; by email or post, they write to the next stage's handler."""
    next_stage = _stage(t, procedure, next_stage)
    lines = [
        t.gettext(
            "If you are not happy with this answer, you can ask for it to go to {stage}.",
            stage=next_stage.name,
        )
    ]
    if escalate_by:
        lines.append(t.gettext("Please ask by {date}.", date=t.date(escalate_by)))
    if next_stage.entry.with_reasons:
        lines.append(t.gettext("Please tell us why you are not satisfied."))
    if next_stage.entry.points:
        lines.append(t.gettext("It helps if you include:"))
        lines.extend(f"- {point}" for point in next_stage.entry.points)
    handler = next_stage.handler
    if channel in WRITTEN and contact_lines(t, handler.contact):
        lines.append(t.gettext("To ask, write to {handler}:", handler=handler.label))
        lines.extend(contact_lines(t, handler.contact))
    else:
        lines.append(t.gettext('To ask, reply "I am not satisfied" in this chat.'))
    return "\n".join(lines)


def contact_lines(t: Translator, contact: Contact) -> list[str]:
    """How to reach someone, one line per way the procedure gives."""
    lines = []
    if contact.address:
        lines.append(t.gettext("Address: {address}", address=contact.address))
    if contact.email:
        lines.append(t.gettext("Email: {email}", email=contact.email))
    if contact.phone:
        lines.append(t.gettext("Phone: {phone}", phone=contact.phone))
    if contact.website:
        lines.append(t.gettext("Website: {website}", website=contact.website))
    return lines


def _body_lines(body: ExternalBody) -> list[str]:
    """What the procedure says about an external body: how to reach it, and its note
    ("Only if CAT was commissioned ...")."""
    return [body.how_to_reach, body.note]


def external_body(
    t: Translator, body: ExternalBody, go_by: date | None, procedure: Procedure | None = None
) -> str:
    body = _body(t, procedure, body)
    lines = [
        t.gettext("This was the final stage of our complaints procedure."),
        t.gettext(
            "If you are still not satisfied, you can contact {body}.",
            body=_name(t, procedure, body.name),
        ),
        *_body_lines(body),
        *contact_lines(t, body.contact),
    ]
    if go_by:
        lines.append(t.gettext("Please contact them by {date}.", date=t.date(go_by)))
    return "\n".join(line for line in lines if line)


def further_body(t: Translator, body: ExternalBody, procedure: Procedure | None = None) -> str:
    """A body after the first external one (Cambridge Art Therapy: then the HCPC)."""
    body = _body(t, procedure, body)
    return "\n".join(
        line
        for line in (
            t.gettext(
                "After that, you can also contact {body}.", body=_name(t, procedure, body.name)
            ),
            *_body_lines(body),
            *contact_lines(t, body.contact),
        )
        if line
    )


def outcome_lines(t: Translator, *, apology: bool, policy_change: str) -> list[str]:
    """What a recorded outcome promises the person: the apology (Cambridge Art Therapy: "will
    receive an apology if a complaint is upheld") and any change to policy it led to."""
    lines = []
    if apology:
        lines.append(t.gettext("We are sorry for what went wrong, and we apologise."))
    if policy_change.strip():
        lines.append(
            t.gettext(
                "Because of your complaint, we have changed how we work: {change}",
                change=policy_change.strip(),
            )
        )
    return lines


def response(
    t: Translator,
    procedure: Procedure,
    *,
    reference: str,
    body: str,
    stage: Stage,
    escalate_by: date | None,
    extra_time: TimeLimit | None = None,
    outcome: list[str] | None = None,
    channel: str = "chat",
) -> str:
    """Staff's answer that ends a stage, followed by the way on from here (`channel`: where
    the letter goes, which decides how they ask for the next stage).

    `extra_time` is the allowance added to the person's window because they asked for it;
    `outcome`: the lines of the outcome recorded for this stage (outcome_lines).
    """
    parts = [
        t.gettext("Our answer to your complaint {reference}:", reference=reference),
        body,
        *(["\n".join(outcome)] if outcome else []),
    ]
    if stage.decision_final:
        parts.append(t.gettext("This decision is final."))
    if stage.final or stage.number == procedure.last_stage:
        if procedure.external_body:
            parts.append(external_body(t, procedure.external_body, escalate_by, procedure))
        parts.extend(further_body(t, body, procedure) for body in procedure.further_external_bodies)
    else:
        parts.append(
            how_to_escalate(
                t, procedure, procedure.stage(stage.number + 1), escalate_by, channel=channel
            )
        )
    if extra_time and escalate_by:
        parts.append(
            t.gettext(
                "You asked for extra time, so you have {time} longer than usual to do this.",
                time=limit_words(t, extra_time),
            )
        )
    return "\n\n".join(parts)


def enquiry_answer(t: Translator, *, reference: str, body: str) -> str:
    return "\n\n".join(
        [t.gettext("Our answer to your enquiry {reference}:", reference=reference), body]
    )


def name_needed(t: Translator, *, reference: str) -> str:
    """Asking someone who kept their name confidential whether to go on (Cambridge Art
    Therapy: "given the option whether or not to proceed")."""
    return "\n\n".join(
        [
            t.gettext(
                "We cannot look into your complaint {reference} fairly without telling the "
                "people investigating who you are.",
                reference=reference,
            ),
            t.gettext(
                "Do you agree that we share your name with them? Please reply yes or no. "
                "If you say no, we will tell you whether we can go on without it."
            ),
            t.gettext("You can reply in this chat."),
        ]
    )


def staff_message(t: Translator, *, reference: str, body: str) -> str:
    return "\n\n".join(
        [t.gettext("A message about your complaint {reference}:", reference=reference), body]
    )


def information_request(t: Translator, *, reference: str, question: str) -> str:
    return "\n\n".join(
        [
            t.gettext(
                "We need a little more information about your complaint {reference}.",
                reference=reference,
            ),
            question,
            t.gettext("You can reply in this chat."),
        ]
    )


def extension(
    t: Translator, *, reference: str, new_date: date, reason: str, missed: date | None = None
) -> str:
    """A due date moved; `missed`: the reply date had already passed (the holding message)."""
    if missed is not None:
        return holding(t, reference=reference, missed=missed, new_date=new_date, reason=reason)
    return "\n\n".join(
        [
            t.gettext(
                "We are sorry: we need more time for your complaint {reference}.",
                reference=reference,
            ),
            reason,
            t.gettext("We will now reply by {date}.", date=t.date(new_date)),
        ]
    )


def escalation_received(
    t: Translator,
    *,
    reference: str,
    stage: Stage,
    acknowledge_by: date | None,
    respond_by: date | None,
    late: bool,
    procedure: Procedure | None = None,
    handler_label: str | None = None,
) -> str:
    """`handler_label`: who the stage went to, when not its usual handler (CAST: the Board
    of Directors, when the request is about the line manager)."""
    stage = _stage(t, procedure, stage)
    handler = (
        _name(t, procedure, handler_label) if handler_label else _name(t, None, stage.handler.label)
    )
    lines = [
        t.gettext(
            "We have your request to take complaint {reference} to {stage}.",
            reference=reference,
            stage=stage.name,
        ),
        t.gettext("It will be looked at by {handler}.", handler=handler),
    ]
    if late:
        lines.append(
            t.gettext(
                "Your request came after the time limit. Staff will decide whether it can "
                "still go ahead, and tell you."
            )
        )
    lines.extend(_due(t, acknowledge_by, respond_by))
    return "\n".join(lines)


def referred(t: Translator, procedure: Procedure, *, reference: str) -> str:
    body = procedure.localised(t.lang).external_body
    if body is None:
        return t.gettext("Complaint {reference} has been closed.", reference=reference)
    return "\n".join(
        [
            t.gettext(
                "Complaint {reference} has been referred to {body}.",
                reference=reference,
                body=_name(t, None, body.name),
            ),
            *(line for line in _body_lines(body) if line),
            *contact_lines(t, body.contact),
        ]
    )


def closed(t: Translator, *, reference: str) -> str:
    return "\n".join(
        [
            t.gettext("Complaint {reference} is now closed.", reference=reference),
            t.gettext("Thank you for telling us. It helps us improve."),
        ]
    )


def late_accepted(t: Translator, *, reference: str, reason: str) -> str:
    """Made outside the complaint window, accepted at the discretion the procedure names."""
    return "\n\n".join(
        [
            t.gettext(
                "Your complaint {reference} was made after our usual time limit. We have "
                "decided to look into it.",
                reference=reference,
            ),
            t.gettext("The reason: {reason}", reason=reason),
        ]
    )


def late_declined(t: Translator, *, reference: str, reason: str) -> str:
    """Made outside the complaint window, and not accepted: the case closes."""
    return "\n\n".join(
        [
            t.gettext(
                "Your complaint {reference} was made after our time limit for complaints. "
                "We have decided that we cannot look into it, and it is now closed.",
                reference=reference,
            ),
            t.gettext("The reason: {reason}", reason=reason),
        ]
    )


def withdrawn(t: Translator, *, reference: str) -> str:
    return t.gettext(
        "Complaint {reference} has been withdrawn, as you asked. You can make a new "
        "complaint at any time.",
        reference=reference,
    )


def status(
    t: Translator,
    *,
    reference: str,
    kind: str,
    status: str,
    stage_name: str,
    handler_label: str,
    acknowledge_by: date | None,
    respond_by: date | None,
    escalate_by: date | None,
    procedure: Procedure | None = None,
) -> str:
    """One case in "status of my complaints": where it is and what to expect next."""
    if kind != "complaint":
        return t.gettext("{reference}: thank you, we have recorded it.", reference=reference)
    words = {
        "open": t.gettext("received, waiting to be looked at"),
        "informal": t.gettext("being looked at informally"),
        "acknowledged": t.gettext("being looked at"),
        "awaiting_complainant": t.gettext("waiting for information from you"),
        "responded": t.gettext("answered"),
        "referred": t.gettext("referred to an independent body"),
        "closed": t.gettext("closed"),
        "withdrawn": t.gettext("withdrawn"),
    }
    lines = [
        t.gettext("{reference}: {state}.", reference=reference, state=words.get(status, status)),
        t.gettext(
            "Stage: {stage}, with {handler}.",
            stage=procedure.say(stage_name, t.lang) if procedure else stage_name,
            handler=_name(t, procedure, handler_label),
        ),
    ]
    if status in ("open", "informal", "acknowledged", "awaiting_complainant") and respond_by:
        lines.append(t.gettext("We aim to reply by {date}.", date=t.date(respond_by)))
    elif status == "open" and acknowledge_by:
        lines.append(
            t.gettext("We will confirm we have it by {date}.", date=t.date(acknowledge_by))
        )
    if status == "responded" and escalate_by:
        lines.append(
            t.gettext(
                "If you are not happy with our answer, you can ask for a review until {date}.",
                date=t.date(escalate_by),
            )
        )
    return "\n".join(lines)


def holding(t: Translator, *, reference: str, missed: date, new_date: date, reason: str) -> str:
    """The promised reply date passed without a reply; staff have set a new one."""
    return "\n\n".join(
        line
        for line in (
            t.gettext(
                "We are sorry: we have not been able to reply to your complaint {reference} "
                "by {date}, as we said we would.",
                reference=reference,
                date=t.date(missed),
            ),
            reason,
            t.gettext("We will reply by {date}.", date=t.date(new_date)),
        )
        if line
    )


def restriction_notice(
    t: Translator,
    *,
    organisation: str,
    restriction: str,
    reason: str,
    review_on: date,
    contact_name: str,
) -> str:
    """A written notice of a contact arrangement: what, why, until when, and what stays."""
    lines = [
        t.gettext(
            "We are writing to tell you about a change to how you can contact {organisation}.",
            organisation=organisation,
        ),
        t.gettext("What changes: {restriction}", restriction=restriction),
        t.gettext("Why: {reason}", reason=reason),
    ]
    if contact_name:
        lines.append(
            t.gettext("Your contact from now on is {name}.", name=contact_name),
        )
    lines += [
        t.gettext("We will review this on {date}.", date=t.date(review_on)),
        t.gettext(
            "We will still look at any new complaint you make. If you disagree with this "
            "decision, you can tell us why and we will consider it."
        ),
        t.gettext("To ask for a review of this decision, reply to this message and tell us why."),
    ]
    return "\n\n".join(lines)


def restriction_lifted(t: Translator, *, organisation: str) -> str:
    return t.gettext(
        "The arrangement for contacting {organisation} has ended. You can contact us in "
        "any way again.",
        organisation=organisation,
    )
