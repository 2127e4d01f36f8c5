"""`complaints serve`: migrate the database and run the web server (and Telegram, if set)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import signal
from dataclasses import replace

from aiohttp import web

from bot.delivery import DeliveryWorker, Sender
from bot.email import EmailSender
from bot.scheduler import Scheduler, channels_for
from bot.telegram.app import TelegramApp, build_application, polling
from bot.telegram.reachable import run_when_reachable
from bot.telegram.sender import TelegramSender
from server import create_app
from services.setup import setup_link
from storage.delivery import DeliveryStore
from storage.leader import Leadership, together
from storage.private import data_folder
from storage.runtime import Storage, open_storage, require_current_schema
from storage.settings import Settings, load_settings

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "serve",
        help="Run the assistant: web chat, staff view and (if configured) Telegram.",
        description="Creates the data folder and database on first run, migrates it, and "
        "serves the web chat and staff view. Starts the Telegram bot when "
        "COMPLAINTS_TELEGRAM_TOKEN is set.",
    )
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8080)")
    parser.add_argument(
        "--no-migrate",
        dest="migrate",
        action="store_false",
        help="do not migrate the database; refuse to start unless `complaints migrate` has "
        "brought it to this version's schema",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v}
    data_folder(settings)  # before the secret key is kept in it
    asyncio.run(serve(replace(settings, **overrides).with_secret_key(), migrate=args.migrate))
    return 0


def senders(storage: Storage, telegram: TelegramApp | None = None) -> dict[str, Sender]:
    """The channels this process delivers to, by the outbox's channel name."""
    found: dict[str, Sender] = {}
    if storage.settings.smtp_host:
        found["email"] = EmailSender(storage.settings, storage.procedure.organisation)
    if telegram is not None:
        found["telegram"] = TelegramSender(telegram.bot_data.outbox or telegram.bot)
    return found


NO_MAIL = (
    "No mail server is set (COMPLAINTS_SMTP_HOST): please send it another way "
    "(post or phone), then mark it delivered."
)


def unsendable(settings: Settings) -> dict[str, str]:
    """Channels with no way to send here, and what staff should do instead."""
    if settings.smtp_host:
        return {}
    log.warning(
        "email is off: COMPLAINTS_SMTP_HOST is not set; messages to people who chose email "
        "are listed on the staff dashboard to send another way"
    )
    return {"email": NO_MAIL}


async def serve(
    settings: Settings, *, ready: asyncio.Event | None = None, migrate: bool = True
) -> None:
    """Run until SIGINT or SIGTERM; every resource opened here is closed on the way out."""
    data_folder(settings)
    storage = await open_storage(settings, run_migrations=migrate)
    if not migrate:
        await require_current_schema(storage)
    telegram = build_application(storage, settings) if settings.telegram_token else None
    runner = web.AppRunner(create_app(storage, telegram=telegram), access_log=None)
    await runner.setup()
    stop, bot_stop, bot_running = asyncio.Event(), asyncio.Event(), asyncio.Event()
    background: list[asyncio.Task[None]] = []
    bot: asyncio.Task[None] | None = None
    try:
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()

        channels = senders(storage)  # Telegram's joins once the bot is running
        worker = DeliveryWorker(
            DeliveryStore(storage.sessions), channels, unsendable=unsendable(settings)
        )
        scheduler = Scheduler(
            storage, channels=channels_for(storage), interval=settings.scheduler_seconds
        )
        jobs = [worker.run, scheduler.run]
        if telegram is not None:  # after the site: a webhook must be reachable when set

            def started(app: TelegramApp = telegram) -> None:
                channels.update(senders(storage, app))
                bot_running.set()
                worker.notify()

            # In the background: Telegram unreachable must not keep the web chat down.
            bot = asyncio.create_task(
                run_when_reachable(telegram, settings, bot_stop, started), name="telegram"
            )
            jobs.append(functools.partial(poll_once_running, telegram, bot_running))
        # What must run once across processes runs in the one that leads (PostgreSQL; on
        # SQLite the one process): the outbox, because Telegram's limits are per bot and per
        # chat; the scheduler, so that each alert is decided once; getUpdates, which Telegram
        # refuses to two callers. Every process serves the web and the webhook.
        leadership = Leadership(storage.engine, "background")
        background.append(asyncio.create_task(leadership.run(stop, together(jobs)), name="lead"))
        print(welcome(settings, await setup_link(storage)), flush=True)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        if ready is not None:
            ready.set()
        await stop.wait()
    finally:
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
        bot_stop.set()  # after the worker, which sends through the bot
        if bot is not None:
            await asyncio.gather(bot, return_exceptions=True)
        await runner.cleanup()
        await storage.close()


async def poll_once_running(
    telegram: TelegramApp, bot_running: asyncio.Event, stop: asyncio.Event
) -> None:
    """getUpdates (in the leading process), from when the bot is running until `stop`."""
    waiters = [asyncio.ensure_future(e.wait()) for e in (bot_running, stop)]
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
    if not stop.is_set():
        await polling(telegram, stop)


def welcome(settings: Settings, setup: str | None) -> str:
    """What to open, in plain words, and how to make the first staff account if none exists."""
    base = f"http://{settings.host}:{settings.port}"
    lines = [
        f"The complaints assistant is running for procedure '{settings.procedure}'.",
        f"  Web chat for complainants:  {base}/chat",
        f"  Staff view:                 {base}/staff/",
        f"  Data folder:                {settings.data_dir.resolve()}",
    ]
    if setup:
        lines += [
            "No staff account exists yet. Open this link to create the first one (an admin):",
            f"  {setup}",
            "or run: complaints staff add you@example.org --name 'Your Name' --role admin",
        ]
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)
