"""The composition root: settings in, a running bot out. Nothing else wires parts together.

`open_runtime` builds storage, the briefing engine (chosen by name), the fetchers, the router with every
command (`handlers.register_all`), the chat adapters named in the settings, the poller and the outbox;
with ``listen`` it hands each adapter the dispatcher's callback (`ChatAdapter.listen`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from pydantic import SecretStr
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.clock import pacing_clock
from bot.cluster import Leases, heartbeat, new_instance_id
from bot.digests import digest_now, digest_trigger, send_due_digest, send_due_digests
from bot.dispatch import Dispatcher
from bot.engines import ENGINES as ENGINES
from bot.engines import build_engine
from bot.models import FeedRow
from bot.outbox import Outbox
from bot.poller import CutEngine, Poller, PollResult, resolve_feed_url, utcnow
from bot.protocols import BriefingEngine, ChatAdapter, Clock, Repository
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from bot.storage.db import describe_error, repository
from handlers import register_all
from handlers.router import Context, Router

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

log = logging.getLogger("newsbrief")
CONSOLE_CHAT = "stdout"
TICK_S = 30  # how often due feeds are looked for (default of the poll_tick_s setting)
OUTBOX_TICK_S = 5  # default of the outbox_tick_s setting
LISTEN_LEASE = "listen:{platform}"  # the lease of a platform whose commands one instance takes at a time
DIGEST_SYNC_S = 60  # how often digest jobs are matched to the channels' settings


@dataclass
class Runtime:
    """The bot's parts, built once by `open_runtime`."""

    settings: Settings
    repo: Repository
    fetcher: Fetcher
    poller: Poller
    outbox: Outbox
    adapters: Mapping[str, ChatAdapter]
    dispatcher: Dispatcher
    leases: Leases  # this instance (``leases.holder`` is its id) and the leases it holds


def seed_feed() -> Path:
    """The sample feed shipped with the package (`seeds/feed.xml`), wherever the package is installed."""
    return Path(str(resources.files("seeds").joinpath("feed.xml")))


def _console(settings: Settings, commands: Iterable[str], clock: Clock | None) -> ChatAdapter:
    from bot.adapters.console import ConsoleAdapter

    return ConsoleAdapter()


def _telegram(settings: Settings, commands: Iterable[str], clock: Clock | None) -> ChatAdapter:
    from bot.adapters.telegram import TelegramAdapter, Webhook

    webhook = None
    if settings.telegram_webhook_url:
        webhook = Webhook(
            url=settings.telegram_webhook_url,
            secret_token=_secret(settings.telegram_webhook_secret) or "",  # checked when it listens
            host=settings.telegram_listen_host,
            port=settings.telegram_listen_port,
        )
    return TelegramAdapter(
        _secret(settings.telegram_token, "telegram", "TELEGRAM_TOKEN"),
        base_url=settings.telegram_api_url,
        webhook=webhook,
        clock=clock,
    )


def _slack(settings: Settings, commands: Iterable[str], clock: Clock | None) -> ChatAdapter:
    from bot.adapters.slack import SlackAdapter

    return SlackAdapter(
        token=_secret(settings.slack_bot_token, "slack", "SLACK_BOT_TOKEN"),
        base_url=settings.slack_api_url,
        signing_secret=_secret(settings.slack_signing_secret),
        app_token=_secret(settings.slack_app_token),
        commands=commands,
        admin_ids=settings.slack_admin_ids,
        http_host=settings.slack_listen_host,
        http_port=settings.slack_listen_port,
        clock=clock,
    )


PLATFORMS: dict[str, Callable[[Settings, Iterable[str], Clock | None], ChatAdapter]] = {
    "console": _console,
    "telegram": _telegram,
    "slack": _slack,
}
"""Chat adapters by the names the ``platforms`` setting gives (each imports its client only when chosen)."""


def build_adapters(
    settings: Settings, *, commands: Iterable[str] = (), clock: Clock | None = None
) -> dict[str, ChatAdapter]:
    """The chat platforms named in the settings (not started, not listening); ``commands`` are the names
    a platform registers with its service (Slack's slash commands), ``clock`` paces their messages (the
    real one by default; tests accelerate it)."""
    adapters: dict[str, ChatAdapter] = {}
    for name in settings.platforms:
        if name not in PLATFORMS:
            known = ", ".join(PLATFORMS)
            raise ValueError(f"platform '{name}' is not available (known: {known})")
        adapters[name] = PLATFORMS[name](settings, tuple(commands), clock)
    return adapters


@overload
def _secret(value: SecretStr | None, platform: str, env: str) -> str: ...
@overload
def _secret(value: SecretStr | None) -> str | None: ...
def _secret(value: SecretStr | None, platform: str | None = None, env: str | None = None) -> str | None:
    """A secret's value; a missing required one is a one-line error naming its variable."""
    if value is not None and value.get_secret_value():
        return value.get_secret_value()
    if platform:
        raise ValueError(f"platform '{platform}' needs NEWSBRIEF_{env} (or NEWSBRIEF_{env}_FILE)")
    return None


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    adapters: Mapping[str, ChatAdapter] | None = None,
    connect_args: dict | None = None,
    clock: Callable[[], datetime] = utcnow,
    listen: bool = False,
) -> AsyncIterator[Runtime]:
    """The bot's parts, open; closed on exit. With ``listen``, chat platforms also take commands.

    Listening means: Telegram long polling (or its webhook endpoint when ``telegram_webhook_url`` is set),
    Slack slash commands over Socket Mode (app token) or HTTP (signing secret). ``adapters`` replaces
    the platforms of the settings (tests).
    """
    async with repository(
        settings.database_url, connect_args=connect_args, max_bullets=settings.max_bullets
    ) as repo:
        await ensure_default_feeds(repo, settings)
        fetcher = Fetcher(
            allow_private_networks=settings.allow_private_networks,
            max_bytes=settings.max_body_bytes,
            concurrency=settings.fetch_concurrency,
            per_host=settings.fetch_per_host,
        )
        engine = build_engine(settings)
        async with (
            fetcher,
            _briefing_pool(engine, settings) as engine,
            _user_context(repo, engine, settings, clock=clock) as ctx,
        ):
            router = register_all(Router())
            dispatcher = Dispatcher(router=router, ctx=ctx)
            chosen = (
                dict(adapters)
                if adapters is not None
                else build_adapters(settings, commands=router.commands, clock=pacing_clock())
            )
            leases = Leases(repo=repo, holder=new_instance_id(), clock=clock, lease_s=settings.lease_s)
            runtime = Runtime(
                settings=settings,
                repo=repo,
                fetcher=fetcher,
                poller=Poller(repo=repo, fetcher=fetcher, engine=engine, settings=settings, clock=clock),
                outbox=Outbox(
                    repo=repo,
                    adapters=chosen,
                    clock=clock,
                    retry_s=settings.delivery_retry_s,
                    backoff_s=settings.delivery_backoff_s,
                    max_backoff_s=settings.delivery_max_backoff_s,
                    leases=leases if repo.shared else None,  # SQLite: one process, it sends all
                ),
                adapters=chosen,
                dispatcher=dispatcher,
                leases=leases,
            )
            async with AsyncExitStack() as stack:
                stack.push_async_callback(_leave, repo, leases.holder)  # last: after sending and listening
                for adapter in chosen.values():
                    await adapter.start()
                    stack.push_async_callback(adapter.stop)
                if listen:
                    for adapter in chosen.values():
                        await _listen(runtime, adapter, stack)
                yield runtime


async def _leave(repo: Repository, instance: str) -> None:
    """This instance stops: its row and its leases go, so the others take over at once (not after a
    lease period); ``run --once`` on PostgreSQL gives up the sending lease it took this way too."""
    if repo.shared:
        with contextlib.suppress(OSError, SQLAlchemyError, TimeoutError):
            await repo.end_instance(instance)


async def _listen(runtime: Runtime, adapter: ChatAdapter, stack: AsyncExitStack) -> None:
    """Take the adapter's commands. One that only one process may listen to at a time (Telegram long
    polling) listens while this instance holds its lease: tried every third of a lease period, so another
    instance takes over within one period when the listener dies."""
    on_command = runtime.dispatcher.on_command(adapter)
    repo = runtime.repo
    if hasattr(adapter, "first_time"):  # a resent update is handled once across instances
        adapter.first_time = lambda update_id: repo.claim_update(
            adapter.platform, str(update_id), now=runtime.poller.clock()
        )
    if not repo.shared or not getattr(adapter, "exclusive_listen", False):
        await adapter.listen(on_command)
        return
    name = LISTEN_LEASE.format(platform=adapter.platform)
    task = asyncio.create_task(_lead_listening(runtime.leases, name, adapter, on_command))

    async def stop() -> None:  # stop polling first, then let another instance start
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await adapter.stop_listening()  # type: ignore[attr-defined]
        with contextlib.suppress(OSError, SQLAlchemyError):
            await runtime.leases.release(name)

    stack.push_async_callback(stop)


async def _lead_listening(leases: Leases, name: str, adapter: Any, on_command: Any) -> None:
    listening = False
    while True:
        try:
            held = await leases.acquire(name)
        except (OSError, SQLAlchemyError, TimeoutError) as exc:
            log.error("%s: database unavailable (%s)", name, describe_error(exc))
            held = False  # unknown: stop, another instance may take it over
        try:
            if held and not listening:
                log.info("instance %s takes %s commands (%s)", leases.holder, adapter.platform, name)
                await adapter.listen(on_command)
                listening = True
            elif not held and listening:
                log.warning(
                    "instance %s stops taking %s commands (%s)", leases.holder, adapter.platform, name
                )
                listening = False
                await adapter.stop_listening()
        except Exception as exc:  # the platform unreachable: tried again at the next turn
            log.error("%s: %s", name, describe_error(exc))
        await asyncio.sleep(leases.lease_s / 3)


@asynccontextmanager
async def _briefing_pool(engine: BriefingEngine, settings: Settings) -> AsyncIterator[BriefingEngine]:
    """``engine`` itself with ``briefing_workers = 1``; else it in that many worker processes
    (`bot.workers.PoolEngine`), stopped on exit."""
    if settings.briefing_workers <= 1:
        yield engine
        return
    from bot.workers import PoolEngine, engine_options

    options = engine_options(settings)
    pool = PoolEngine(options=options, languages=engine.languages, workers=settings.briefing_workers)
    try:
        yield pool
    finally:
        await asyncio.to_thread(pool.close)


@asynccontextmanager
async def _user_context(
    repo: Repository, engine: BriefingEngine, settings: Settings, *, clock: Callable[[], datetime]
) -> AsyncIterator[Context]:
    """The handlers' context for chat users: their URLs go through a fetcher that reads no local files."""
    async with Fetcher(
        allow_private_networks=settings.allow_private_networks,
        max_bytes=settings.max_body_bytes,
        local_files=False,
    ) as user_fetcher:
        yield build_context(repo=repo, engine=engine, fetcher=user_fetcher, settings=settings, clock=clock)


def build_context(
    *,
    repo: Repository,
    engine: BriefingEngine,
    fetcher: Fetcher,
    settings: Settings,
    clock: Callable[[], datetime] = utcnow,
    local_files: bool = False,
) -> Context:
    """The handlers' `Context` over these parts: ``fetcher`` serves chat users' URLs and feed lookups."""
    return Context(
        repo=repo,
        fetcher=fetcher,
        engine=CutEngine(engine, max_chars=settings.max_article_chars),  # chat users' pages are cut too
        find_feed=partial(resolve_feed_url, fetcher),
        digest=partial(digest_now, repo),
        max_bullets=settings.max_bullets,
        clock=clock,
        local_files=local_files,
    )


async def ensure_default_feeds(repo: Repository, settings: Settings) -> None:
    """Feeds from the settings, watched by the console; with none anywhere, the embedded sample feed."""
    feeds = list(settings.feeds)
    if not feeds and not await repo.list_feeds():
        feeds = [str(seed_feed())]
    if not feeds or "console" not in settings.platforms:
        return
    channel = await repo.upsert_channel("console", CONSOLE_CHAT)
    for url in feeds:
        feed = await repo.add_feed(url)
        await repo.subscribe(channel.id, feed.id)


async def run_once(
    runtime: Runtime, *, on_result: Callable[[PollResult], None] | None = None
) -> list[PollResult]:
    """One full cycle: send what was left pending, poll every active feed, queue the digests that are due,
    send the new briefings and digests.

    On a shared database (PostgreSQL) each feed is claimed first, as the scheduler claims them
    (`poll_due`): every active feed no other instance is polling — the due ones and those whose next poll
    is more than a lease period away (`Repository.claim_due_feeds` with ``unclaimed``); a feed another
    instance has claimed, or will poll within a lease period anyway, is left to it."""
    await runtime.outbox.flush()
    feeds = await runtime.repo.list_feeds(active_only=True)
    if not runtime.repo.shared:  # one process: every active feed, due or not
        results = await asyncio.gather(*(_poll(runtime, f, on_result) for f in feeds))
    elif feeds:  # all claimed at once: a feed polled here is not due again, but no longer "claimed" either
        claimed = await runtime.repo.claim_due_feeds(
            lease_s=runtime.settings.lease_s, limit=len(feeds), unclaimed=True
        )
        polling = {f.id for f in claimed}
        async with runtime.leases.keeping_feeds(polling):
            results = await asyncio.gather(*(_poll_claimed(runtime, f, polling, on_result) for f in claimed))
    else:
        results = []
    await digests_due(runtime)  # flushes the outbox
    return list(results)


async def _poll(
    runtime: Runtime, feed: FeedRow, on_result: Callable[[PollResult], None] | None
) -> PollResult:
    result = await runtime.poller.poll(feed)
    if on_result:
        on_result(result)
    return result


async def poll_due(runtime: Runtime) -> None:
    """The scheduler's tick: poll the feeds that are due, then send what they queued.

    Up to ``fetch_concurrency`` polls run at once, and a feed is claimed when a poll ends and frees a place
    (`Repository.claim_due_feeds`, on the database's clock when it is shared), until none is due: several
    instances share the work and none polls a feed another one claimed, no instance holds feeds it cannot
    start on while another has room (the last feeds of a large tick go to whichever instance frees a place
    first, not all to the one that asked first), and briefing workers are not left idle waiting for a whole
    batch to end. A claim is kept while its poll runs (`Leases.keeping_feeds`), even one that outlasts
    ``lease_s``. A poll sets the feed's next time on the clock claims are reckoned on
    (`bot.cluster.claim_time`), and a tick polls a feed once at most (a feed whose interval is shorter than a
    tick waits for the next one).
    """
    polling: set[int] = set()  # the claims kept while their poll runs, however long it takes
    async with runtime.leases.keeping_feeds(polling):
        await _poll_window(runtime, polling)
    await runtime.outbox.flush()


async def _poll_window(runtime: Runtime, polling: set[int]) -> None:
    """`poll_due`'s polls, at most ``fetch_concurrency`` at a time. An unreachable database stops the
    claims; the polls already running end first (their claims kept meanwhile), then the error propagates.
    A tick cancelled (the bot stops) cancels its polls."""
    settings, polled = runtime.settings, set[int]()
    running: set[asyncio.Task[PollResult]] = set()
    drained = False
    try:
        while True:
            room = settings.fetch_concurrency - len(running)
            if room > 0 and not drained:
                due = await runtime.repo.claim_due_feeds(
                    now=runtime.leases.claim_time(),
                    lease_s=settings.lease_s,
                    followed_only=True,
                    limit=room,
                    exclude=polled,
                )
                drained = len(due) < room  # nothing more due now: the tick ends with the polls running
                for feed in due:
                    polling.add(feed.id)
                    polled.add(feed.id)
                    running.add(asyncio.create_task(_poll_claimed(runtime, feed, polling)))
            if not running:
                return
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            if errors := [error for task in done if (error := task.exception()) is not None]:
                raise errors[0]  # an unreachable database (a poll's own failure is its result)
    except BaseException as stop:
        if isinstance(stop, asyncio.CancelledError):  # the bot stops: so do its polls
            for task in running:
                task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        raise


async def _poll_claimed(
    runtime: Runtime,
    feed: FeedRow,
    polling: set[int],
    on_result: Callable[[PollResult], None] | None = None,
) -> PollResult:
    """Poll a claimed feed; once its poll ends, its claim is no longer kept (it keeps the next time set)."""
    try:
        return await _poll(runtime, feed, on_result)
    finally:
        polling.discard(feed.id)


async def digests_due(runtime: Runtime, *, channel_id: int | None = None) -> None:
    """Queue the digests that are due (all channels, or one), then send what was queued."""
    now = runtime.poller.clock()
    if channel_id is None:
        await send_due_digests(runtime.repo, now=now, grace=runtime.settings.digest_grace)
    elif (channel := await runtime.repo.get_channel_by_id(channel_id)) is not None and channel.active:
        await send_due_digest(runtime.repo, channel, now=now, grace=runtime.settings.digest_grace)
    await runtime.outbox.flush()


async def sync_digest_jobs(runtime: Runtime, scheduler: BaseScheduler) -> None:
    """One APScheduler job per channel with digests on, its `CronTrigger` in the channel's timezone.

    Run every `DIGEST_SYNC_S`, so /digest and /timezone changes take effect within that time. A job that
    fires late (a busy loop) still runs within the grace window; the digest record makes it run once.
    """
    wanted = {}
    for channel in await runtime.repo.list_channels(active_only=True):
        if channel.digest_time:
            wanted[f"digest-{channel.id}"] = (channel, f"{channel.digest_time} {channel.timezone}")
    for job in scheduler.get_jobs():
        if job.id.startswith("digest-") and job.id != "digest-sync" and job.id not in wanted:
            job.remove()
    for job_id, (channel, spec) in wanted.items():
        job = scheduler.get_job(job_id)
        if job is not None and job.name == spec:
            continue
        scheduler.add_job(
            survive,
            digest_trigger(channel),
            args=[
                f"digest of channel {channel.id}",
                None,
                partial(digests_due, channel_id=channel.id),
                runtime,
            ],
            id=job_id,
            name=spec,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(runtime.settings.digest_grace.total_seconds()),
        )


async def survive(
    name: str, retry_s: float | None, job: Callable[..., Awaitable[object]], *args: object
) -> None:
    """Run one scheduled job; its failure (a database outage, …) is one logged line saying when it runs
    again (in ``retry_s``, or at its next scheduled time), never a traceback. A job the bot's stop
    (SIGTERM) cancels ends quietly: it was not a failure, and what it left undone stays pending."""
    again = f"retrying in {retry_s:g} s" if retry_s is not None else "next try at its next scheduled time"
    try:
        await job(*args)
    except asyncio.CancelledError:
        log.info("%s: stopped with the bot", name)
    except (OSError, SQLAlchemyError, TimeoutError) as exc:
        log.error("%s: database or network unavailable (%s); %s", name, describe_error(exc), again)
    except Exception as exc:
        log.error("%s failed (%s: %s); %s", name, type(exc).__name__, describe_error(exc), again)


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
    settings, leases = runtime.settings, runtime.leases
    log.info("instance %s starting (leases of %g s)", leases.holder, settings.lease_s)
    await heartbeat(leases)
    await runtime.outbox.flush()  # deliveries left pending by a previous run go first
    await digests_due(runtime)  # digests missed while the bot was down, within their grace window
    scheduler = AsyncIOScheduler(timezone=UTC, event_loop=loop)
    start = datetime.now(UTC) + timedelta(seconds=1)
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    scheduler.add_job(
        survive,
        IntervalTrigger(seconds=settings.poll_tick_s),
        args=["poll", settings.poll_tick_s, poll_due, runtime],
        id="poll",
        next_run_time=start,
        **common,
    )
    scheduler.add_job(
        survive,
        IntervalTrigger(seconds=settings.outbox_tick_s),
        args=["outbox", settings.outbox_tick_s, runtime.outbox.flush],
        id="outbox",
        **common,
    )
    scheduler.add_job(  # this instance is alive, and renews its leases: every third of a lease period
        survive,
        IntervalTrigger(seconds=settings.lease_s / 3),
        args=["heartbeat", settings.lease_s / 3, heartbeat, leases],
        id="heartbeat",
        **common,
    )
    scheduler.add_job(
        survive,
        IntervalTrigger(seconds=DIGEST_SYNC_S),
        args=["digest sync", DIGEST_SYNC_S, sync_digest_jobs, runtime, scheduler],
        id="digest-sync",
        next_run_time=start,
        **common,
    )
    scheduler.start()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        log.info("instance %s stopping", leases.holder)
