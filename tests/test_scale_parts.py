"""Scaling out (issue 12), the parts the instance tests do not reach: briefing workers forked from a
forkserver that loaded the pipelines once, an instance with workers that never imports spaCy, and the
clocks, claims and fences of several instances on one database.

The database tests run on SQLite and, with NEWSBRIEF_TEST_DATABASE_URL, PostgreSQL; two `Leases` with
different holders on one repository are two instances (as in tests/test_cluster.py).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, update

from bot.adapters.console import ConsoleAdapter
from bot.cluster import Leases
from bot.models import Address, Post
from bot.outbox import Outbox
from bot.settings import DEFAULT_PIPELINES, Settings
from bot.storage.repository import SqlRepository
from bot.storage.tables import Lease
from tests.cli import newsbrief
from tests.localhttp import FeedServer, serving

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # a test clock far behind the database's

# -- briefing workers ------------------------------------------------------------------------------------

RUN_WITH_WORKERS = """
import sys
from bot.cli import app
try:
    app(["run", "--once"])
except SystemExit as stop:
    code = stop.code
print(f"exit {code}; spacy imported here: {'spacy' in sys.modules}", file=sys.stderr)
"""


def test_an_instance_with_workers_briefs_as_one_without_and_never_imports_spacy(tmp_path: Path) -> None:
    """``run --once`` on the embedded sample feed, in this process with no workers and in a new one with
    two: the same posts, and the instance with workers never imported spaCy (its workers did)."""
    here = newsbrief("run", "--once", env={"XDG_DATA_HOME": str(tmp_path / "here")}, cwd=tmp_path)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_")}
    env = {
        **clean,
        "PYTHONPATH": str(ROOT),
        "XDG_DATA_HOME": str(tmp_path / "pool"),
        "NEWSBRIEF_BRIEFING_WORKERS": "2",
    }
    pool = subprocess.run(
        [sys.executable, "-c", RUN_WITH_WORKERS],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert here.returncode == 0, here.stderr
    assert pool.stderr.strip().splitlines()[-1] == "exit 0; spacy imported here: False", pool.stderr
    assert "Acteurs : Sergueï Lavrov" in here.stdout
    assert pool.stdout == here.stdout


PROBE = """
import os, sys
from bot.settings import DEFAULT_PIPELINES, Settings
from bot.workers import PoolEngine, engine_options, start_forkserver
from tests.test_scale_parts import probe

def main() -> None:
    settings = Settings()
    options = engine_options(settings)
    start_forkserver(options)
    pool = PoolEngine(options=options, languages=tuple(settings.pipelines), workers=2)
    try:
        pool._first.join()
        assert pool._pool is not None
        seen = {pool._pool.submit(probe).result() for _ in range(6)}
    finally:
        pool.close()
    print(sorted(seen), "spacy" in sys.modules)

if __name__ == "__main__":
    main()
"""


def probe() -> tuple[bool, bool]:
    """In a worker: whether its engine is the one its forkserver loaded, and whether the forkserver (its
    parent) had spaCy loaded before forking it (its pipelines came with the fork)."""
    from bot import worker_preload, workers

    return workers._engine is worker_preload.engine, worker_preload.engine is not None


def test_workers_are_forked_with_the_engine_their_forkserver_loaded(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_")}
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    english = json.dumps({"en": DEFAULT_PIPELINES["en"]})  # one pipeline is enough to see it forked
    ran = subprocess.run(
        [sys.executable, str(script)],
        env={**clean, "PYTHONPATH": str(ROOT), "NEWSBRIEF_PIPELINES": english},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[(True, True)] False"


# -- several instances: one clock, claims, fences -------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def runtime_polls(
    database_url: str, connect_args: dict, *, clock: Clock, act: Callable[[Any, FeedServer], Awaitable[None]]
) -> None:
    """A runtime on ``database_url`` with a local feed of one story, its clock ``clock``; ``act`` runs
    with it and the feed server."""
    from bot.app import open_runtime

    feed = FeedServer()
    feed.add(1)
    with serving(feed.handler) as base:
        settings = Settings(
            database_url=database_url, feeds=[f"{base}/feed.xml"], allow_private_networks=True
        )
        adapters = {"console": ConsoleAdapter(stream=io.StringIO())}
        async with open_runtime(settings, adapters=adapters, connect_args=connect_args, clock=clock) as rt:
            await act(rt, feed)


async def test_feed_claims_are_reckoned_on_the_databases_clock(
    database_kind: str, database_url: str, database_connect_args: dict
) -> None:
    """Another instance claimed the feed (on the database's clock); this one's clock runs an hour ahead.
    On PostgreSQL the claim holds against it (one clock for every instance); SQLite's one process has
    only its own clock, which says the claim ran out."""
    from bot.app import poll_due

    async def act(rt: Any, feed: FeedServer) -> None:
        [claimed] = await rt.repo.claim_due_feeds(lease_s=30)  # another instance, on the database's clock
        assert claimed.url == rt.settings.feeds[0]
        await poll_due(rt)

    hits: dict[str, int] = {}

    async def counted(rt: Any, feed: FeedServer) -> None:
        await act(rt, feed)
        hits["polls"] = feed.hits

    ahead = Clock(datetime.now(UTC) + timedelta(hours=1))
    await runtime_polls(database_url, database_connect_args, clock=ahead, act=counted)
    assert hits == {"polls": {"sqlite": 1, "postgresql": 0}[database_kind]}


async def test_an_instance_whose_clock_is_behind_does_not_poll_a_feed_every_tick(
    database_kind: str, database_url: str, database_connect_args: dict
) -> None:
    """This instance's clock is an hour behind (more than the 15-minute poll interval). Two ticks: the first
    polls the feed, the second finds it not due — its next poll was set on the clock claims are reckoned on
    (PostgreSQL's; SQLite's one process has only its own), not an hour early on this instance's."""
    from bot.app import poll_due

    hits: list[int] = []

    async def two_ticks(rt: Any, feed: FeedServer) -> None:
        for _ in range(2):
            await poll_due(rt)
            hits.append(feed.hits)
        [polled] = await rt.repo.list_feeds()
        assert polled.next_poll_at is not None and polled.last_polled_at is not None
        assert polled.next_poll_at - polled.last_polled_at >= timedelta(minutes=15)
        claims_clock = datetime.now(UTC) if database_kind == "postgresql" else behind.now
        assert polled.next_poll_at > claims_clock + timedelta(minutes=14)

    behind = Clock(datetime.now(UTC) - timedelta(hours=1))
    await runtime_polls(database_url, database_connect_args, clock=behind, act=two_ticks)
    assert hits == [1, 1]


async def test_a_poll_is_dated_on_the_databases_clock_without_now(repository: SqlRepository) -> None:
    """`record_poll_success` and `record_poll_failure` without ``now``: the next poll is reckoned from the
    clock claims read (the database's), so a claim right after finds the feed not due."""
    ok, failing = [await repository.add_feed(f"https://example.org/{n}.xml") for n in ("ok", "failing")]
    await repository.record_poll_success(
        ok.id, etag=None, last_modified=None, title=None, next_poll_in=timedelta(minutes=15)
    )
    row = await repository.record_poll_failure(failing.id, error="x", next_poll_in=timedelta(minutes=1))
    assert row.first_error_at == row.last_polled_at and row.error_count == 1
    assert await repository.claim_due_feeds(lease_s=30) == []
    for feed in await repository.list_feeds():
        assert feed.next_poll_at is not None and feed.last_polled_at is not None
        assert abs(feed.last_polled_at - datetime.now(UTC)) < timedelta(minutes=1)


async def test_run_once_claims_its_feeds_on_a_shared_database(
    database_kind: str, database_url: str, database_connect_args: dict
) -> None:
    """``run --once`` while another instance polls the feed: on PostgreSQL it leaves the claimed feed
    alone, then polls it once that poll is over (not due for an hour, but no longer claimed). On SQLite (one process) it polls every active feed, as always."""
    from bot.app import run_once

    seen: dict[str, object] = {}

    async def act(rt: Any, feed: FeedServer) -> None:
        [claimed] = await rt.repo.claim_due_feeds(lease_s=30)  # another instance polls it now
        seen["while claimed"] = len(await run_once(rt))
        await rt.repo.record_poll_success(  # its poll ends: next in an hour
            claimed.id, etag=None, last_modified=None, title=None, next_poll_in=timedelta(hours=1)
        )
        seen["after"] = len(await run_once(rt))
        seen["polls"] = feed.hits

    await runtime_polls(database_url, database_connect_args, clock=Clock(datetime.now(UTC)), act=act)
    expected = {
        "sqlite": {"while claimed": 1, "after": 1, "polls": 2},
        "postgresql": {"while claimed": 0, "after": 1, "polls": 1},
    }
    assert seen == expected[database_kind]


async def expire_and_take(repo: SqlRepository, name: str, taker: Leases) -> None:
    """As if ``name``'s holder stalled past its lease period, and ``taker`` took the lease over."""
    async with repo.engine.begin() as connection:
        await connection.execute(
            update(Lease)
            .where(Lease.name == name)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert await taker.acquire(name) is True


async def queue(repo: SqlRepository, chats: list[str]) -> None:
    for index, chat in enumerate(chats, 1):
        channel = await repo.upsert_channel("console", chat)
        data = {"title": f"Story {index}", "bullets": [f"bullet {index}"], "lang": "en"}
        await repo.enqueue_digest(channel.id, digest_key=f"story-{index}", data=data, now=T0)


def titles(out: io.StringIO) -> list[str]:
    return [block.splitlines()[0] for block in out.getvalue().split("\n\n") if block.strip()]


class TakenOverDuring(ConsoleAdapter):
    """A console whose first send stalls while another instance takes the sending lease over."""

    def __init__(self, stream: io.StringIO, take_over: Callable[[], Awaitable[None]]) -> None:
        super().__init__(stream=stream)
        self.take_over: Callable[[], Awaitable[None]] | None = take_over

    async def send(self, address: Address, post: Post, *, skip: int = 0) -> list[str]:
        ids = await super().send(address, post, skip=skip)
        if self.take_over is not None:
            take_over, self.take_over = self.take_over, None
            await take_over()
        return ids


async def test_a_sender_whose_lease_was_taken_over_sends_nothing_more(repository: SqlRepository) -> None:
    """A stalls while sending story 1 (to one chat), B takes the lease over; A's flush then comes to story 2
    (another chat) within a third of its lease, when it would have trusted its last renewal: the fence
    asks the database, so A does not send it. Story 1 went out without being marked (A lost the lease):
    B sends it again — the window the outbox documents — and story 2 once."""
    repo, out_a, out_b, clock = repository, io.StringIO(), io.StringIO(), Clock(T0)
    a = Leases(repo=repo, holder="a", clock=clock, lease_s=30)
    b = Leases(repo=repo, holder="b", clock=clock, lease_s=30)
    adapter = TakenOverDuring(out_a, lambda: expire_and_take(repo, "send:console", b))
    sender_a = Outbox(repo=repo, adapters={"console": adapter}, clock=clock, leases=a, max_channels=1)
    sender_b = Outbox(repo=repo, adapters={"console": ConsoleAdapter(stream=out_b)}, clock=clock, leases=b)
    await queue(repo, ["one", "two"])
    assert await sender_a.flush() == 0
    assert await sender_b.flush() == 2
    # two chats, queued at the same instant: no order between them (each chat's own order is kept)
    assert (titles(out_a), sorted(titles(out_b))) == (["Story 1"], ["Story 1", "Story 2"])
    assert (await repo.delivery_counts())["sent"] == 2


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("held and pending", True),
        ("taken over", False),
        ("expired, nobody took it", False),
        ("sent already", False),
    ],
)
async def test_the_fence_before_a_send(repository: SqlRepository, case: str, expected: bool) -> None:
    repo = repository
    a = Leases(repo=repo, holder="a", clock=Clock(T0), lease_s=30)
    await queue(repo, ["one"])
    [delivery] = await repo.pending_deliveries()
    assert await a.acquire("send:console") is True
    if case == "taken over":
        await expire_and_take(
            repo, "send:console", Leases(repo=repo, holder="b", clock=Clock(T0), lease_s=30)
        )
    elif case == "expired, nobody took it":
        async with repo.engine.begin() as connection:
            await connection.execute(
                update(Lease).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    elif case == "sent already":
        assert await repo.mark_sent(delivery.id, message_ids=["m1"]) is True
    assert await a.fence("send:console", delivery.id) is expected


async def test_sends_are_dated_on_the_clock_every_instance_reads(repository: SqlRepository) -> None:
    """An instance whose clock is far behind sends under the lease; the next instance to win the lease
    learns from `recent_sends` that the message went just now (its chat's pacing depends on it)."""
    clock, out = Clock(T0), io.StringIO()
    leases = Leases(repo=repository, holder="a", clock=clock, lease_s=30)
    sender = Outbox(
        repo=repository, adapters={"console": ConsoleAdapter(stream=out)}, clock=clock, leases=leases
    )
    await queue(repository, ["one"])
    assert await sender.flush() == 1
    recent = await repository.recent_sends("console", within_s=60)
    assert list(recent) == ["one"]
    assert [ago < 30 for ago in recent["one"]] == [True]


async def test_marking_a_delivery_sent_is_one_statement(repository: SqlRepository) -> None:
    await queue(repository, ["one", "two"])
    first, second = await repository.pending_deliveries()
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement.split()[0].upper())

    event.listen(repository.engine.sync_engine, "before_cursor_execute", seen)
    try:
        assert await repository.mark_sent(first.id, message_ids=["m1"], now=T0) is True
        marked = list(statements)
        assert await repository.mark_sent(first.id, message_ids=["m2"]) is False  # no longer pending
    finally:
        event.remove(repository.engine.sync_engine, "before_cursor_execute", seen)
    assert marked == ["UPDATE"]
    with pytest.raises(LookupError):
        await repository.mark_sent(10_000, message_ids=[])
    assert second.id != first.id
