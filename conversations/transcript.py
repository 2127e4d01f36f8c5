"""The conversation so far, rebuilt from the draft: each question asked and what was answered.

A page reloaded in the middle shows it above the open question, so the person sees what they
already said. It is rebuilt (not stored): the draft already holds every answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.context import Context
from conversations.flow import Step
from conversations.model import Draft
from conversations.steps import STEPS, description_parts
from locales import translator


@dataclass(frozen=True)
class Said:
    text: str
    mine: bool  # what the person sent, or what the assistant asked


def transcript(draft: Draft, ctx: Context) -> list[Said]:
    """Questions and answers of this complaint up to the question being asked now."""
    if draft.submitted or draft.step in ("language", "privacy"):
        return []
    t = translator(draft.lang)
    said: list[Said] = []
    for step in STEPS:
        if step.id == draft.step or step.id in ("summary", "change"):
            break
        if not step.label or not step.show or not step.applies(draft, ctx):
            continue
        if not step.is_answered(draft):
            continue
        # The question as first asked: without its own answer (no "You have told us ...").
        fresh = draft.copy()
        for key in step.keys:
            fresh.answers.pop(key, None)
        said.append(Said(step.ask(fresh, ctx, t).text, mine=False))
        said += [Said(text, mine=True) for text in _answers(draft, step, ctx)]
    return said


def _answers(draft: Draft, step: Step, ctx: Context) -> list[str]:
    if step.id == "description":
        files = draft.answers.get("files")
        names = [f"📎 {f.get('name', '')}" for f in files or [] if isinstance(f, dict)]
        return [*description_parts(draft), *names]
    value = draft.answers.get(step.id)
    shown = step.show(draft, ctx, translator(draft.lang)) if step.show else ""
    # Typed answers whole; the read-back shortens long ones.
    if isinstance(value, str) and shown.endswith("…") and len(value) > len(shown):
        return [value]
    return [shown] if shown else []
