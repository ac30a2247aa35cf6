"""Several instances on one database: leases, feed claims, deliveries sent by the lease holder only.

These run on SQLite and, with NEWSBRIEF_TEST_DATABASE_URL, PostgreSQL; two `Leases` with different
holders on one repository are two instances. The clock is a variable the test moves; a lease that
`Leases` took is reckoned on the database's clock, so a test ends it by moving its expiry (`expire`).
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from sqlalchemy import update

from bot.adapters.console import ConsoleAdapter
from bot.cluster import Leases
from bot.outbox import Outbox
from bot.storage.repository import SqlRepository
from bot.storage.tables import Lease
from briefings.engine import BriefingError
from briefings.models import Article, Briefing
from tests.localhttp import FeedServer, send_body, serving

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def test_a_lease_has_one_holder_until_it_expires_then_anyone_takes_it(
    repository: SqlRepository,
) -> None:
    repo = repository
    assert await repo.acquire_lease("send:telegram", holder="a", now=T0, lease_s=3) is True
    assert (
        await repo.acquire_lease("send:telegram", holder="b", now=T0 + timedelta(seconds=2), lease_s=3)
        is False
    )
    # a renews: b still waits past a's first expiry
    assert (
        await repo.acquire_lease("send:telegram", holder="a", now=T0 + timedelta(seconds=2), lease_s=3)
        is True
    )
    assert (
        await repo.acquire_lease("send:telegram", holder="b", now=T0 + timedelta(seconds=4), lease_s=3)
        is False
    )
    # a stops renewing (it died): b takes it over, and a cannot renew any more
    assert (
        await repo.acquire_lease("send:telegram", holder="b", now=T0 + timedelta(seconds=6), lease_s=3)
        is True
    )
    assert (
        await repo.acquire_lease("send:telegram", holder="a", now=T0 + timedelta(seconds=7), lease_s=3)
        is False
    )
    assert await repo.leases(now=T0 + timedelta(seconds=7)) == [
        ("send:telegram", "b", T0 + timedelta(seconds=9))
    ]
    assert await repo.release_lease("send:telegram", holder="a") is False  # not a's to give up
    assert await repo.release_lease("send:telegram", holder="b") is True
    assert (
        await repo.acquire_lease("send:telegram", holder="a", now=T0 + timedelta(seconds=7), lease_s=3)
        is True
    )


async def test_a_due_feed_is_claimed_by_one_instance_and_due_again_when_its_claimer_dies(
    repository: SqlRepository,
) -> None:
    repo = repository
    feeds = [await repo.add_feed(f"https://example.org/{n}.xml") for n in range(3)]
    first = await repo.claim_due_feeds(now=T0, lease_s=30, limit=2)
    second = await repo.claim_due_feeds(now=T0, lease_s=30, limit=2)
    assert [f.id for f in first] == [feeds[0].id, feeds[1].id]
    assert [f.id for f in second] == [feeds[2].id]
    assert await repo.claim_due_feeds(now=T0 + timedelta(seconds=29), lease_s=30) == []
    # the first claimer polled its feeds; the second died without a word: its feed is due after the lease
    for feed in first:
        await repo.record_poll_success(
            feed.id,
            now=T0,
            etag=None,
            last_modified=None,
            title=None,
            next_poll_in=timedelta(minutes=15),
        )
    again = await repo.claim_due_feeds(now=T0 + timedelta(seconds=30), lease_s=30)
    assert [f.id for f in again] == [feeds[2].id]


async def test_a_tick_does_not_claim_again_the_feeds_it_polled(repository: SqlRepository) -> None:
    """``exclude``: a feed a tick polled already is not claimed again in that tick, even when due (its
    next poll came before the tick's end)."""
    repo = repository
    feeds = [await repo.add_feed(f"https://example.org/{n}.xml") for n in range(3)]
    for feed in feeds:
        await repo.record_poll_success(
            feed.id, now=T0, etag=None, last_modified=None, title=None, next_poll_in=timedelta(0)
        )
    polled = {feeds[0].id, feeds[2].id}
    claimed = await repo.claim_due_feeds(now=T0, lease_s=30, exclude=polled)
    assert [f.id for f in claimed] == [feeds[1].id]
    assert await repo.claim_due_feeds(now=T0, lease_s=30, exclude=polled) == []


@pytest.mark.parametrize(
    ("held_until_s", "extended_at_s", "expected_s"),
    [
        (3, 2, 5),  # claimed at 0 for 3 s, its poll still running at 2: held until 5, past its first lease
        (3, -10, 3),  # an extension reckoned on a clock running behind never moves a claim back
        (9, 2, 9),  # a longer claim (another instance's, once this one's ran out) is kept
        (900, 2, 900),  # the poll ended and set its next time (15 min) just before: kept
    ],
)
async def test_extending_a_feed_claim_only_ever_moves_it_forward(
    repository: SqlRepository, held_until_s: int, extended_at_s: int, expected_s: int
) -> None:
    repo = repository
    feed, other = (
        await repo.add_feed("https://example.org/a.xml"),
        await repo.add_feed("https://example.org/b.xml"),
    )
    await repo.claim_due_feeds(now=T0, lease_s=held_until_s, limit=1)
    await repo.claim_due_feeds(now=T0, lease_s=3, limit=1)  # the other feed, not extended
    moved = await repo.extend_feed_claims([feed.id], now=T0 + timedelta(seconds=extended_at_s), lease_s=3)
    assert moved == (1 if expected_s != held_until_s else 0)
    assert [f.next_poll_at for f in await repo.list_feeds()] == [
        T0 + timedelta(seconds=expected_s),
        T0 + timedelta(seconds=3),
    ]
    # another instance after the first lease (3 s) gets the feed only once its extended claim has run out
    assert [
        f.id for f in await repo.claim_due_feeds(now=T0 + timedelta(seconds=expected_s - 1), lease_s=3)
    ] == ([other.id] if expected_s > 3 else [])
    claimed = await repo.claim_due_feeds(now=T0 + timedelta(seconds=expected_s), lease_s=3)
    assert feed.id in [f.id for f in claimed]


async def test_a_poll_that_outlasts_its_claim_keeps_the_feed_from_another_instance(
    database_url: str, database_connect_args: dict
) -> None:
    """One feed answers only when the test lets it, after its claim (``lease_s``, 3 s) has run out on the
    real clock; meanwhile another instance looking for due feeds must get none: the poll kept its claim."""
    from bot.app import open_runtime, poll_due
    from bot.settings import Settings

    feed = FeedServer()
    feed.add(1)
    asked, answer = threading.Event(), threading.Event()

    class SlowFeed(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            feed.hits += 1
            asked.set()
            answer.wait(timeout=60)
            send_body(self, feed.rss().encode())

        def log_message(self, *args: Any) -> None:
            pass

    out = io.StringIO()
    with serving(SlowFeed) as base:
        settings = Settings(
            database_url=database_url,
            feeds=[f"{base}/feed.xml"],
            allow_private_networks=True,
            lease_s=3,
            poll_jitter=0.0,
        )
        async with open_runtime(
            settings, adapters={"console": ConsoleAdapter(stream=out)}, connect_args=database_connect_args
        ) as rt:
            polling = asyncio.create_task(poll_due(rt))
            try:
                assert await asyncio.to_thread(asked.wait, 30) is True
                [claimed] = await rt.repo.list_feeds()
                assert claimed.next_poll_at is not None
                await asyncio.sleep((claimed.next_poll_at - datetime.now(UTC)).total_seconds() + 0.5)
                # the first claim has run out: an instance asking now gets nothing while the poll runs
                taken = await rt.repo.claim_due_feeds(now=datetime.now(UTC), lease_s=3, followed_only=True)
            finally:
                answer.set()
            await polling
            [polled] = await rt.repo.list_feeds()
    assert taken == []
    assert feed.hits == 1
    assert polled.next_poll_at is not None and polled.last_polled_at is not None
    assert polled.next_poll_at - polled.last_polled_at == timedelta(seconds=settings.poll_interval_s)
    assert out.getvalue().splitlines()[0] == "Port workers end strike"


async def test_a_tick_claims_the_next_feed_as_soon_as_a_poll_ends(
    database_url: str, database_connect_args: dict
) -> None:
    """``fetch_concurrency`` 2, three feeds; the first answers only when the test lets it. The third is
    claimed and polled as soon as the second's poll ends, while the first still runs: an instance never
    holds claimed feeds it has no room for (the last ones of a large tick go to whichever instance frees a
    place first), and a poll that takes long does not hold the others back until it ends."""
    from bot.app import open_runtime, poll_due
    from bot.settings import Settings

    empty = FeedServer()  # no entries: nothing to brief
    asked, answer = threading.Event(), threading.Event()
    hits: list[str] = []

    class Feeds(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            if self.path == "/slow.xml":
                asked.set()
                answer.wait(timeout=60)
            send_body(self, empty.rss().encode())

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Feeds) as base:
        settings = Settings(
            database_url=database_url,
            feeds=[f"{base}/{name}.xml" for name in ("slow", "a", "b")],
            allow_private_networks=True,
            fetch_concurrency=2,
        )
        adapters = {"console": ConsoleAdapter(stream=io.StringIO())}
        async with open_runtime(settings, adapters=adapters, connect_args=database_connect_args) as rt:
            ticking = asyncio.create_task(poll_due(rt))
            try:
                assert await asyncio.to_thread(asked.wait, 30) is True
                for _ in range(100):
                    if "/b.xml" in hits:
                        break
                    await asyncio.sleep(0.1)
                while_slow = sorted(hits)
            finally:
                answer.set()
            await ticking
            polled = await rt.repo.list_feeds()
    assert while_slow == ["/a.xml", "/b.xml", "/slow.xml"]
    assert len(hits) == 3 and all(feed.last_polled_at is not None for feed in polled)


class SlowEngine:
    """An engine whose briefing outlasts a lease period (3 s): it sleeps, so that were it run on the event
    loop, the loop would stop as long. Every article fails (nothing to deliver: only the leases count)."""

    languages = ("en",)

    def brief(self, article: Article, *, max_bullets: int | None = None) -> Briefing:
        raise BriefingError("not briefed")

    def brief_many(
        self, articles: Iterable[Article], *, max_bullets: int | None = None
    ) -> Iterator[Briefing | BriefingError]:
        time.sleep(4.5)
        for _ in articles:
            yield BriefingError("not briefed")


async def test_an_instance_that_briefs_in_its_own_process_keeps_its_leases_while_it_briefs(
    database_url: str, database_connect_args: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``briefing_workers = 1``: the instance briefs in its own process, in a thread — never on its event
    loop, which renews its leases (the heartbeat, every third of a lease period). A briefing that lasts 1.5
    lease periods neither delays the loop by a third of one nor lets another instance take the lease."""
    import bot.engines
    from bot.app import open_runtime, poll_due
    from bot.cluster import heartbeat
    from bot.settings import Settings

    monkeypatch.setitem(bot.engines.ENGINES, "slow", lambda settings: SlowEngine())
    feed = FeedServer()
    feed.add(1)
    late: list[float] = []
    with serving(feed.handler) as base:
        settings = Settings(
            database_url=database_url,
            feeds=[f"{base}/feed.xml"],
            allow_private_networks=True,
            engine="slow",
            briefing_workers=1,
            lease_s=3,
        )
        adapters = {"console": ConsoleAdapter(stream=io.StringIO())}
        async with open_runtime(settings, adapters=adapters, connect_args=database_connect_args) as rt:
            assert await rt.leases.acquire("send:console") is True

            async def heartbeats() -> None:  # run_forever's heartbeat job
                while True:
                    asked = time.monotonic()
                    await asyncio.sleep(settings.lease_s / 3)
                    late.append(time.monotonic() - asked - settings.lease_s / 3)
                    await heartbeat(rt.leases)

            beating = asyncio.create_task(heartbeats())
            started = time.monotonic()
            try:
                await poll_due(rt)
            finally:
                beating.cancel()
            briefed_for = time.monotonic() - started
            other = Leases(repo=rt.repo, holder="other", clock=Clock(), lease_s=3)
            taken = await other.acquire("send:console")
    assert briefed_for > 4.5 and feed.hits == 1
    assert len(late) >= 3 and max(late) < settings.lease_s / 3, late
    assert taken is False


async def test_an_incoming_update_is_handled_once_across_instances(repository: SqlRepository) -> None:
    assert await repository.claim_update("telegram", "1001", now=T0) is True
    assert await repository.claim_update("telegram", "1001", now=T0) is False
    assert await repository.claim_update("telegram", "1002", now=T0) is True
    assert await repository.claim_update("slack", "1001", now=T0) is True


async def test_instances_alive_and_pending_per_platform(repository: SqlRepository) -> None:
    repo = repository
    await repo.heartbeat("host-1-aa", host="host", pid=1, now=T0)
    await repo.heartbeat("host-2-bb", host="host", pid=2, now=T0)
    await repo.heartbeat("host-1-aa", host="host", pid=1, now=T0 + timedelta(seconds=20))
    alive = await repo.instances(alive_since=T0 + timedelta(seconds=10))
    assert [(i, started, beat) for i, _, _, started, beat in alive] == [
        ("host-1-aa", T0, T0 + timedelta(seconds=20))
    ]
    await repo.acquire_lease("send:telegram", holder="host-1-aa", now=T0, lease_s=30)
    await repo.end_instance("host-1-aa")
    assert await repo.instances(alive_since=T0) == [("host-2-bb", "host", 2, T0, T0)]
    assert await repo.leases(now=T0) == []  # its leases went with it
    channel = await repo.upsert_channel("telegram", "42")
    await repo.enqueue_digest(channel.id, digest_key="k1", data={"title": "a"}, now=T0)
    await repo.enqueue_digest(channel.id, digest_key="k2", data={"title": "b"}, now=T0 + timedelta(seconds=5))
    assert await repo.pending_by_platform() == {"telegram": (2, T0)}


async def expire(repo: SqlRepository, name: str) -> None:
    """As if the lease period of ``name`` had passed on the database's clock (its holder died)."""
    async with repo.engine.begin() as connection:
        await connection.execute(
            update(Lease)
            .where(Lease.name == name)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


async def outbox_of(repo: SqlRepository, holder: str, clock: Clock, out: io.StringIO) -> Outbox:
    leases = Leases(repo=repo, holder=holder, clock=clock, lease_s=3)
    return Outbox(repo=repo, adapters={"console": ConsoleAdapter(stream=out)}, clock=clock, leases=leases)


async def queue(repo: SqlRepository, n: int, *, now: datetime) -> None:
    channel = await repo.upsert_channel("console", "stdout")
    for index in range(1, n + 1):
        data: dict[str, Any] = {"title": f"Story {index}", "bullets": [f"bullet {index}"], "lang": "en"}
        await repo.enqueue_digest(channel.id, digest_key=f"story-{index}", data=data, now=now)


def titles(out: io.StringIO) -> list[str]:
    return [block.splitlines()[0] for block in out.getvalue().split("\n\n") if block.strip()]


async def test_only_the_send_lease_holder_sends_and_another_takes_over_when_it_dies(
    repository: SqlRepository,
) -> None:
    clock, out_a, out_b = Clock(), io.StringIO(), io.StringIO()
    a = await outbox_of(repository, "a", clock, out_a)
    b = await outbox_of(repository, "b", clock, out_b)
    await queue(repository, 2, now=T0)
    assert await a.flush() == 2
    assert await b.flush() == 0  # a holds the lease
    await queue_more(repository, clock)
    clock.advance(2)
    assert await b.flush() == 0  # a's lease has not expired yet (a renewed it when it sent)
    await expire(repository, "send:console")  # a is gone: its lease expired
    assert await b.flush() == 2
    assert titles(out_a) == ["Story 1", "Story 2"]
    assert titles(out_b) == ["Story 3", "Story 4"]


async def queue_more(repo: SqlRepository, clock: Clock) -> None:
    channel = await repo.upsert_channel("console", "stdout")
    for index in (3, 4):
        data = {"title": f"Story {index}", "bullets": [f"bullet {index}"], "lang": "en"}
        await repo.enqueue_digest(channel.id, digest_key=f"story-{index}", data=data, now=clock())


async def test_a_chat_gets_a_feeds_articles_in_the_order_they_were_stored_when_two_polls_overlap(
    repository: SqlRepository,
) -> None:
    """A poll that outlasts its feed's claim (``lease_s``: a loaded machine) lets another instance poll the
    feed too; each stores what it briefed, a copy the other stored first is ignored. Here b's poll, started
    4 s after a's, stores story 1 first, then a stores story 2: the chat must get story 1 first. (Ordered by
    the polls' start, the deliveries' ``created_at``, story 2 went first.)"""
    repo = repository
    feed = await repo.add_feed("https://news.example/feed.xml")
    channel = await repo.upsert_channel("console", "stdout")
    await repo.subscribe(channel.id, feed.id)
    started = {"a": T0, "b": T0 + timedelta(seconds=4)}
    stored = [("a", 0), ("b", 0), ("b", 1), ("a", 1), ("a", 2), ("b", 2)]  # (poll, story), as they came
    for poll, n in stored:
        row = {
            "feed_id": feed.id,
            "entry_id": f"story-{n}",
            "url": f"https://news.example/{n}",
            "content_hash": f"hash-{n}",
            "title": f"Story {n}",
            "published": T0,
            "error": None,
        }
        data = {"title": f"Story {n}", "bullets": [f"bullet {n}"], "lang": "en"}
        await repo.add_briefed_article(row, data, now=started[poll])
    out = io.StringIO()
    assert await (await outbox_of(repo, "a", Clock(), out)).flush() == 3
    assert titles(out) == ["Story 0", "Story 1", "Story 2"]


async def test_a_late_sender_whose_lease_was_taken_over_neither_marks_nor_sends_again(
    repository: SqlRepository,
) -> None:
    clock = Clock()
    await queue(repository, 1, now=T0)
    [delivery] = await repository.pending_deliveries(now=T0)
    assert await repository.acquire_lease("send:console", holder="a", lease_s=3) is True
    # a sends, then stalls (a long GC pause, a lost network) past its lease; b takes over and sends
    await expire(repository, "send:console")
    assert await repository.acquire_lease("send:console", holder="b", lease_s=300)
    marked_by_a = await repository.mark_sent(
        delivery.id, message_ids=["1"], now=T0 + timedelta(seconds=5), lease=("send:console", "a")
    )
    assert marked_by_a is False
    out_a = io.StringIO()
    late = await outbox_of(repository, "a", clock, out_a)
    clock.advance(5)
    assert await late.flush() == 0  # a finds the lease taken: it sends nothing
    assert out_a.getvalue() == ""
    marked_by_b = await repository.mark_sent(
        delivery.id, message_ids=["2"], now=T0 + timedelta(seconds=5), lease=("send:console", "b")
    )
    assert marked_by_b is True


async def test_a_runtime_that_stops_gives_its_leases_up_so_the_next_one_sends_at_once(
    database_url: str, database_connect_args: dict
) -> None:
    from bot.app import open_runtime
    from bot.settings import Settings

    out = io.StringIO()
    settings = Settings(database_url=database_url)
    async with open_runtime(
        settings, adapters={"console": ConsoleAdapter(stream=out)}, connect_args=database_connect_args
    ) as rt:
        await queue(rt.repo, 1, now=datetime.now(UTC))
        await rt.outbox.flush()
        held = await rt.repo.leases(now=datetime.now(UTC))
        assert [name for name, _, _ in held] == (["send:console"] if rt.repo.shared else [])
    async with open_runtime(
        settings, adapters={"console": ConsoleAdapter(stream=out)}, connect_args=database_connect_args
    ) as rt:
        assert await rt.repo.leases(now=datetime.now(UTC)) == []
        await queue_more(rt.repo, Clock())
        assert await rt.outbox.flush() == 2  # a new instance: no wait for the old one's lease
    assert titles(out) == ["Story 1", "Story 3", "Story 4"]
