"""The runtime end to end: feeds served over real HTTP, a real database, the console adapter, `newsbrief run`."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.app import ensure_default_feeds, open_runtime, run_once
from bot.models import Command
from bot.settings import Settings
from tests.cli import newsbrief
from tests.localhttp import FeedServer, serving, serving_feed

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serving_feed() as feed:
        yield feed


def settings_for(database_url: str, feed: str, **extra: Any) -> Settings:
    return Settings(database_url=database_url, feeds=[feed], allow_private_networks=True, **extra)


def titles(stream: io.StringIO) -> list[str]:
    return [block.splitlines()[0] for block in stream.getvalue().split("\n\n") if block.strip()]


async def test_new_feed_announces_only_its_latest_entries_then_each_new_one_once(
    server: FeedServer, database_url: str, database_connect_args: dict
) -> None:
    server.add(5)
    out = io.StringIO()
    settings = settings_for(database_url, server.url)
    async with open_runtime(
        settings, adapters={"console": ConsoleAdapter(stream=out)}, connect_args=database_connect_args
    ) as rt:
        first = await run_once(rt)
        assert titles(out) == [
            "Rail line to be electrified",
            "Hospital opens new wing",
            "Bakers protest flour prices",
        ]
        assert (first[0].new, first[0].briefed, first[0].queued) == (5, 3, 3)
        second = await run_once(rt)
        assert second[0].not_modified is True
        server.add(1)
        await run_once(rt)
    assert titles(out)[3:] == ["School meals to be free"]
    # a restart: nothing is briefed or delivered twice
    async with open_runtime(
        settings, adapters={"console": ConsoleAdapter(stream=out)}, connect_args=database_connect_args
    ) as rt:
        again = await run_once(rt)
    assert again[0].briefed == 0
    assert len(titles(out)) == 4


async def test_failing_feed_backs_off_then_is_deactivated_and_its_channel_told_once(
    server: FeedServer, database_url: str, database_connect_args: dict
) -> None:
    server.fail = True
    out = io.StringIO()
    settings = settings_for(database_url, server.url, dead_after_failures=3, poll_interval_s=60)
    async with open_runtime(
        settings, adapters={"console": ConsoleAdapter(stream=out)}, connect_args=database_connect_args
    ) as rt:
        waits = []
        for _ in range(2):
            (result,) = await run_once(rt)
            assert (result.error or "").startswith(f"{server.url}: HTTP 500")
            feed = await rt.repo.get_feed(server.url)
            assert feed is not None and feed.last_polled_at is not None and feed.next_poll_at is not None
            waits.append(feed.next_poll_at - feed.last_polled_at)
        assert waits[1] > waits[0]  # exponential backoff
        assert feed.last_error is not None and "500" in feed.last_error
        (result,) = await run_once(rt)
        assert result.deactivated is True
        assert await run_once(rt) == []  # a deactivated feed is not polled

        server.fail = False  # the feed works again: subscribing to it turns it back on
        command = Command.parse(f"/subscribe {server.url}", platform="console", chat="stdout", user="op")
        assert command is not None
        reply = await rt.dispatcher.router.dispatch(command, rt.dispatcher.ctx)
        assert (reply.text or "").startswith(f"Subscribed to {server.url}")
        assert "back on" in (reply.text or "")
        (result,) = await run_once(rt)
        assert result.error is None
    notices = [t for t in titles(out) if t.startswith("Feed deactivated")]
    assert notices == ["Feed deactivated: " + server.url]


async def test_malformed_feed_is_an_error_not_a_crash(
    database_url: str, database_connect_args: dict, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<html><body><p>not a feed & <b>broken</body>")
    settings = Settings(database_url=database_url, feeds=[str(broken)])
    async with open_runtime(
        settings,
        adapters={"console": ConsoleAdapter(stream=io.StringIO())},
        connect_args=database_connect_args,
    ) as rt:
        (result,) = await run_once(rt)
    assert result.error is not None
    assert str(broken) in result.error


async def test_default_feed_is_the_embedded_sample_when_nothing_is_configured(repository: Any) -> None:
    await ensure_default_feeds(repository, Settings())
    feeds = await repository.list_feeds()
    assert [f.url for f in feeds] == [str(ROOT / "seeds" / "feed.xml")]
    channel = await repository.get_channel("console", "stdout")
    assert channel is not None
    assert [f.url for f in await repository.subscriptions(channel.id)] == [str(ROOT / "seeds" / "feed.xml")]


async def test_the_operators_max_bullets_shapes_the_next_briefing_in_a_chat_that_never_set_its_own(
    database_url: str, database_connect_args: dict
) -> None:
    out = io.StringIO()
    console = {"console": ConsoleAdapter(stream=out)}
    async with open_runtime(
        Settings(database_url=database_url), adapters=console, connect_args=database_connect_args
    ):
        pass  # the console chat exists now, subscribed to the sample feed, with no bullet count of its own
    settings = Settings(database_url=database_url, max_bullets=4)  # then the operator asks for 4
    async with open_runtime(settings, adapters=console, connect_args=database_connect_args) as rt:
        await run_once(rt)
        shown = Command(platform="console", chat="stdout", user="op", name="settings")
        reply = await rt.dispatcher.router.dispatch(shown, rt.dispatcher.ctx)
    posts = [block.splitlines() for block in out.getvalue().split("\n\n") if block.strip()]
    bullets = {lines[0]: sum(line.startswith("  • ") for line in lines) for lines in posts}
    assert bullets["Lavrov en visite en Corée du Nord sur fond d’accusations américaines"] == 4
    assert max(bullets.values()) == 4
    assert "Bullets per briefing: 4" in (reply.text or "")


def killed_at_fault(env: dict[str, str], cwd: Path, *, fault: str) -> str:
    """Run ``newsbrief run --once`` in a process of its own until it pauses at ``fault`` (see `bot.outbox`),
    SIGKILL it; its stdout. (A process, because it must really be killed; it briefs itself, no worker pool.)"""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--once"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env={
            **clean,
            **env,
            "PYTHONPATH": str(ROOT),
            "NEWSBRIEF_FAULT": fault,
            "NEWSBRIEF_BRIEFING_WORKERS": "1",
        },
    )
    assert proc.stderr is not None
    assert "pending, pausing before send" in proc.stderr.readline()
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=60)
    return out


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The command's environment: its user data (the default database) under ``tmp_path``."""
    return {"XDG_DATA_HOME": str(tmp_path / "data")}


def test_run_once_on_the_embedded_default(env: dict[str, str], tmp_path: Path) -> None:
    first = newsbrief("run", "--once", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Lavrov en visite en Corée du Nord" in first.stdout
    assert "Acteurs : Sergueï Lavrov" in first.stdout
    assert first.stderr.strip().splitlines()[-1] == "1 feed(s) polled, 3 new briefing(s), 0 failed"
    second = newsbrief("run", "--once", env=env, cwd=tmp_path)
    assert second.stdout == ""
    assert second.stderr.strip().splitlines()[-1] == "1 feed(s) polled, 0 new briefing(s), 0 failed"


async def test_a_delivery_killed_between_pending_and_sent_arrives_exactly_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    # The sample feed polled here: its three briefings wait in the outbox, pending. The process killed
    # below then has nothing to brief (no spaCy to load): it goes straight to sending, and dies there.
    database = tmp_path / "data" / "newsbrief" / "newsbrief.db"
    database.parent.mkdir(parents=True)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{database}")
    async with open_runtime(settings, adapters={"console": ConsoleAdapter(stream=io.StringIO())}) as rt:
        for feed in await rt.repo.list_feeds(active_only=True):
            assert (await rt.poller.poll(feed)).queued == 3
    out = await asyncio.to_thread(killed_at_fault, env, tmp_path, fault="pause-before-send")
    assert out == ""  # killed before anything was sent
    after = await asyncio.to_thread(newsbrief, "run", "--once", env=env, cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert after.stdout.count("Lavrov en visite en Corée du Nord") == 1
    assert after.stdout.count("Northport council approves harbour bridge") == 1
    again = await asyncio.to_thread(newsbrief, "run", "--once", env=env, cwd=tmp_path)
    assert again.stdout == ""


def test_a_digest_killed_after_message_two_of_three_sends_only_the_third_after_restart(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert newsbrief("run", "--once", env=env, cwd=tmp_path).returncode == 0  # three sample briefings
    [database] = (tmp_path / "data").rglob("*.db")
    due = (datetime.now(UTC) - timedelta(minutes=2)).strftime("%H:%M")  # the console channel is in UTC
    with sqlite3.connect(database) as db:  # as if /digest had been set on this chat yesterday
        db.execute(
            "UPDATE channels SET digest_time = ?, created_at = ?",
            (due, (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")),
        )
    killed = killed_at_fault(env, tmp_path, fault="pause-before-send:3")
    after = newsbrief("run", "--once", env=env, cwd=tmp_path)
    again = newsbrief("run", "--once", env=env, cwd=tmp_path)

    parts = [t[:4] for t in titles(io.StringIO(killed))]
    assert parts == ["1/3 ", "2/3 "]
    assert after.returncode == 0, after.stderr
    assert [t[:4] for t in titles(io.StringIO(after.stdout))] == ["3/3 "]
    assert again.stdout == ""


def test_feeds_commands_and_the_opml_round_trip(env: dict[str, str], tmp_path: Path) -> None:
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
        '<outline text="News &amp; views" xmlUrl="https://example.org/news.xml"/>'
        '<outline text="Group"><outline text="Économie" xmlUrl="https://example.org/eco.xml"/></outline>'
        "</body></opml>",
        encoding="utf-8",
    )
    imported = newsbrief("feeds", "import", str(opml), env=env, cwd=tmp_path)
    assert imported.stdout.strip() == "imported 2 feed(s)"
    exported = newsbrief("feeds", "export", env=env, cwd=tmp_path)
    (tmp_path / "out.opml").write_text(exported.stdout, encoding="utf-8")
    again = newsbrief(
        "feeds",
        "import",
        str(tmp_path / "out.opml"),
        env={**env, "XDG_DATA_HOME": str(tmp_path / "other")},
        cwd=tmp_path,
    )
    assert again.stdout.strip() == "imported 2 feed(s)"
    listed = newsbrief("feeds", "list", env=env, cwd=tmp_path)
    assert "https://example.org/eco.xml" in listed.stdout
    removed = newsbrief("feeds", "remove", "https://example.org/news.xml", env=env, cwd=tmp_path)
    assert removed.stdout.strip() == "removed https://example.org/news.xml"
    missing = newsbrief("feeds", "remove", "42", env=env, cwd=tmp_path)
    assert (missing.returncode, missing.stderr.strip()) == (1, "error: 42: no such feed")
    bad = newsbrief("feeds", "import", str(tmp_path / "nope.opml"), env=env, cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.startswith(f"error: {tmp_path / 'nope.opml'}")
    assert newsbrief("db", "upgrade", env=env, cwd=tmp_path).stdout.startswith("database at revision ")


async def later(rt: Any, now: list[datetime], minutes: int, database_kind: str) -> None:
    """Time passes: the runtime's clock moves. On PostgreSQL feeds come due on the database's clock (as
    several instances reckon them), which a test cannot move: their next polls move back instead."""
    now[0] += timedelta(minutes=minutes)
    if database_kind == "postgresql":
        from sqlalchemy import Interval, literal, update

        from bot.storage.tables import Feed

        async with rt.repo.engine.begin() as connection:
            back = Feed.next_poll_at - literal(timedelta(minutes=minutes), Interval())
            await connection.execute(update(Feed).values(next_poll_at=back))


async def test_scheduler_tick_polls_only_due_feeds(
    server: FeedServer, database_kind: str, database_url: str, database_connect_args: dict
) -> None:
    from bot.app import poll_due

    server.add(2)
    now = [datetime.now(UTC)]
    out = io.StringIO()
    settings = settings_for(database_url, server.url, poll_interval_s=900, poll_jitter=0.0)
    async with open_runtime(
        settings,
        adapters={"console": ConsoleAdapter(stream=out)},
        connect_args=database_connect_args,
        clock=lambda: now[0],
    ) as rt:
        await poll_due(rt)  # a new feed is due at once
        assert server.hits == 1
        await later(rt, now, 10, database_kind)
        await poll_due(rt)  # not due yet
        assert server.hits == 1
        await later(rt, now, 6, database_kind)
        await poll_due(rt)
        assert server.hits == 2
    assert titles(out) == ["Port workers end strike", "Library reopens after flood"]


async def test_summary_only_entries_are_briefed_from_the_article_page(
    database_url: str, database_connect_args: dict, tmp_path: Path
) -> None:
    page = (
        "<html><head><title>Harbour plan</title></head><body><nav>Home | World | Sport</nav><article><h1>Harbour plan</h1>"
        + "".join(
            f"<p>The harbour authority said on Monday that its plan for berth {i} would double the cargo the port can "
            f"handle, and its director, Mila Hart, promised that local fishermen would keep their moorings.</p>"
            for i in range(1, 12)
        )
        + "</article><footer>Subscribe to our newsletter</footer></body></html>"
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/feed.xml":
                body = (
                    '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Harbour plan</title>'
                    f"<link>{base}/story</link><guid>s1</guid><description>A short teaser.</description>"
                    "</item></channel></rss>"
                ).encode()
            else:
                body = page
            self.send_response(200)
            self.send_header(
                "Content-Type",
                "text/html; charset=utf-8" if self.path != "/feed.xml" else "application/rss+xml",
            )
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    out = io.StringIO()
    with serving(Page) as base:
        settings = settings_for(database_url, f"{base}/feed.xml")
        async with open_runtime(
            settings, adapters={"console": ConsoleAdapter(stream=out)}, connect_args=database_connect_args
        ) as rt:
            (result,) = await run_once(rt)
    assert result.briefed == 1
    assert "Mila Hart" in out.getvalue()
    assert "newsletter" not in out.getvalue()


async def test_a_feed_can_have_its_own_polling_interval(
    server: FeedServer, database_kind: str, database_url: str, database_connect_args: dict
) -> None:
    from bot.app import poll_due

    server.add(1)
    now = [datetime.now(UTC)]
    settings = settings_for(database_url, server.url, poll_interval_s=900, poll_jitter=0.0)
    async with open_runtime(
        settings,
        adapters={"console": ConsoleAdapter(stream=io.StringIO())},
        connect_args=database_connect_args,
        clock=lambda: now[0],
    ) as rt:
        feed = await rt.repo.get_feed(server.url)
        assert feed is not None
        await rt.repo.set_poll_interval(feed.id, 120)
        await poll_due(rt)
        await later(rt, now, 3, database_kind)  # past its own 2 minutes, well before the default 15
        await poll_due(rt)
    assert server.hits == 2


def test_feeds_add_finds_a_pages_feed_and_takes_its_own_interval(env: dict[str, str], tmp_path: Path) -> None:
    class Site(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/feed.xml":
                body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Site news</title></channel></rss>'
            else:
                body = b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>'
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Site) as base:
        allowed = {**env, "NEWSBRIEF_ALLOW_PRIVATE_NETWORKS": "true"}
        added = newsbrief("feeds", "add", f"{base}/", "--every", "5", env=allowed, cwd=tmp_path)
        refused = newsbrief("feeds", "add", f"{base}/", env=env, cwd=tmp_path)
    assert added.stdout == f"1\t{base}/feed.xml\tSite news\n"
    assert refused.returncode == 1
    assert "refused" in refused.stderr
    with sqlite3.connect(tmp_path / "data" / "newsbrief" / "newsbrief.db") as db:
        assert db.execute("SELECT url, poll_interval_s FROM feeds").fetchall() == [(f"{base}/feed.xml", 300)]
