"""Thin handlers: turn an update into the dialogue's Answer, show the replies, nothing else.

Identity is the numeric Telegram user id (never the username, which people can change).
The update id goes to the dialogue with every answer, so a redelivered update changes
nothing and is not answered twice.
"""

from __future__ import annotations

import asyncio
import logging
import traceback

from telegram import CallbackQuery, Message, Update, User
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.telegram.commands import commands_for_chat
from bot.telegram.context import CHANNEL, Context
from bot.telegram.files import DownloadFailed, TooLarge, download, incoming_file
from bot.telegram.render import HASHED, answered, render, resolve
from bot.unsaved import unsaved_words
from conversations.model import Answer, Effect, FileRef, Reply
from locales import Translator, translator
from services.limits import Sender
from storage.attachments import AttachmentRefused
from storage.delivery import DeliveryStore

log = logging.getLogger(__name__)

MB = 1024 * 1024
PRIVATE = filters.ChatType.PRIVATE
FILES = filters.PHOTO | filters.Document.ALL | filters.VOICE | filters.AUDIO | filters.VIDEO

# Commands the dialogue itself understands, as the button ids it recognises.
DIALOGUE_COMMANDS = {
    "help": "cmd:help",
    "language": "cmd:language",
    "cancel": "cmd:cancel",
    "status": "cmd:status",  # answered first, then the open question is asked again
    "mydata": "cmd:mydata",
}
KEYBOARD = "keyboard_message_id"  # chat_data: the message whose buttons are live


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Every handler, most specific first; only private chats are served."""
    application.add_handler(CommandHandler("start", on_start, filters=PRIVATE))
    for name in DIALOGUE_COMMANDS:
        application.add_handler(CommandHandler(name, on_command, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(on_button))
    # Other /words go to the dialogue as text: it knows "/back", "/person" and the like.
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT, on_text))
    application.add_handler(MessageHandler(PRIVATE & FILES, on_file))
    application.add_handler(MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, on_other))
    application.add_error_handler(on_error)


# -- handlers ------------------------------------------------------------------------------


async def on_start(update: Update, context: Context) -> None:
    """Begin, or show where the person left off."""
    await converse(update, context, None)


async def on_command(update: Update, context: Context) -> None:
    """/help, /language, /cancel, /status, /mydata: the dialogue's own commands."""
    message = _message(update)
    name = (message.text or "").split()[0].lstrip("/").split("@")[0].lower()
    await converse(update, context, Answer(choice=DIALOGUE_COMMANDS[name]))


async def on_text(update: Update, context: Context) -> None:
    """Typed text is an answer to the current question."""
    await converse(update, context, Answer(text=_message(update).text or ""))


async def on_button(update: Update, context: Context) -> None:
    """Answer the press, pass the choice on, and mark the question as answered."""
    query = update.callback_query
    assert query is not None
    # The spinner stops while the turn is worked out: one round trip off the reply's wait.
    answering = asyncio.create_task(_answer_query(query))
    try:
        data = query.data or ""
        choice = data
        if data.startswith(HASHED):
            current = await context.runner.current(str(query.from_user.id))
            choice = resolve(data, current.choices)
        replies = await _handle(update, context, Answer(choice=choice))
        if replies is None:
            return
        _forget_keyboard(context, query)  # marked below: _show need not edit it too
        await _show(update, context, replies)  # the reply first, then tidy the question
        await _mark_answered(query, data)
    finally:
        await answering


async def on_file(update: Update, context: Context) -> None:
    """Store a photo, document or voice note, then pass it on with its caption.

    Only where the conversation takes files, within the per-complaint count and the bytes
    per person in an hour (services/limits.py): a file refused for that is not downloaded."""
    message = _message(update)
    incoming = incoming_file(message)
    assert incoming is not None, "FILES filter"
    limit = context.max_file_bytes
    user = _user(update)
    asked, draft = await context.runner.asking(str(user.id), user.language_code)
    lang = str(draft.get("lang")) if draft and draft.get("lang") else user.language_code or "en"
    t = translator(lang)
    limits = context.runner.limits
    if refused := limits.place_refusal(asked, draft, 0, lang):
        log.info("telegram file not taken: not at a step that takes files, or too many")
        await message.reply_text(refused)
        return
    try:
        if incoming.size is not None and incoming.size > limit:
            raise TooLarge  # checked before downloading anything
        data = await download(context.bot, context.downloads, incoming.file_id, limit)
        sender = Sender(CHANNEL, str(user.id))
        if refused := await limits.file_refusal(sender, asked, draft, len(data), 0, lang):
            log.info("telegram file not taken: bytes per person per hour")
            await message.reply_text(refused)
            return
        stored = await context.storage.attachments.save(
            data,
            name=incoming.name,
            mime_type=incoming.mime,
            kind=incoming.kind,
            now=context.runner.clock(),
        )
    except (TooLarge, AttachmentRefused) as refused:
        if isinstance(refused, AttachmentRefused) and str(refused) == "unsupported":
            text = t.gettext(
                "Sorry, I can't keep that kind of file. Please send a photo, a PDF or Word "
                "document, or a voice note."
            )
        else:
            text = t.gettext(
                "Sorry, that file is too big. Please send files smaller than {size} MB.",
                size=limit // MB,
            )
        await message.reply_text(text)
        return
    except DownloadFailed as failure:
        log.warning("could not download a file from Telegram: %s", failure)
        await message.reply_text(
            t.gettext("Sorry, I could not receive that file. Please try sending it again.")
        )
        return
    ref = FileRef(stored.sha256, stored.name, stored.mime_type, stored.size, stored.kind)
    await converse(update, context, Answer(text=message.caption or "", files=(ref,)))


async def on_other(update: Update, context: Context) -> None:
    """Stickers, locations and the like: say what we can read; the conversation goes on."""
    t = await _translator(update, context)
    await _message(update).reply_text(
        t.gettext("Sorry, I can only read text, photos, documents and voice notes.")
    )


async def on_error(update: object, context: Context) -> None:
    """Log a failure for staff (no message text, no token) and apologise to the person."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):  # blocked the bot: nobody to apologise to
        log.info("telegram update %s: %s", update_id, type(error).__name__)
        return
    # A full disk: storage/health.py has told staff once; the person is asked to try later.
    unsaved = context.storage.health.noticed(error)
    if not unsaved:
        # Only the frames: exception messages can quote the person's words or a URL with
        # the token.
        frames = "".join(traceback.format_tb(error.__traceback__)) if error else ""
        log.error("telegram update %s failed: %s\n%s", update_id, type(error).__name__, frames)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat, user = update.effective_chat, update.effective_user
    if unsaved and user is not None:  # reads still work: the language they chose
        words = unsaved_words(await _translator(update, context))
    else:
        words = translator(user.language_code if user else None).gettext(
            "Sorry, something went wrong on our side. Your answers are safe. Please try "
            "again, or type help."
        )
    try:
        await context.bot.send_message(chat.id, words)
    except TelegramError as failure:
        log.warning("could not apologise in chat: %s", type(failure).__name__)


# -- helpers -------------------------------------------------------------------------------


async def converse(update: Update, context: Context, answer: Answer | None) -> None:
    """One answer through the dialogue, then its replies into the chat."""
    replies = await _handle(update, context, answer)
    if replies is not None:
        await _show(update, context, replies)


async def _handle(update: Update, context: Context, answer: Answer | None) -> list[Reply] | None:
    user = _user(update)
    return await context.runner.handle(
        str(user.id), answer, update_id=str(update.update_id), lang_hint=user.language_code
    )


async def _show(update: Update, context: Context, replies: list[Reply]) -> None:
    chat_id = _user(update).id  # private chats only: the chat id is the user id
    for message in render(replies):
        sent = await context.bot.send_message(chat_id, message.text, reply_markup=message.markup)
        if message.outbox_id is not None:
            await _confirm(context, chat_id, message.outbox_id, sent.message_id)
        if message.markup is not None:
            await _keep_one_keyboard(context, chat_id, sent.message_id)
    for reply in replies:
        if reply.effect is Effect.LANGUAGE_CHANGED:
            await commands_for_chat(context.bot, chat_id, str(reply.data.get("lang", "")))


async def _confirm(context: Context, chat_id: int, outbox_id: int, message_id: int) -> None:
    """Telegram accepted the message that shows this outbox row (the receipt): it is sent.
    Had the reply failed, the row stays pending and the outbox worker sends it instead."""
    storage = context.storage
    await DeliveryStore(storage.sessions).confirmed(
        [outbox_id],
        channel=CHANNEL,
        address=str(chat_id),
        now=storage.clock(),
        external_id=str(message_id),
    )


async def _keep_one_keyboard(context: Context, chat_id: int, newest: int) -> None:
    """Only the newest question keeps its buttons, also when the last one was answered by
    typing. Remembered per chat in memory: after a restart an old keyboard may stay, and a
    press on it is answered by the dialogue as an old button."""
    previous = context.chat_data.get(KEYBOARD) if context.chat_data is not None else None
    if context.chat_data is not None:
        context.chat_data[KEYBOARD] = newest
    if previous is None or previous == newest:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, previous, reply_markup=None)
    except BadRequest as error:  # already without buttons (answered by a press), or deleted
        log.debug("could not remove old buttons: %s", error.message)


async def _answer_query(query: CallbackQuery) -> None:
    # Every press is answered, or the person's app shows a spinner on the button.
    try:
        await query.answer()
    except BadRequest as error:  # a redelivered press: already answered, or too old
        log.debug("callback query not answered: %s", error.message)


def _forget_keyboard(context: Context, query: CallbackQuery) -> None:
    message = query.message
    if context.chat_data is None or not isinstance(message, Message):
        return
    if context.chat_data.get(KEYBOARD) == message.message_id:
        del context.chat_data[KEYBOARD]


async def _mark_answered(query: CallbackQuery, data: str) -> None:
    """Take the buttons off the question and show the chosen one under it."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    buttons = [b for row in message.reply_markup.inline_keyboard for b in row]
    label = next((b.text for b in buttons if b.callback_data == data), None)
    marked = answered(message.text, label) if message.text and label else None
    try:
        if marked is not None:
            await query.edit_message_text(marked, reply_markup=None)
        else:
            await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as error:  # already edited, or deleted: the answer still counts
        log.debug("could not mark the answered question: %s", error.message)


async def _translator(update: Update, context: Context) -> Translator:
    """The language the person chose in the conversation, else their app's language."""
    user = _user(update)
    draft = await context.storage.drafts.load(CHANNEL, str(user.id))
    return translator(str(draft.get("lang")) if draft else user.language_code)


def _user(update: Update) -> User:
    assert update.effective_user is not None, "private chats and button presses have a user"
    return update.effective_user


def _message(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message
