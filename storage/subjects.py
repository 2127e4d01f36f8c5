"""Who a complaint's "which member of staff" answer could mean, from the first second.

At submission the answer is matched against every staff account's name, its aliases ("Mary",
"the centre manager") and the procedure's labels of the roles it holds. Every account it could
mean becomes a candidate (storage/visibility.py hides the case from candidates, alerts skip
them); an answer that matches nobody holds the case for the leads. A lead who is not named
confirms or corrects the match in the triage queue (visibility.settle_subject).

Matching is deliberately generous: hiding a case from one account too many costs a lead a
click; showing it to the person complained about breaks the promise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.model import Procedure
from storage.models import AuditEvent, Complaint, StaffUser, SubjectCandidate
from storage.visibility import NAMED, UNMATCHED

# Words that say nothing about who is meant ("the man", "Mrs", "staff").
_FILLER = """
    a an and the of to at in on for with my our your his her their this that who which
    mr mrs ms miss mx dr sir madam lady man woman person member staff worker someone somebody
    one he she they him them called named name is was from there here team
"""
FILLER = frozenset(_FILLER.split())


def normalise(text: str) -> str:
    """Case- and accent-insensitive, punctuation as spaces: "Zoë O'Brien" -> "zoe o brien"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def _words(text: str) -> set[str]:
    return {w for w in normalise(text).split() if len(w) >= 2 and w not in FILLER}


def _phrase_in(phrase: str, answer: str) -> bool:
    phrase = normalise(phrase)
    return bool(phrase) and f" {phrase} " in f" {answer} "


def role_labels(procedure: Procedure) -> dict[str, set[str]]:
    """Each handler role with the words staff and complainants use for it."""
    labels: dict[str, set[str]] = {}
    for stage in procedure.stages:
        handler = stage.handler
        labels.setdefault(handler.role, set()).update({handler.role, handler.label})
        if handler.alternative_role:
            labels.setdefault(handler.alternative_role, set()).add(handler.alternative_role)
            if handler.alternative_label:
                labels[handler.alternative_role].add(handler.alternative_label)
    return labels


def could_mean(
    answer: str,
    name: str,
    aliases: Iterable[str],
    roles: Iterable[str],
    labels: dict[str, set[str]],
) -> bool:
    """True when the answer could be about this account.

    A word of the answer that is a word of the name (first name or surname alone), or an
    alias or role label that appears in the answer, or the answer inside an alias."""
    said = normalise(answer)
    if not said:
        return False
    if _words(answer) & _words(name):
        return True
    for alias in aliases:
        if _phrase_in(alias, said) or (len(said) >= 3 and _phrase_in(said, normalise(alias))):
            return True
    for role in roles:
        for label in labels.get(role, ()):
            label_words = _words(label)
            if label_words and label_words <= _words(answer):
                return True
    return False


async def flag_at_submission(
    session: AsyncSession, procedure: Procedure, complaint: Complaint, now: datetime
) -> None:
    """Record the candidates of a complaint that names a member of staff, in its transaction.

    A complaint routed by role (about_role) is already hidden from every holder of it."""
    answer = (complaint.about_staff or "").strip()
    if not answer or complaint.about_role:
        return
    labels = role_labels(procedure)
    accounts = await session.scalars(select(StaffUser))
    matched = [
        row.id
        for row in accounts
        if could_mean(answer, row.name, row.aliases or (), row.roles or (), labels)
    ]
    for staff_id in matched:
        session.add(SubjectCandidate(complaint_id=complaint.id, staff_id=staff_id))
    complaint.triage = NAMED if matched else UNMATCHED
    session.add(
        AuditEvent(
            at=now,
            staff_id=None,
            actor="system",
            action="subject_match",
            complaint_id=complaint.id,
            detail=f"{len(matched)} possible accounts, waiting for a lead",
        )
    )
