"""Daily digests on a real database with a controlled clock: when they go out (daylight-saving changes,
downtime within and past the grace window), exactly once, and what they hold."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.digests import digest_trigger, last_fire_time, send_due_digests
from bot.models import Address, Post
from bot.outbox import Outbox
from bot.storage.repository import ChannelRow, SqlRepository
from tests.cli import Ran, newsbrief

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def briefing(title: str, *, lang: str, actors: list[str], claims: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "source": "feed",
        "lang": lang,
        "title": title,
        "actors": [
            {"name": a, "kind": "person", "aliases": [], "role": None, "mentions": 2, "salience": 0.6}
            for a in actors
        ],
        "claims": [
            {
                "speaker": who,
                "speaker_role": None,
                "cue": "said",
                "text": what,
                "kind": "statement",
                "evidence": {"start": 0, "end": len(what)},
            }
            for who, what in claims
        ],
        "bullets": [f"{who}: {what}" for who, what in claims] + [f"Key actors: {', '.join(actors)}"],
    }


HARBOUR = [
    (
        "Wellport",
        briefing(
            "Harbour strike ends after union deal",
            lang="en",
            actors=["Mara Quint", "Dock Workers Union"],
            claims=[("Mara Quint", "the new contract protects every job at the harbour")],
        ),
    ),
    (
        "Coast Post",
        briefing(
            "Dock workers end harbour strike with new contract",
            lang="en",
            actors=["Mara Quint", "Dock Workers Union"],
            claims=[
                ("Mara Quint", "the new contract protects every job at the harbour"),
                ("Port authority", "ships will dock again from Monday"),
            ],
        ),
    ),
]
OTHERS = [
    (
        "Wellport",
        briefing(
            "Library reopens after flood repairs",
            lang="en",
            actors=["Ana Ruiz"],
            claims=[("Ana Ruiz", "the children's section was rebuilt from scratch")],
        ),
    ),
    (
        "Le Quotidien",
        briefing(
            "La ligne de train du nord sera électrifiée",
            lang="fr",
            actors=["Tom Reyes"],
            claims=[("Tom Reyes", "les travaux réduiront les temps de trajet d'un cinquième")],
        ),
    ),
]


async def desk(repo: SqlRepository) -> ChannelRow:
    channel = await repo.upsert_channel("console", "desk")
    return await repo.update_channel(channel.id, timezone="Europe/Paris", digest_time="08:00")


async def store(
    repo: SqlRepository, channel: ChannelRow, items: list[tuple[str, dict]], *, at: datetime
) -> None:
    feeds: dict[str, int] = {}
    for n, (outlet, data) in enumerate(items):
        if outlet not in feeds:
            feed = await repo.add_feed(
                f"https://{outlet.replace(' ', '').lower()}.example/feed.xml", title=outlet
            )
            await repo.subscribe(channel.id, feed.id)
            feeds[outlet] = feed.id
        article_id = await repo.add_article(
            feed_id=feeds[outlet],
            entry_id=f"{outlet}-{n}-{at.isoformat()}",
            url=f"https://{outlet.replace(' ', '').lower()}.example/{n}/{at:%H%M}",
            content_hash=f"{outlet}-{n}-{at.isoformat()}",
            title=data["title"],
            published=at,
            now=at,
        )
        assert article_id is not None
        await repo.store_briefing(article_id, data, now=at)


class Recorder(ConsoleAdapter):
    """The console adapter, remembering what it sent; ``crash_at`` kills the "process" before that send."""

    def __init__(self, *, crash_at: int | None = None) -> None:
        super().__init__(stream=io.StringIO())
        self.sent: list[Post] = []
        self.crash_at = crash_at

    async def send(self, address: Address, post: Post, *, skip: int = 0) -> list[str]:
        if self.crash_at is not None and len(self.sent) + 1 == self.crash_at:
            raise Crash
        self.sent.append(post)
        return await super().send(address, post, skip=skip)


class Crash(BaseException):
    """Stands for the process dying: not an error the outbox handles."""


def outbox(repo: SqlRepository, adapter: ConsoleAdapter, now: datetime) -> Outbox:
    return Outbox(repo=repo, adapters={"console": adapter}, clock=lambda: now)


# -- when -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [("2027-03-26", 6), ("2027-10-29", 5)], ids=["march", "october"])
async def test_digest_at_eight_paris_time_once_a_day_across_daylight_saving(
    repository: SqlRepository, days: tuple[str, int]
) -> None:
    channel = await desk(repository)
    start = datetime.fromisoformat(days[0]).replace(tzinfo=PARIS)
    sent = []
    for tick in range(days[1] * 24):  # a scheduler waking every hour: each 08:00, and the hour after it
        now = (start + timedelta(hours=tick)).astimezone(UTC)
        if (await send_due_digests(repository, now=now))[channel.id] == "sent":
            sent.append(now)

    dates = [start.date() + timedelta(days=d) for d in range(days[1])]
    expected = [paris(d.year, d.month, d.day, 8, 0) for d in dates]
    assert sent == expected
    utc_hours = sorted({t.hour for t in expected})
    assert utc_hours == [6, 7]  # 08:00 Paris is 07:00 UTC in winter, 06:00 UTC in summer


def test_cron_trigger_follows_the_channel_timezone() -> None:
    channel = ChannelRow(
        id=1,
        platform="console",
        chat="x",
        thread=None,
        active=True,
        timezone="America/New_York",
        language=None,
        max_bullets=6,
        digest_time="18:30",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    trigger = digest_trigger(channel)
    assert trigger is not None
    assert last_fire_time(trigger, datetime(2027, 3, 15, 12, tzinfo=UTC)) == datetime(
        2027, 3, 14, 22, 30, tzinfo=UTC
    )
    assert last_fire_time(trigger, datetime(2027, 1, 15, 12, tzinfo=UTC)) == datetime(
        2027, 1, 14, 23, 30, tzinfo=UTC
    )


async def test_down_from_0755_to_0900_sends_at_0900_once(repository: SqlRepository) -> None:
    channel = await desk(repository)
    await send_due_digests(repository, now=paris(2027, 6, 1, 8, 0))  # yesterday's went out
    await outbox(repository, Recorder(), paris(2027, 6, 1, 8, 0)).flush()
    await store(repository, channel, HARBOUR, at=paris(2027, 6, 1, 18, 0))

    outcomes = [
        (await send_due_digests(repository, now=now))[channel.id]
        for now in (paris(2027, 6, 2, 7, 55), paris(2027, 6, 2, 9, 0), paris(2027, 6, 2, 9, 1))
    ]
    adapter = Recorder()
    await outbox(repository, adapter, paris(2027, 6, 2, 9, 1)).flush()

    assert outcomes == ["already", "sent", "already"]
    assert [p.title for p in adapter.sent] == ["1/1 · Harbour strike ends after union deal"]


async def test_down_past_the_grace_window_is_skipped_and_logged(
    repository: SqlRepository, caplog: pytest.LogCaptureFixture
) -> None:
    channel = await desk(repository)
    await send_due_digests(repository, now=paris(2027, 6, 1, 8, 0))
    await outbox(repository, Recorder(), paris(2027, 6, 1, 8, 0)).flush()
    await store(repository, channel, HARBOUR, at=paris(2027, 6, 1, 18, 0))

    with caplog.at_level(logging.WARNING, logger="newsbrief.digests"):
        outcome = (await send_due_digests(repository, now=paris(2027, 6, 2, 15, 0)))[channel.id]
        again = (await send_due_digests(repository, now=paris(2027, 6, 2, 15, 1)))[channel.id]

    assert (outcome, again) == ("skipped", "already")
    assert await repository.pending_deliveries() == []
    [record] = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert "console:desk" in record.getMessage() and "2027-06-02" in record.getMessage()
    # the next day's digest covers everything since the last one that was sent
    assert (await send_due_digests(repository, now=paris(2027, 6, 3, 8, 0)))[channel.id] == "sent"
    adapter = Recorder()
    await outbox(repository, adapter, paris(2027, 6, 3, 8, 0)).flush()
    assert [p.title for p in adapter.sent] == ["1/1 · Harbour strike ends after union deal"]


# -- exactly once ------------------------------------------------------------------------------------------


async def test_a_crash_after_message_two_of_three_sends_only_the_third_after_restart(
    repository: SqlRepository,
) -> None:
    channel = await desk(repository)
    await store(repository, channel, [HARBOUR[0], *OTHERS], at=paris(2027, 6, 1, 18, 0))
    now = paris(2027, 6, 2, 8, 0)
    assert (await send_due_digests(repository, now=now))[channel.id] == "sent"

    crashing = Recorder(crash_at=3)
    with pytest.raises(Crash):
        await outbox(repository, crashing, now).flush()
    assert (await send_due_digests(repository, now=now + timedelta(minutes=1)))[channel.id] == "already"
    restarted = Recorder()
    await outbox(repository, restarted, now + timedelta(minutes=1)).flush()

    assert [p.title[:4] for p in crashing.sent] == ["1/3 ", "2/3 "]
    assert [p.title[:4] for p in restarted.sent] == ["3/3 "]


# -- what --------------------------------------------------------------------------------------------------


async def test_a_story_from_two_outlets_is_one_item_with_both_sources(repository: SqlRepository) -> None:
    channel = await desk(repository)
    await store(repository, channel, [*HARBOUR, *OTHERS], at=paris(2027, 6, 1, 18, 0))
    await send_due_digests(repository, now=paris(2027, 6, 2, 8, 0))
    adapter = Recorder()
    await outbox(repository, adapter, paris(2027, 6, 2, 8, 0)).flush()

    first, *rest = adapter.sent
    assert len(rest) == 2
    assert first.title is not None and "strike" in first.title
    assert first.bullets[-1].startswith("2 sources: Wellport (https://wellport.example/")
    assert "Coast Post (https://coastpost.example/" in first.bullets[-1]
    quint = [b for b in first.bullets if "every job" in b]
    assert len(quint) == 1  # the same claim from both outlets, once


async def test_a_day_without_news_says_so(repository: SqlRepository) -> None:
    channel = await desk(repository)
    await store(repository, channel, HARBOUR, at=paris(2027, 5, 1, 18, 0))  # long before
    await send_due_digests(repository, now=paris(2027, 6, 2, 8, 0))
    adapter = Recorder()
    await outbox(repository, adapter, paris(2027, 6, 2, 8, 0)).flush()
    assert [(p.title, p.bullets) for p in adapter.sent] == [
        ("Digest", ("Nothing new from this chat's feeds.",))
    ]


async def test_newsbrief_digest_prints_a_preview(
    repository: SqlRepository, database_url: str, database_kind: str
) -> None:
    if database_kind != "sqlite":
        pytest.skip("the CLI process cannot join this test's PostgreSQL schema")
    channel = await desk(repository)
    await store(repository, channel, [*HARBOUR, *OTHERS], at=datetime.now(UTC) - timedelta(hours=2))
    env = {"NEWSBRIEF_DATABASE_URL": database_url}

    def digest(*args: str) -> Ran:  # the command runs its own event loop: in a thread of its own
        return newsbrief("digest", *args, env=env)

    preview = await asyncio.to_thread(digest, "--channel", "console:desk", "--since", "24h")
    older = await asyncio.to_thread(digest, "--channel", "console:desk", "--since", "1h")
    unknown = await asyncio.to_thread(digest, "--channel", "console:nobody")

    assert preview.returncode == 0, preview.stderr
    titles = [line for line in preview.stdout.splitlines() if line[:1].isdigit()]
    assert len(titles) == 3 and "strike" in titles[0]
    assert "2 sources: Wellport" in preview.stdout
    assert older.stdout.strip() == "Digest\n  • Nothing new from this chat's feeds."
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1,
        "error: no channel console:nobody (see `newsbrief feeds list`)",
    )
    assert await repository.pending_deliveries() == []  # a preview sends nothing


async def test_one_cron_job_per_channel_follows_its_settings(
    database_url: str, database_connect_args: dict
) -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.app import open_runtime, sync_digest_jobs
    from bot.settings import Settings

    settings = Settings(database_url=database_url, feeds=["/nonexistent.xml"], platforms=[])
    async with open_runtime(settings, adapters={}, connect_args=database_connect_args) as runtime:
        repo = runtime.repo
        paris_desk = await desk(repo)  # type: ignore[arg-type]
        other = await repo.upsert_channel("console", "other")
        await repo.update_channel(other.id, timezone="Asia/Tokyo", digest_time="07:30")
        scheduler = AsyncIOScheduler(timezone=UTC)

        await sync_digest_jobs(runtime, scheduler)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        first = jobs[f"digest-{paris_desk.id}"]
        fires = [
            first.trigger.get_next_fire_time(None, paris(2027, 3, 26, 12)),
            first.trigger.get_next_fire_time(None, paris(2027, 3, 28, 12)),
        ]

        await repo.update_channel(paris_desk.id, digest_time="09:15")
        await repo.update_channel(other.id, digest_time=None)
        await sync_digest_jobs(runtime, scheduler)
        after = {job.id: job for job in scheduler.get_jobs()}

    assert sorted(jobs) == sorted([f"digest-{paris_desk.id}", f"digest-{other.id}"])
    assert [f.astimezone(UTC).hour for f in fires] == [7, 6]  # 08:00 Paris, before and after the change
    assert jobs[f"digest-{other.id}"].name == "07:30 Asia/Tokyo"
    assert list(after) == [f"digest-{paris_desk.id}"]
    assert after[f"digest-{paris_desk.id}"].name == "09:15 Europe/Paris"


async def test_digest_now_answers_with_the_stories_of_the_last_day(repository: SqlRepository) -> None:
    from bot.app import build_context
    from bot.models import Command
    from bot.settings import Settings
    from bot.sources.fetch import Fetcher
    from briefings.engine import LocalEngine
    from handlers import register_all
    from handlers.router import Router

    channel = await desk(repository)
    await store(repository, channel, [*HARBOUR, *OTHERS], at=datetime.now(UTC) - timedelta(hours=3))
    await repository.update_channel(channel.id, language="fr")
    command = Command.parse("/digest now", platform="console", chat="desk", user="op", is_admin=True)
    assert command is not None
    settings = Settings()
    async with Fetcher(local_files=False) as fetcher:
        engine = LocalEngine(pipelines={}, max_bullets=settings.max_bullets)
        ctx = build_context(repo=repository, engine=engine, fetcher=fetcher, settings=settings)
        reply = await register_all(Router()).dispatch(command, ctx)

    assert reply.text is None
    assert [p.title[:4] for p in reply.posts if p.title] == ["1/3 ", "2/3 ", "3/3 "]
    assert reply.posts[0].bullets[-1].startswith("2 sources : Wellport")  # the chat's language for labels
    assert await repository.pending_deliveries() == []  # an answer, not a scheduled digest
