"""The composition root: settings in, a running bot out. Nothing else wires parts together."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.outbox import Outbox
from bot.poller import Poller, PollResult, utcnow
from bot.protocols import ChatAdapter
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from bot.storage.db import repository
from bot.storage.repository import Repository
from briefings.engine import LocalEngine

log = logging.getLogger("newsbrief")
SEED_FEED = Path(__file__).resolve().parent.parent / "seeds" / "feed.xml"
CONSOLE_CHAT = "stdout"
TICK_S = 30  # how often due feeds are looked for
OUTBOX_TICK_S = 5


@dataclass
class Runtime:
    """The bot's parts, built once by `open_runtime`."""

    settings: Settings
    repo: Repository
    fetcher: Fetcher
    poller: Poller
    outbox: Outbox
    adapters: Mapping[str, ChatAdapter]


def build_adapters(settings: Settings) -> dict[str, ChatAdapter]:
    """The chat platforms named in the settings."""
    adapters: dict[str, ChatAdapter] = {}
    for name in settings.platforms:
        if name == "console":
            from bot.adapters.console import ConsoleAdapter

            adapters[name] = ConsoleAdapter()
        elif name == "telegram":
            from bot.adapters.telegram import TelegramAdapter

            if settings.telegram_token is None:
                raise ValueError(
                    "platform 'telegram' needs NEWSBRIEF_TELEGRAM_TOKEN (or NEWSBRIEF_TELEGRAM_TOKEN_FILE)"
                )
            adapters[name] = TelegramAdapter(settings.telegram_token.get_secret_value())
        elif name == "slack":
            from bot.adapters.slack import SlackAdapter

            if settings.slack_bot_token is None:
                raise ValueError(
                    "platform 'slack' needs NEWSBRIEF_SLACK_BOT_TOKEN (or NEWSBRIEF_SLACK_BOT_TOKEN_FILE)"
                )
            adapters[name] = SlackAdapter(token=settings.slack_bot_token.get_secret_value())
        else:
            raise ValueError(f"platform '{name}' is not available (known: console, telegram, slack)")
    return adapters


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    adapters: Mapping[str, ChatAdapter] | None = None,
    connect_args: dict | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> AsyncIterator[Runtime]:
    async with repository(settings.database_url, connect_args=connect_args) as repo:
        await ensure_default_feeds(repo, settings)
        fetcher = Fetcher(
            allow_private_networks=settings.allow_private_networks,
            max_bytes=settings.max_body_bytes,
            concurrency=settings.fetch_concurrency,
            per_host=settings.fetch_per_host,
        )
        async with fetcher:
            chosen = dict(adapters) if adapters is not None else build_adapters(settings)
            engine = LocalEngine(pipelines=settings.pipelines)
            runtime = Runtime(
                settings=settings,
                repo=repo,
                fetcher=fetcher,
                poller=Poller(repo=repo, fetcher=fetcher, engine=engine, settings=settings, clock=clock),
                outbox=Outbox(
                    repo=repo, adapters=chosen, clock=clock, max_attempts=settings.delivery_max_attempts
                ),
                adapters=chosen,
            )
            for adapter in chosen.values():
                await adapter.start()
            try:
                yield runtime
            finally:
                for adapter in chosen.values():
                    await adapter.stop()


async def ensure_default_feeds(repo: Repository, settings: Settings) -> None:
    """Feeds from the settings, watched by the console; with none anywhere, the embedded sample feed."""
    feeds = list(settings.feeds)
    if not feeds and not await repo.list_feeds():
        feeds = [str(SEED_FEED)]
    if not feeds or "console" not in settings.platforms:
        return
    channel = await repo.upsert_channel("console", CONSOLE_CHAT)
    for url in feeds:
        feed = await repo.add_feed(url)
        await repo.subscribe(channel.id, feed.id)


async def run_once(
    runtime: Runtime, *, on_result: Callable[[PollResult], None] | None = None
) -> list[PollResult]:
    """One full cycle: send what was left pending, poll every active feed, send the new briefings."""
    await runtime.outbox.flush()
    feeds = await runtime.repo.list_feeds(active_only=True)
    results = await asyncio.gather(*(_poll(runtime, f, on_result) for f in feeds))
    await runtime.outbox.flush()
    return list(results)


async def _poll(runtime: Runtime, feed, on_result: Callable[[PollResult], None] | None) -> PollResult:
    result = await runtime.poller.poll(feed)
    if on_result:
        on_result(result)
    return result


async def poll_due(runtime: Runtime) -> None:
    """The scheduler's tick: poll the feeds that are due, then send what they queued."""
    due = await runtime.repo.due_feeds(now=runtime.poller.clock())
    await asyncio.gather(*(runtime.poller.poll(f) for f in due))
    await runtime.outbox.flush()


async def run_forever(runtime: Runtime, *, stop: asyncio.Event | None = None) -> None:
    """Poll and deliver on a schedule (APScheduler on this event loop) until SIGINT/SIGTERM or ``stop``."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not on the main thread
            pass
    await runtime.outbox.flush()  # deliveries left pending by a previous run go first
    scheduler = AsyncIOScheduler(timezone=UTC, event_loop=loop)
    start = datetime.now(UTC) + timedelta(seconds=1)
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    scheduler.add_job(
        poll_due, IntervalTrigger(seconds=TICK_S), args=[runtime], id="poll", next_run_time=start, **common
    )
    scheduler.add_job(runtime.outbox.flush, IntervalTrigger(seconds=OUTBOX_TICK_S), id="outbox", **common)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
