"""Footprint: memory and start-up of the real `complaints serve` after a 100,000-complaint seed.

The process runs the web chat, the staff view and Telegram (polling the fake Bot API, which
runs in this process). Figures:

- start-up: spawn to the first answered /health, seconds (target <= 2 s); baseline in the
  same run: a bare `python -c "import aiohttp"` HTTP server's spawn-to-first-answer;
- resident memory (VmRSS from /proc/PID/status) after start, after a short load of web
  chat turns, staff pages and Telegram messages (target <= 150 MB); baseline: the RSS of
  the same bare server.

`ServeProcess` is shared with the telegram and staff benchmarks.

    python bench/footprint.py [--complaints 100000]
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from common import ROOT, Figure, arguments, report

from tests.ports import free_port

TOKEN = "123456:BENCH-FOOTPRINT"


def rss_mb(pid: int) -> float:
    """Resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


@dataclass
class ServeProcess:
    """`complaints serve` in its own process; output goes to data_dir/serve.log."""

    data_dir: Path
    database_url: str = ""
    telegram_api: str = ""
    token: str = ""
    port: int = field(default_factory=free_port)
    command: tuple[str, ...] = (sys.executable, "-m", "bot.cli", "--log-level", "WARNING", "serve")
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            "COMPLAINTS_DATA_DIR": str(self.data_dir),
            "COMPLAINTS_PORT": str(self.port),
            "COMPLAINTS_SECRET_KEY": "bench-secret-key",
            "PTB_TIMEDELTA": "1",
        }
        if self.database_url:
            env["COMPLAINTS_DATABASE_URL"] = self.database_url
        if self.token:
            env["COMPLAINTS_TELEGRAM_TOKEN"] = self.token
            env["COMPLAINTS_TELEGRAM_API_URL"] = self.telegram_api
        return env

    async def start(self, timeout: float = 60.0) -> float:  # noqa: ASYNC109
        """Spawn and wait for the first 200 from /health; returns the seconds that took."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = (self.data_dir / "serve.log").open("ab")
        started = time.monotonic()
        self.process = await asyncio.to_thread(
            subprocess.Popen, self.command, env=self.environment(), cwd=ROOT, stdout=log, stderr=log
        )
        log.close()
        await wait_healthy(f"{self.url}/health", self.process, started + timeout)
        return time.monotonic() - started

    @property
    def rss_mb(self) -> float:
        assert self.process is not None
        return rss_mb(self.process.pid)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        path = self.data_dir / "serve.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


async def wait_healthy(url: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{url}: the process exited with {process.returncode}")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.005)
    raise TimeoutError(f"{url} did not answer in time")


BARE_SERVER = """
import sys
from aiohttp import web
async def health(request):
    return web.json_response({"ok": True})
app = web.Application()
app.router.add_get("/health", health)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


async def bare_server() -> tuple[float, float]:
    """Baseline: (spawn-to-first-answer seconds, RSS MB) of a bare aiohttp server."""
    port = free_port()
    started = time.monotonic()
    process = await asyncio.to_thread(
        subprocess.Popen, [sys.executable, "-c", BARE_SERVER, str(port)]
    )
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/health", process, started + 30)
        elapsed = time.monotonic() - started
        return elapsed, rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait()


async def load(serve: ServeProcess, api: object, visitors: int, staff_pages: int) -> None:
    """A little of everything, so the RSS counts caches and pools in use, not only imports."""
    from staff import staff_session

    from tests.fakes.botapi import FakeBotAPI
    from tests.scripted import COMPLAINT_PLAN
    from tests.webchat.visitor import Visitor

    async def visitor() -> None:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            person = Visitor(session, serve.url)
            await person.open()
            await person.follow(COMPLAINT_PLAN, until="summary")

    await asyncio.gather(*(visitor() for _ in range(visitors)))
    async with staff_session(serve) as session:
        for n in range(staff_pages):
            for path in ("/staff/", "/staff/cases?status=open", f"/staff/cases/{n + 1}"):
                async with session.get(serve.url + path) as response:
                    await response.read()
    assert isinstance(api, FakeBotAPI)
    for n in range(10):
        user = api.user(5000 + n)
        await user.send_text("/start")
        await user.wait_for_message(timeout=20)


async def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument(
        "--without-scheduler", action="store_true", help="diagnosis: skip the scheduler's rounds"
    )
    args = parser.parse_args()
    complaints = 500 if args.quick else args.complaints
    from staff import create_staff, prepare_database, seed

    from tests.fakes.botapi import FakeBotAPI

    base_start, base_rss = await bare_server()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        storage = await prepare_database(data, args.database_url)
        try:
            await create_staff(storage)
            seeded = await seed(storage, complaints)
        finally:
            await storage.close()
        async with FakeBotAPI(token=TOKEN) as api:
            serve = ServeProcess(data, args.database_url, api.root_url, TOKEN)
            if args.without_scheduler:
                serve.command = WITHOUT_SCHEDULER
            try:
                startup = await serve.start()
                await api.wait_until(lambda: api.calls_of("getUpdates"), timeout=20)
                idle = serve.rss_mb
                await load(serve, api, visitors=3 if args.quick else 20, staff_pages=5)
                loaded = serve.rss_mb
            except BaseException:
                print(serve.log(), file=sys.stderr)
                raise
            finally:
                serve.stop()
    report(
        [
            Figure("footprint start-up to first answer", startup, "s", "<= 2", base_start),
            Figure("footprint RSS after load", loaded, "MB", "<= 150", base_rss),
            Figure("footprint RSS idle", idle, "MB", "report", base_rss),
            Figure("baseline bare aiohttp start-up", base_start, "s", "reference"),
            Figure("baseline bare aiohttp RSS", base_rss, "MB", "reference"),
        ]
    )
    print(f"# {seeded} complaints seeded; serve with web chat + staff view + Telegram polling")


def serve_without_scheduler() -> None:
    """`complaints serve` with the scheduler's rounds skipped (diagnosis, see README)."""
    from bot.cli import main as cli
    from bot.scheduler import Scheduler

    async def skip(self: Scheduler) -> None:
        return None

    Scheduler.tick = skip  # type: ignore[method-assign]
    sys.exit(cli(["--log-level", "WARNING", "serve"]))


WITHOUT_SCHEDULER = (sys.executable, str(Path(__file__)), "--serve-without-scheduler")


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve-without-scheduler"]:
        serve_without_scheduler()
    else:
        asyncio.run(main())
