"""One answer from any channel: load the draft, step the dialogue, carry out its effect, save.

Every channel (Telegram, web chat, console, staff-assisted intake) calls `ChatRunner.handle`
with a plain Answer; the runner is the only place where the pure dialogue meets storage.
The draft is read without a lock and the answer worked out; then one write transaction
records the update id, carries out the effect (submitting a complaint) and saves the draft
(storage/drafts.py). So a crash loses nothing the person was told was kept, and a repeated
update id changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import followup, intake
from conversations.context import CaseFacts, Context
from conversations.model import Answer, Draft, Effect, Reply
from conversations.transcript import Said, transcript
from locales import Translator, translator
from procedures import letters, lifecycle
from procedures.case import CASE_KINDS, Received
from procedures.lifecycle import Actor, Facts, Status
from procedures.model import Procedure
from services.actions import facts_of
from storage.drafts import DraftChanged, Snapshot, Turn
from storage.errors import CaseError
from storage.people import person_id_for
from storage.runtime import Storage
from storage.views import CaseView, ReceiptFacts, Submitted

log = logging.getLogger(__name__)

# Reply.data key: the outbox row a reply shows, for the channel to confirm it was seen.
OUTBOX_ID = "outbox_id"
# Locked attempts after a lost race; only two first answers creating one draft can need >1.
RETRIES = 3
RECEIVED_VIA: dict[str, Received] = {
    "telegram": Received.TELEGRAM,
    "webchat": Received.WEBCHAT,
    "console": Received.CONSOLE,
}


@dataclass(frozen=True)
class SubmitAs:
    """Who submits: the chat identity to attach, whether the receipt is shown inline (in the
    chat) or queued for the channel the person chose, and the member of staff, if any."""

    channel: str | None
    external_id: str | None
    inline: bool
    staff_id: int | None
    received: Received | None


class ChatRunner:
    def __init__(self, storage: Storage, channel: str) -> None:
        self.storage = storage
        self.channel = channel
        self.clock = storage.clock
        self.submitted: Submitted | None = None  # set by the turn that submitted

    def today(self) -> date:
        return self.clock().astimezone(self.storage.settings.zone).date()

    def context(self, case_stage: int = 1, cases: tuple[CaseFacts, ...] = ()) -> Context:
        return Context(
            procedure=self.storage.procedure,
            today=self.today(),
            channel=self.channel,
            case_stage=case_stage,
            cases=cases,
        )

    async def current(
        self, external_id: str, lang_hint: str | None = None, *, welcome: bool = True
    ) -> Reply:
        """The question the person is on now (or the first one), without changing anything;
        `welcome=False` when they never left (a refused file, a form sent again)."""
        snapshot = await self.storage.drafts.read(self.channel, external_id, None)
        draft = Draft.from_dict(snapshot.data) if snapshot.data is not None else None
        ctx = await self._case_context(snapshot.person_id, draft)
        return intake.start(draft, ctx, lang_hint, welcome=welcome)[1]

    async def transcript(self, external_id: str) -> list[Said]:
        """This complaint's questions and answers so far, for a page opened again."""
        data = await self.storage.drafts.load(self.channel, external_id)
        if data is None:
            return []
        return transcript(Draft.from_dict(data), self.context())

    async def handle(
        self,
        external_id: str,
        answer: Answer | None,
        *,
        update_id: str | None = None,
        lang_hint: str | None = None,
    ) -> list[Reply] | None:
        """Replies to show, in order; None when this update was already handled."""
        try:
            return await self._turn(external_id, answer, update_id, lang_hint)
        except CaseError as error:
            # Nothing of this turn was saved: the person's earlier answers are all kept and
            # they can try again; staff see the reason in the log.
            log.warning("%s turn could not be completed: %s", self.channel, error)
            t = translator(lang_hint)
            return [
                Reply(
                    text=t.gettext(
                        "Sorry, something went wrong and that was not sent. Your answers are "
                        "kept. Please try again in a moment."
                    )
                )
            ]

    async def _turn(
        self, external_id: str, answer: Answer | None, update_id: str | None, lang_hint: str | None
    ) -> list[Reply] | None:
        """Answer optimistically (the dialogue runs outside any lock); if another answer from
        the same chat was saved meanwhile, answer again inside the write lock, which cannot
        lose a race (the draft row is locked, or on SQLite the whole database)."""
        snapshot = await self.storage.drafts.read(self.channel, external_id, update_id)
        if snapshot.seen:
            return None
        try:
            return await self._answer(external_id, answer, update_id, lang_hint, snapshot)
        except DraftChanged:
            log.info("%s: two answers from one chat at once; answering again", self.channel)
        for _ in range(RETRIES):  # only a brand-new draft created twice at once gets here
            try:
                return await self._answer(external_id, answer, update_id, lang_hint, None)
            except DraftChanged:
                continue
        raise DraftChanged("the draft kept changing")

    async def _step(
        self, snapshot: Snapshot, answer: Answer | None, lang_hint: str | None
    ) -> tuple[Draft, Reply, Context]:
        """The pure dialogue's answer to `answer`, from the draft in `snapshot`."""
        draft = Draft.from_dict(snapshot.data) if snapshot.data is not None else None
        ctx = await self._case_context(snapshot.person_id, draft)
        if answer is None or draft is None:
            # First contact, or /start: the page already showed the first question, so an
            # answer that arrives with it still counts.
            draft, reply = intake.start(draft, ctx, lang_hint)
        if answer is not None:
            draft, reply = intake.step(draft, answer, ctx)
        return draft, reply, ctx

    async def _answer(
        self,
        external_id: str,
        answer: Answer | None,
        update_id: str | None,
        lang_hint: str | None,
        snapshot: Snapshot | None,
    ) -> list[Reply] | None:
        """One attempt. With a snapshot, the dialogue ran before the lock; without, the
        draft is read and answered inside it."""
        planned = await self._step(snapshot, answer, lang_hint) if snapshot else None
        async with self.storage.drafts.write(
            self.channel, external_id, update_id, snapshot, now=self.clock()
        ) as turn:
            if turn.duplicate:
                return None
            draft, reply, ctx = planned or await self._step(turn.snapshot, answer, lang_hint)
            replies = [reply]
            follow = await self._effect(turn, external_id, draft, reply, ctx)
            if follow is not None:
                draft, more = follow
                # What was asked for (status, my data) comes before the question that stays
                # open; a receipt or a confirmation comes after the answer.
                answered_first = reply.effect in (Effect.STATUS, Effect.MY_DATA)
                replies = [*more, reply] if answered_first else [reply, *more]
                if reply.effect is Effect.ESCALATE:
                    replies = more  # the confirmation already ends with the menu
            turn.data = draft.to_dict()
            if reply.effect is Effect.DELETE_DRAFT:
                turn.delete()
        return replies

    def submit_as(self, external_id: str) -> SubmitAs:
        """How this channel submits; the staff view's assisted intake submits differently."""
        return SubmitAs(
            channel=self.channel,
            external_id=external_id,
            inline=True,
            staff_id=None,
            received=RECEIVED_VIA.get(self.channel),
        )

    async def _submit(
        self, turn: Turn, external_id: str, draft: Draft, ctx: Context
    ) -> tuple[Draft, list[Reply]]:
        how = self.submit_as(external_id)
        new = intake.to_new_complaint(draft, how.received)
        shown: list[Reply] = []

        def wording(facts: ReceiptFacts) -> str:
            # The outbox keeps exactly the receipt the person is shown; its menu offers what
            # the lifecycle table allows for the case just made.
            informal = new.kind.value == "complaint" and not new.formal
            status = lifecycle.initial(is_case=new.kind.value in CASE_KINDS, informal=informal)
            made = CaseFacts(
                reference=facts.reference,
                facts=Facts.of(
                    self.storage.procedure,
                    status=status,
                    kind=facts.kind,
                    stage=(0 if informal else 1) if status is not Status.RECORDED else None,
                    respond_by=facts.respond_by,
                    today=self.today(),
                ),
            )
            shown.append(
                followup.receipt(
                    followup.with_reference(draft, facts.reference),
                    replace(ctx, cases=(made, *ctx.cases)),
                    facts.reference,
                    facts.handler_label,
                    facts.acknowledge_by,
                    facts.respond_by,
                )
            )
            return shown[0].text

        done = await self.storage.cases.submit(
            new,
            channel=how.channel,
            external_id=how.external_id,
            inline=how.inline,
            staff_id=how.staff_id,
            session=turn.session,
            wording=wording,
        )
        log.info("complaint %s submitted via %s", done.reference, self.channel)
        self.submitted = done
        turn.person_id = done.person_id
        if done.receipt_outbox_id is not None:
            # The channel confirms this row once the person has been shown the receipt.
            shown = [replace(r, data={**r.data, OUTBOX_ID: done.receipt_outbox_id}) for r in shown]
        return followup.with_reference(draft, done.reference), shown

    async def _case_context(self, person_id: int | None, draft: Draft | None) -> Context:
        """The context, with the person's cases as the lifecycle table sees them: the
        follow-up menu and "I am not satisfied" offer what the table allows."""
        if person_id is None or draft is None or not draft.submitted:
            return self.context()
        views = await self.storage.cases.cases_of(person_id)
        today = self.today()
        procedure = self.storage.procedure
        cases = tuple(
            CaseFacts(reference=v.reference, facts=facts_of(procedure, v, today))
            for v in views  # comments too: the menu must not offer what they cannot take
        )
        return self.context(views[0].current_stage if views else 1, cases)

    async def _effect(
        self,
        turn: Turn,
        external_id: str,
        draft: Draft,
        reply: Reply,
        ctx: Context,
    ) -> tuple[Draft, list[Reply]] | None:
        """Carry out what the reply asks of storage; return follow-up replies, if any."""
        session = turn.session
        effect = reply.effect
        t = translator(draft.lang)
        if effect is Effect.SUBMIT:
            return await self._submit(turn, external_id, draft, ctx)
        if effect is Effect.CALLBACK_REQUEST:
            await self.storage.drafts.request_callback(
                session, self.channel, external_id, reply.data.get("note", ""), now=self.clock()
            )
            log.info("call back requested via %s", self.channel)
            return None
        if effect in (Effect.STATUS, Effect.MY_DATA):
            views = await self._cases(session, external_id)
            text = (
                status_text(t, views, ctx.procedure)
                if effect is Effect.STATUS
                else my_data_text(t, views)
            )
            return draft, [Reply(text=text)]
        if effect in (Effect.ADD_INFO, Effect.ESCALATE):
            return await self._follow_up(session, external_id, draft, reply)
        return None

    async def _cases(self, session: AsyncSession, external_id: str) -> list[CaseView]:
        person_id = await person_id_for(session, self.channel, external_id)
        if person_id is None:
            return []
        return await self.storage.cases.cases_of(person_id, session=session)

    async def _follow_up(
        self, session: AsyncSession, external_id: str, draft: Draft, reply: Reply
    ) -> tuple[Draft, list[Reply]]:
        t = translator(draft.lang)
        views = await self._cases(session, external_id)
        reference = str(reply.data.get("reference") or (views[0].reference if views else ""))
        case = next((v for v in views if v.reference == reference), None)
        if case is None:
            return draft, [Reply(text=t.gettext("We could not find that complaint."))]
        text = str(reply.data.get("text", ""))
        files = tuple(file_refs(reply.data.get("files", ())))
        cases = self.storage.cases
        letter: list[tuple[str, int]] = []
        try:
            # A savepoint: a refused follow-up undoes only itself, and the turn still saves.
            async with session.begin_nested():
                if reply.effect is Effect.ADD_INFO:
                    await cases.add_information(case.id, text, attachments=files, session=session)
                else:
                    await cases.escalate(
                        case.id,
                        reasons=text,
                        attachments=files,
                        by=Actor.COMPLAINANT,
                        letter=letter,
                        shown_in=(self.channel, external_id),
                        session=session,
                    )
            if reply.effect is Effect.ESCALATE:
                # One confirmation: the letter with the new stage's dates, then the menu; the
                # letter's outbox row is confirmed when the chat shows it.
                text = "\n\n".join([*(words for words, _ in letter), reply.text])
                data = {**reply.data, OUTBOX_ID: letter[0][1]} if letter else reply.data
                return draft, [replace(reply, text=text, data=data)]
            message = t.gettext(
                "Thank you. We have added this to complaint {reference}.", reference=reference
            )
        except CaseError as error:
            log.info("follow-up on %s refused: %s", reference, error)
            if reply.effect is Effect.ESCALATE:
                # Nothing they wrote or sent is lost: it goes on the case for staff. (The
                # refused attempt's version claim was rolled back: forget what it loaded.)
                session.expire_all()
                async with session.begin_nested():
                    await cases.add_information(case.id, text, attachments=files, session=session)
            message = t.gettext(
                "We could not do that for complaint {reference}. A member of staff will "
                "look at your message.",
                reference=reference,
            )
        if reply.effect is Effect.ESCALATE:  # one message, with the menu's buttons
            return draft, [replace(reply, text="\n\n".join([message, reply.text]))]
        return draft, [Reply(text=message)]


def file_refs(files: object) -> list[str]:
    """The content hashes of the files a follow-up carries (FileRef dicts, or hashes)."""
    found = []
    for file in files if isinstance(files, list | tuple) else ():
        ref = file.get("ref") if isinstance(file, dict) else file
        if isinstance(ref, str) and ref:
            found.append(ref)
    return found


def status_text(t: Translator, views: list[CaseView], procedure: Procedure | None = None) -> str:
    if not views:
        return t.gettext("You have not made a complaint with us yet.")
    return "\n\n".join(
        letters.status(
            t,
            reference=v.reference,
            kind=v.kind,
            status=v.status,
            stage_name=v.stage.name if v.stage else "",
            handler_label=v.stage.handler_label if v.stage else "",
            acknowledge_by=v.stage.acknowledge_by if v.stage else None,
            respond_by=v.stage.respond_by if v.stage else None,
            escalate_by=v.stage.escalate_by if v.stage else None,
            procedure=procedure,
        )
        for v in views
    )


def my_data_text(t: Translator, views: list[CaseView]) -> str:
    lines = [t.gettext("This is what we hold about you:")]
    for v in views:
        lines.append(
            t.gettext(
                "{reference} ({kind}), made on {date}: {description}",
                reference=v.reference,
                kind=v.kind,
                date=t.date(v.created_at.date()),
                description=v.description[:300],
            )
        )
    lines.append(
        t.gettext("To ask for a full copy, or for us to delete it, tell a member of staff.")
    )
    return "\n".join(lines)
