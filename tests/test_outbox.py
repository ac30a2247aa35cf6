"""The outbox through outages and refusals: the real Telegram client against the local fake Bot API,
a real TCP relay in between that can go down, real databases, and a controlled clock for the outbox.

No test asserts on timings: the outbox's clock is a variable the test moves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bot.adapters.console import ConsoleAdapter
from bot.adapters.telegram import Limits, TelegramAdapter
from bot.app import build_context, build_engine
from bot.cluster import Leases
from bot.dispatch import Dispatcher
from bot.models import Command
from bot.outbox import Outbox
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from bot.storage.tables import Delivery
from handlers import register_all
from handlers.router import Router
from tests.clocks import ManualClock
from tests.fake_telegram import FakeTelegram
from tests.test_cluster import expire

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CHAT = "4242"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Relay:
    """A TCP relay on 127.0.0.1 to ``port``; `down` refuses connections (and cuts open ones) until `up`."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()
        self._server = None

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, upstream_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                dst.close()
                self._writers.discard(dst)

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


async def queue_posts(repo: Any, channel_id: int, count: int, *, prefix: str = "Post") -> list[int]:
    ids = []
    for n in range(count):
        data = {"title": f"{prefix} {n}", "bullets": [f"Bullet of {prefix.lower()} {n}."], "url": None}
        delivery = await repo.enqueue_digest(
            channel_id, digest_key=f"{prefix}-{n}", data=data, now=T0 + timedelta(seconds=n)
        )
        assert delivery is not None
        ids.append(delivery)
    return ids


def titles(fake: FakeTelegram) -> list[str]:
    return [m.text.splitlines()[0] for m in fake.sent_to(CHAT)]


async def test_telegram_down_for_ten_minutes_then_back_every_delivery_arrives_once_in_order(
    fake_telegram: FakeTelegram, repository: Any
) -> None:
    relay = Relay(int(fake_telegram.url.rsplit(":", 1)[1]))
    await relay.up()
    adapter = TelegramAdapter(
        fake_telegram.token, base_url=f"http://127.0.0.1:{relay.port}/bot", limits=Limits(chat_interval=0)
    )
    await adapter.start()
    clock = Clock()
    outbox = Outbox(repo=repository, adapters={"telegram": adapter}, clock=clock)
    channel = await repository.upsert_channel("telegram", CHAT)
    await queue_posts(repository, channel.id, 6)
    try:
        await relay.down()
        for _ in range(60):  # ten minutes, a pass every ten seconds
            assert await outbox.flush() == 0
            clock.advance(seconds=10)
        assert fake_telegram.messages == []
        counts = await repository.delivery_counts()
        assert (counts["pending"], counts["failed"], counts["dropped"]) == (6, 0, 0)
        first, *rest = await repository.pending_deliveries()
        assert 3 <= first.attempts <= 9  # backing off (5 s doubling, with jitter), not every pass
        assert [d.attempts for d in rest] == [0] * 5  # later posts wait behind the first: order holds
        waiting = await repository.get_channel_by_id(channel.id)
        assert waiting is not None and waiting.active and waiting.retry_at is not None
        assert waiting.retry_at > clock.now - timedelta(seconds=10)  # backing off, not hammering
        await relay.up()
        clock.advance(hours=1)  # the backoff is capped at an hour
        assert await outbox.flush() == 6
        assert await outbox.flush() == 0
    finally:
        await adapter.stop()
        if relay._server is not None:
            await relay.down()
    assert titles(fake_telegram) == [f"Post {n}" for n in range(6)]
    assert (await repository.delivery_counts())["sent"] == 6
    assert (await repository.get_channel_by_id(channel.id)).retry_at is None


async def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    outbox = Outbox(repo=None, adapters={}, clock=Clock(), backoff_s=5, max_backoff_s=3600)  # type: ignore[arg-type]
    for attempt in range(1, 30):
        ceiling = min(3600, 5 * 2 ** (attempt - 1))
        waits = {outbox.backoff(attempt) for _ in range(20)}
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(waits) > 1  # jitter


async def test_after_the_retry_period_a_delivery_is_given_up_and_the_next_one_goes(
    fake_telegram: FakeTelegram, repository: Any
) -> None:
    adapter = TelegramAdapter(
        fake_telegram.token, base_url=fake_telegram.base_url, limits=Limits(chat_interval=0)
    )
    await adapter.start()
    clock = Clock()
    outbox = Outbox(repo=repository, adapters={"telegram": adapter}, clock=clock, retry_s=3600)
    channel = await repository.upsert_channel("telegram", CHAT)
    await queue_posts(repository, channel.id, 2)
    try:
        fake_telegram.fail_once(after=0, status=502)
        assert await outbox.flush() == 0
        clock.advance(hours=2)
        fake_telegram.fail_once(after=0, status=502)
        assert await outbox.flush() == 0  # failing for over the period: given up, the channel not held
        assert await outbox.flush() == 1
    finally:
        await adapter.stop()
    assert titles(fake_telegram) == ["Post 1"]
    counts = await repository.delivery_counts()
    assert (counts["sent"], counts["failed"], counts["pending"]) == (1, 1, 0)


async def test_a_blocked_chat_is_deactivated_its_deliveries_dropped_and_it_comes_back_when_it_talks(
    fake_telegram: FakeTelegram, repository: Any
) -> None:
    adapter = TelegramAdapter(
        fake_telegram.token, base_url=fake_telegram.base_url, limits=Limits(chat_interval=0)
    )
    await adapter.start()
    clock = Clock()
    outbox = Outbox(repo=repository, adapters={"telegram": adapter}, clock=clock)
    channel = await repository.upsert_channel("telegram", CHAT)
    await queue_posts(repository, channel.id, 3)
    try:
        fake_telegram.block(CHAT)
        assert await outbox.flush() == 0
        gone = await repository.get_channel_by_id(channel.id)
        assert gone is not None and gone.active is False
        counts = await repository.delivery_counts()
        assert (counts["pending"], counts["dropped"]) == (0, 3)
        assert await repository.pending_deliveries() == []

        fake_telegram.blocked.clear()  # the user unblocks the bot and writes /help to it
        settings = Settings()
        async with Fetcher(local_files=False) as fetcher:
            context = build_context(
                repo=repository, engine=build_engine(settings), fetcher=fetcher, settings=settings
            )
            dispatcher = Dispatcher(router=register_all(Router()), ctx=context)
            command = Command.parse("/help", platform="telegram", chat=CHAT, user=CHAT)
            assert command is not None
            reply = await dispatcher.run(command, adapter)
        assert reply.text
        back = await repository.get_channel_by_id(channel.id)
        assert back is not None and back.active is True
        await queue_posts(repository, channel.id, 1, prefix="Later")
        assert await outbox.flush() == 1
    finally:
        await adapter.stop()
    assert titles(fake_telegram) == ["Later 0"]


class CountingRepo:
    """The repository, counting the rows `pending_deliveries` reads and how often it is asked."""

    def __init__(self, repo: Any) -> None:
        self.repo = repo
        self.queries = 0
        self.rows = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.repo, name)

    async def pending_deliveries(self, **kwargs: Any) -> Sequence[Any]:
        rows = await self.repo.pending_deliveries(**kwargs)
        self.queries += 1
        self.rows += len(rows)
        return rows


async def bulk_pending(repo: Any, channel_id: int, count: int) -> None:
    rows = [
        {"channel_id": channel_id, "digest_key": f"old-{n}", "data": {"title": f"Old {n}"}, "created_at": T0}
        for n in range(count)
    ]
    async with repo.engine.begin() as connection:
        for start in range(0, count, 2000):
            await connection.execute(insert(Delivery), rows[start : start + 2000])


async def outbox_pass(repo: Any) -> tuple[int, int, list[str]]:
    """(queries, rows read, titles printed) of one outbox pass over the console channel's 3 new posts."""
    channel = await repo.upsert_channel("console", "stdout")
    await queue_posts(repo, channel.id, 3, prefix=f"Console {channel.id}-{datetime.now(UTC).timestamp()}")
    import io

    out = io.StringIO()
    counting = CountingRepo(repo)
    outbox = Outbox(repo=counting, adapters={"console": ConsoleAdapter(stream=out)}, clock=Clock())  # type: ignore[arg-type]
    sent = await outbox.flush()
    assert sent == 3
    return (
        counting.queries,
        counting.rows,
        [b.splitlines()[0] for b in out.getvalue().split("\n\n") if b.strip()],
    )


async def test_deliveries_of_a_removed_platform_or_an_inactive_channel_are_not_read_by_an_outbox_pass(
    repository: Any,
) -> None:
    quiet = await outbox_pass(repository)
    removed = await repository.upsert_channel("irc", "#gone")  # a platform no longer configured
    await bulk_pending(repository, removed.id, 20_000)
    inactive = await repository.upsert_channel("telegram", "-100")
    await bulk_pending(repository, inactive.id, 500)
    await repository.set_channel_active(inactive.id, False)
    busy = await outbox_pass(repository)
    assert busy[:2] == quiet[:2] == (2, 3)  # one query reads the 3 posts, one finds nothing more
    assert len(busy[2]) == 3
    counts = await repository.delivery_counts()
    assert counts["pending"] == 20_500


async def test_chat_not_found_is_a_permanent_refusal(fake_telegram: FakeTelegram, repository: Any) -> None:
    adapter = TelegramAdapter(
        fake_telegram.token, base_url=fake_telegram.base_url, limits=Limits(chat_interval=0)
    )
    await adapter.start()
    outbox = Outbox(repo=repository, adapters={"telegram": adapter}, clock=Clock())
    channel = await repository.upsert_channel("telegram", "no-such-chat")
    await queue_posts(repository, channel.id, 2)
    try:
        assert await outbox.flush() == 0
    finally:
        await adapter.stop()
    gone = await repository.get_channel_by_id(channel.id)
    assert gone is not None and gone.active is False
    assert (await repository.delivery_counts())["dropped"] == 2


class TakeoverClock(ManualClock):
    """A pacing clock (virtual time) that lets another instance take the sending lease over the first
    time the adapter waits for its turn: between the lease check and the send's failure."""

    def __init__(self, take_over: Callable[[], Awaitable[None]]) -> None:
        super().__init__()
        self.take_over, self.taken = take_over, False

    async def sleep(self, seconds: float) -> None:
        if not self.taken:
            self.taken = True
            await self.take_over()
        await super().sleep(seconds)


async def test_a_late_sender_whose_lease_was_taken_over_mid_send_records_no_failure(
    fake_telegram: FakeTelegram, repository: Any
) -> None:
    async def take_over() -> None:
        await expire(repository, "send:telegram")
        assert await repository.acquire_lease("send:telegram", holder="b", lease_s=300)

    clock = Clock()
    # the second post waits a second for its turn in the chat: b takes the lease over meanwhile
    adapter = TelegramAdapter(
        fake_telegram.token, base_url=fake_telegram.base_url, clock=TakeoverClock(take_over)
    )
    await adapter.start()
    leases = Leases(repo=repository, holder="a", clock=clock, lease_s=30)
    outbox = Outbox(repo=repository, adapters={"telegram": adapter}, clock=clock, leases=leases)
    channel = await repository.upsert_channel("telegram", CHAT)
    await queue_posts(repository, channel.id, 2)
    try:
        fake_telegram.fail_once(after=1, status=502)
        assert await outbox.flush() == 1
    finally:
        await adapter.stop()
    assert titles(fake_telegram) == ["Post 0"]
    # a's failure is not recorded: the delivery is b's to try, with no attempt counted, the chat not held
    [left] = await repository.pending_deliveries()
    assert (left.attempts, left.failing_since, left.sent_parts) == (0, None, ())
    waiting = await repository.get_channel_by_id(channel.id)
    assert waiting is not None and waiting.retry_at is None


async def test_an_instance_whose_clock_is_an_hour_off_neither_takes_a_live_lease_nor_keeps_a_dead_one(
    repository: Any,
) -> None:
    now = datetime.now(UTC)
    ahead = Leases(repo=repository, holder="ahead", clock=lambda: now + timedelta(hours=1), lease_s=30)
    behind = Leases(repo=repository, holder="behind", clock=lambda: now - timedelta(hours=1), lease_s=30)
    right = Leases(repo=repository, holder="right", clock=lambda: now, lease_s=30)
    assert await right.acquire("send:telegram") is True
    assert await ahead.acquire("send:telegram") is False  # right's lease is not over on the database's clock
    assert await behind.acquire("listen:telegram") is True
    assert await right.acquire("listen:telegram") is False  # behind renewed it: it holds it for 30 s more
    await expire(repository, "listen:telegram")  # behind died
    assert await right.acquire("listen:telegram") is True
