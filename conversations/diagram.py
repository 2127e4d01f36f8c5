# ruff: noqa: E501 - the Markdown table rows below cannot be wrapped
"""The dialogue drawn as a Mermaid flowchart, from the step tables themselves.

docs/dialogue.md embeds mermaid(); a test fails when the two differ, so the picture cannot
drift from the code. Regenerate with `python -m conversations.diagram > docs/dialogue.md`.
"""

from __future__ import annotations

from itertools import pairwise

from conversations.flow import Step
from conversations.followup import AFTER
from conversations.steps import STEPS

DOC_HEAD = """# The intake dialogue

Generated from `conversations.steps.STEPS` and `conversations.followup.AFTER` by
`python -m conversations.diagram > docs/dialogue.md`; `tests/conversations/test_diagram.py`
fails when this file is out of step with the code. The notes below the diagram are written by
hand in `conversations/diagram.py`.

"""

DOC_TAIL = """
## How to read it

- Solid arrows are the order of the questions. A dotted arrow skips the questions above it
  when their condition (in brackets) does not hold.
- Every question also understands **help**, **back** (previous question, answers kept),
  **talk to a person** (`Effect.CALLBACK_REQUEST`, the conversation goes on), **language**
  (`Effect.LANGUAGE_CHANGED`) and **cancel** (asks to confirm; `Effect.CANCELLED` keeps the
  draft 30 days, "delete my answers" gives `Effect.DELETE_DRAFT`). They come as buttons with
  ids `cmd:help`, `cmd:back`, `cmd:person`, `cmd:language`, `cmd:cancel`, or typed alone in
  English or the person's language. `conversations.commands.command_choices()` gives the
  buttons for a channel's footer.
- Choice ids are `<step>:<value>`; `Reply.step` names the question asked. A button whose id
  does not belong to the current question gets a kind "that button belongs to an earlier
  question" and the current question again. A question already answered (after **back**, or
  when changed from the summary) offers "Keep my answer" (`<step>:keep`).
- The progress hint ("Question 4 of 11") is the first line of `Reply.text`; `Reply.progress`
  repeats it as numbers for a progress bar. Language, privacy and the summary are not counted;
  the total follows the answers (asking for someone else adds three questions).
- Changing an answer from the summary returns to the summary, unless the change needs a new
  answer first (choosing email asks for the address, then returns).

## Bad input

- Control characters are removed (newlines and tabs kept), as are bidirectional overrides;
  right-to-left text is kept as written.
- An empty message, only emoji (where words are needed), a file where text is needed, a typed
  answer where a button is needed, or an old button: a short kind message and the question
  again. Files are always kept with the complaint; text typed at a button question that looks
  like part of the story (40+ characters) is kept as a note for staff.
- What happened (and added information) may be any length: each message is kept whole. Other
  free-text answers take up to 5,000 characters and names, email and phone up to 200; longer
  text is kept in full as a note for staff and a shorter answer is asked for.

## What the channel does with each effect

| Effect | Channel |
|---|---|
| SUBMIT | create the complaint from `to_new_complaint(draft)`, save the returned draft and `with_reference()` in the same transaction (on failure keep the previous draft), then show `receipt(...)` |
| CALLBACK_REQUEST | record a call-back request (`Reply.data`: step, and any phone, email, name given) |
| CANCELLED | keep the draft 30 days from `Draft.cancelled_on`, then delete it |
| DELETE_DRAFT | delete the stored draft and its files now (the returned draft is fresh) |
| STATUS / MY_DATA | show storage's answer, then `Reply.text` and its choices |
| ADD_INFO | add `data["text"]` and `data["files"]` to complaint `data["reference"]` |
| ESCALATE | ask for stage `data["stage"]` of `data["reference"]` with `data["text"]`, `data["files"]` |
| LANGUAGE_CHANGED | use `data["lang"]` for this person from now on |
"""


def _node(step: Step) -> str:
    return f'    {step.id}["{step.title}"]'


def mermaid() -> str:
    """The flowchart, in Mermaid syntax."""
    lines = ["flowchart TD"]
    lines += [_node(step) for step in STEPS]
    lines += [_node(step) for step in AFTER]
    lines.append('    sent(["Effect.SUBMIT: storage creates it; receipt"])')
    linear = [step for step in STEPS if step.id != "change"]
    for before, after in pairwise(linear):
        label = f"|{after.when}|" if after.when and after.when != before.when else ""
        lines.append(f"    {before.id} -->{label} {after.id}")
    # A dotted arrow over each run of questions that share a condition.
    index = 0
    while index < len(linear):
        condition = linear[index].when
        if not condition:
            index += 1
            continue
        end = index
        while end + 1 < len(linear) and linear[end + 1].when == condition:
            end += 1
        if index > 0 and end + 1 < len(linear):
            lines.append(f"    {linear[index - 1].id} -.->|otherwise| {linear[end + 1].id}")
        index = end + 1
    lines += [
        "    summary -->|change something| change",
        "    change -->|the chosen answer, then back| summary",
        "    summary -->|send| sent",
        "    sent --> menu",
        "    menu -->|add information| pick",
        "    menu -->|not satisfied| pick",
        "    pick --> add_info",
        "    pick --> escalate",
        "    add_info -->|done| menu",
        "    escalate -->|Effect.ESCALATE| menu",
        "    menu -->|another complaint| kind",
    ]
    return "\n".join(lines) + "\n"


def document() -> str:
    return f"{DOC_HEAD}```mermaid\n{mermaid()}```\n{DOC_TAIL}"


if __name__ == "__main__":
    print(document(), end="")
