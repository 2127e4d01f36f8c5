"""The guided intake dialogue, as pure logic over plain data (see DESIGN.md, docs/dialogue.md).

- conversations.model: Answer, FileRef, Reply, Choice, Expect, Effect, Draft.
- conversations.intake: Context, start(), step(), to_new_complaint().
- conversations.followup: receipt(), with_reference() and the after-sending menu.
- conversations.steps: the questions, in order (the table the diagram is drawn from).

No Telegram, HTTP or SQL here: channels turn messages into Answers and render Replies, and
storage saves the Draft as JSON after every answer.
"""
