"""The storage layer on real databases: SQLite always, PostgreSQL when NEWSBRIEF_TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect

from bot.models import Address
from bot.storage.db import open_database, upgrade_database
from bot.storage.repository import SqlRepository

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
TABLES = {
    "alembic_version",
    "feeds",
    "articles",
    "briefings",
    "channels",
    "subscriptions",
    "deliveries",
    "digests",
    "leases",
    "instances",
    "handled_updates",
    "actor_mentions",
    "follows",
}


def briefing_json(title: str, *actors: str, lang: str = "fr") -> dict[str, Any]:
    return {
        "source": "feed",
        "lang": lang,
        "title": title,
        "actors": [
            {"name": a, "kind": "person", "aliases": [], "role": None, "mentions": 1, "salience": 0.5}
            for a in actors
        ],
        "claims": [],
        "bullets": [f"{title}."],
    }


async def article(repo: SqlRepository, feed_id: int | None, n: int, **changes: Any) -> int | None:
    values: dict[str, Any] = {
        "feed_id": feed_id,
        "entry_id": f"entry-{n}",
        "url": f"https://news.example/a/{n}",
        "content_hash": f"hash-{n}",
        "title": f"Article {n}",
        "published": T0,
        "now": T0,
    }
    return await repo.add_article(**(values | changes))


async def briefed(
    repo: SqlRepository, feed_id: int, n: int, data: dict[str, Any], *, now: datetime = T0
) -> int:
    article_id = await article(repo, feed_id, n)
    assert article_id is not None
    return await repo.store_briefing(article_id, data, now=now)


# -- migrations ---------------------------------------------------------------------------------------


@pytest.mark.fresh_database  # migrations from an empty schema
async def test_upgrade_creates_the_tables_and_twice_is_a_no_op(
    database_url: str, database_connect_args: dict[str, Any]
) -> None:
    first = await upgrade_database(database_url, connect_args=database_connect_args)
    second = await upgrade_database(database_url, connect_args=database_connect_args)
    repo = await open_database(database_url, connect_args=database_connect_args)
    async with repo.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    await repo.close()

    assert (first, second) == ("0007", "0007")
    assert tables == TABLES


@pytest.mark.fresh_database  # an empty schema, not upgraded
async def test_open_without_upgrade_leaves_an_empty_database_empty(
    database_url: str, database_connect_args: dict[str, Any]
) -> None:
    repo = await open_database(database_url, upgrade=False, connect_args=database_connect_args)
    async with repo.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    await repo.close()

    assert tables == set()


# -- feeds --------------------------------------------------------------------------------------------


async def test_feeds_add_is_idempotent_list_and_remove(repository: SqlRepository) -> None:
    a = await repository.add_feed("https://a.example/rss", title="A")
    again = await repository.add_feed("https://a.example/rss", title="other title")
    b = await repository.add_feed("https://b.example/atom", site_url="https://b.example/")
    channel = await repository.upsert_channel("console", "me")
    await repository.subscribe(channel.id, a.id)
    await repository.deactivate_feed(b.id, reason="410 Gone")

    assert again == a
    assert (a.title, a.active, a.seen_once, a.error_count, a.next_poll_at) == ("A", True, False, 0, None)
    assert await repository.get_feed(a.id) == a
    assert await repository.get_feed("https://a.example/rss") == a
    assert await repository.get_feed("https://nowhere.example/") is None
    assert [f.url for f in await repository.list_feeds()] == [a.url, b.url]
    assert [f.url for f in await repository.list_feeds(active_only=True)] == [a.url]
    assert (await repository.get_feed(b.id)).last_error == "410 Gone"

    assert await repository.remove_feed(a.id) is True
    assert await repository.remove_feed(a.id) is False
    assert [f.url for f in await repository.list_feeds()] == [b.url]
    assert await repository.subscriptions(channel.id) == []


async def test_due_feeds_and_poll_bookkeeping(repository: SqlRepository) -> None:
    a = await repository.add_feed("https://a.example/rss")
    b = await repository.add_feed("https://b.example/rss")
    await repository.record_poll_success(
        a.id,
        now=T0,
        etag='"v1"',
        last_modified="Wed, 25 Nov 2026 07:00:00 GMT",
        title="A",
        next_poll_in=timedelta(minutes=15),
    )

    assert [f.id for f in await repository.due_feeds(now=T0)] == [b.id]
    assert [f.id for f in await repository.due_feeds(now=T0 + timedelta(minutes=15))] == [b.id, a.id]

    first = await repository.record_poll_failure(
        a.id, now=T0 + timedelta(minutes=15), error="timeout", next_poll_in=timedelta(minutes=30)
    )
    second = await repository.record_poll_failure(
        a.id, now=T0 + timedelta(minutes=45), error="HTTP 503", next_poll_in=timedelta(minutes=75)
    )
    assert (second.error_count, second.first_error_at, second.last_error) == (
        2,
        T0 + timedelta(minutes=15),
        "HTTP 503",
    )
    assert (first.etag, first.title) == ('"v1"', "A")

    healed = await repository.record_poll_success(
        a.id,
        now=T0 + timedelta(hours=2),
        etag=None,
        last_modified=None,
        title=None,
        next_poll_in=timedelta(hours=1),
    )
    assert (healed.error_count, healed.first_error_at, healed.last_error) == (0, None, None)
    assert (healed.title, healed.etag, healed.last_polled_at) == ("A", None, T0 + timedelta(hours=2))

    await repository.mark_first_poll_done(a.id)
    await repository.deactivate_feed(b.id, reason="not a feed")
    assert (await repository.get_feed(a.id)).seen_once is True
    assert await repository.due_feeds(now=T0 + timedelta(days=1)) == [await repository.get_feed(a.id)]
    assert await repository.due_feeds(now=T0 + timedelta(days=1), followed_only=True) == []
    channel = await repository.upsert_channel("slack", "C1")
    await repository.subscribe(channel.id, a.id)
    assert [f.id for f in await repository.due_feeds(now=T0 + timedelta(days=1), followed_only=True)] == [
        a.id
    ]
    await repository.set_channel_active(channel.id, False)
    assert await repository.due_feeds(now=T0 + timedelta(days=1), followed_only=True) == []


async def test_unknown_ids_raise_lookup_error(repository: SqlRepository) -> None:
    with pytest.raises(LookupError):
        await repository.record_poll_failure(999, now=T0, error="x", next_poll_in=timedelta(0))
    with pytest.raises(LookupError):
        await repository.mark_sent(999, message_ids=[], now=T0)


# -- articles -----------------------------------------------------------------------------------------


async def test_article_dedupe_by_entry_id_url_and_content_hash(repository: SqlRepository) -> None:
    feed = await repository.add_feed("https://a.example/rss")
    other = await repository.add_feed("https://b.example/rss")
    first = await article(repository, feed.id, 1)

    assert first is not None
    assert (
        await article(repository, feed.id, 1, url="https://elsewhere.example/x", content_hash="new") is None
    )
    assert await article(repository, other.id, 2, url="https://news.example/a/1") is None
    assert await article(repository, other.id, 3, content_hash="hash-1") is None
    assert await article(repository, other.id, 1) is None  # same entry id elsewhere, but same url and hash
    assert await article(repository, other.id, 1, url="https://b.example/1", content_hash="b1") is not None
    assert await article(repository, None, 4, entry_id=None, url=None, content_hash=None) is not None
    assert await article(repository, None, 5, entry_id=None, url=None, content_hash=None) is not None
    assert await repository.article_known(feed_id=feed.id, entry_id="entry-1", url=None) is True
    assert await repository.article_known(feed_id=None, entry_id=None, url="https://news.example/a/1") is True
    assert (
        await repository.article_known(feed_id=feed.id, entry_id="entry-9", url="https://x.example/") is False
    )


async def test_concurrent_inserts_of_the_same_article_give_one_id(repository: SqlRepository) -> None:
    feed = await repository.add_feed("https://a.example/rss")
    results = await asyncio.gather(*(article(repository, feed.id, 1) for _ in range(8)))

    assert sum(r is not None for r in results) == 1


async def test_article_dedupe_survives_a_restart(
    database_url: str, database_connect_args: dict[str, Any]
) -> None:
    repo = await open_database(database_url, connect_args=database_connect_args)
    feed = await repo.add_feed("https://a.example/rss")
    first = await article(repo, feed.id, 1)
    await repo.close()

    repo = await open_database(database_url, connect_args=database_connect_args)
    again = await article(repo, feed.id, 1)
    stored = await repo.get_feed(feed.url)
    await repo.close()

    assert first is not None
    assert again is None
    assert stored == feed


async def test_datetimes_come_back_timezone_aware_utc(repository: SqlRepository) -> None:
    paris = datetime(2026, 11, 25, 9, 30, tzinfo=UTC).astimezone(ZoneInfo("Europe/Paris"))
    feed = await repository.add_feed("https://a.example/rss")
    await repository.record_poll_failure(feed.id, now=paris, error="x", next_poll_in=timedelta(hours=1))
    stored = await repository.get_feed(feed.id)

    assert stored.first_error_at == datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    assert stored.first_error_at.tzinfo == UTC
    assert stored.next_poll_at.tzinfo == UTC
    assert stored.added_at.tzinfo == UTC
    with pytest.raises(ValueError, match="naive"):
        await repository.record_poll_failure(
            feed.id, now=datetime(2026, 11, 25), error="x", next_poll_in=timedelta(hours=1)
        )


# -- channels and subscriptions -----------------------------------------------------------------------


async def test_channel_upsert_is_idempotent_and_settings_update(repository: SqlRepository) -> None:
    channel = await repository.upsert_channel("telegram", "-100123")
    again = await repository.upsert_channel("telegram", "-100123", thread=None)
    topic = await repository.upsert_channel("telegram", "-100123", thread="7")
    updated = await repository.update_channel(
        channel.id, timezone="Europe/Paris", digest_time="07:30", language="fr"
    )

    assert again == channel
    assert topic.id != channel.id
    assert topic.address == Address(platform="telegram", chat="-100123", thread="7")
    assert (channel.timezone, channel.max_bullets, channel.thread, channel.active) == ("UTC", 6, None, True)
    assert (updated.timezone, updated.digest_time, updated.language) == ("Europe/Paris", "07:30", "fr")
    assert await repository.get_channel("telegram", "-100123") == updated
    assert await repository.get_channel_by_id(topic.id) == topic
    assert await repository.get_channel("slack", "-100123") is None
    assert await repository.upsert_channel("telegram", "-100123") == updated
    with pytest.raises(ValueError, match="HH:MM"):
        await repository.update_channel(channel.id, digest_time="7h30")
    with pytest.raises(ValueError, match="IANA"):
        await repository.update_channel(channel.id, timezone="Mars/Olympus")
    with pytest.raises(TypeError, match="colour"):
        await repository.update_channel(channel.id, colour="red")  # type: ignore[call-arg]


async def test_subscribe_unsubscribe_and_subscribers_exclude_inactive_channels(
    repository: SqlRepository,
) -> None:
    feed = await repository.add_feed("https://a.example/rss")
    one = await repository.upsert_channel("slack", "C1")
    two = await repository.upsert_channel("slack", "C2")

    assert await repository.subscribe(one.id, feed.id) is True
    assert await repository.subscribe(one.id, feed.id) is False
    assert await repository.subscribe(two.id, feed.id) is True
    assert [f.id for f in await repository.subscriptions(one.id)] == [feed.id]
    assert [c.id for c in await repository.subscribers(feed.id)] == [one.id, two.id]

    await repository.set_channel_active(two.id, False)
    assert [c.id for c in await repository.subscribers(feed.id)] == [one.id]
    assert [c.id for c in await repository.list_channels()] == [one.id]

    assert await repository.unsubscribe(one.id, feed.id) is True
    assert await repository.unsubscribe(one.id, feed.id) is False
    assert await repository.subscriptions(one.id) == []
    assert await repository.subscribers(feed.id) == []
    with pytest.raises(LookupError):
        await repository.subscribe(one.id, 999)


# -- the outbox ---------------------------------------------------------------------------------------


async def test_enqueue_twice_creates_no_duplicate_deliveries(repository: SqlRepository) -> None:
    feed = await repository.add_feed("https://a.example/rss")
    one = await repository.upsert_channel("slack", "C1")
    two = await repository.upsert_channel("telegram", "42", thread="3")
    off = await repository.upsert_channel("slack", "C3")
    for channel in (one, two, off):
        await repository.subscribe(channel.id, feed.id)
    await repository.set_channel_active(off.id, False)
    data = briefing_json("Sommet à Bruxelles", "Ursula von der Leyen")
    briefing_id = await briefed(repository, feed.id, 1, data)

    created = await repository.enqueue_deliveries(briefing_id, feed_id=feed.id, now=T0)
    again = await repository.enqueue_deliveries(briefing_id, feed_id=feed.id, now=T0 + timedelta(seconds=1))
    pending = await repository.pending_deliveries()

    assert len(created) == 2
    assert again == []
    assert [(d.id, d.channel.id, d.briefing_id, d.status, d.attempts) for d in pending] == [
        (created[0], one.id, briefing_id, "pending", 0),
        (created[1], two.id, briefing_id, "pending", 0),
    ]
    assert pending[1].channel.address == Address(platform="telegram", chat="42", thread="3")
    assert (pending[0].data, pending[0].url) == (data, "https://news.example/a/1")

    await repository.set_channel_active(two.id, False)
    assert [d.channel.id for d in await repository.pending_deliveries()] == [one.id]


async def test_store_briefing_is_idempotent_per_article(repository: SqlRepository) -> None:
    feed = await repository.add_feed("https://a.example/rss")
    article_id = await article(repository, feed.id, 1)
    assert article_id is not None

    first = await repository.store_briefing(article_id, briefing_json("Un"), now=T0)
    again = await repository.store_briefing(article_id, briefing_json("Deux"), now=T0)

    assert again == first
    with pytest.raises(LookupError):
        await repository.store_briefing(999, briefing_json("Trois"), now=T0)


async def test_sent_is_never_pending_again_and_permanent_failure_stops_retries(
    repository: SqlRepository,
) -> None:
    feed = await repository.add_feed("https://a.example/rss")
    channel = await repository.upsert_channel("slack", "C1")
    await repository.subscribe(channel.id, feed.id)
    first, second, third = [
        (
            await repository.enqueue_deliveries(
                await briefed(repository, feed.id, n, briefing_json(f"N{n}")),
                feed_id=feed.id,
                now=T0 + timedelta(minutes=n),
            )
        )[0]
        for n in (1, 2, 3)
    ]

    assert await repository.mark_sent(first, message_ids=["m1", "m2"], now=T0) is True
    assert await repository.mark_sent(first, message_ids=["m3"], now=T0) is False
    assert await repository.mark_failed(first, error="late", permanent=False) is False
    assert await repository.mark_failed(second, error="HTTP 429", permanent=False) is True
    assert await repository.mark_failed(third, error="chat not found", permanent=True) is True
    assert await repository.mark_sent(third, message_ids=["m4"], now=T0) is False

    pending = await repository.pending_deliveries()
    assert [(d.id, d.attempts) for d in pending] == [(second, 1)]
    assert await repository.mark_failed(second, error="blocked", permanent=True) is True
    assert await repository.pending_deliveries() == []


async def test_digests_are_enqueued_once_per_key(repository: SqlRepository) -> None:
    channel = await repository.upsert_channel("telegram", "42")
    digest = {"title": "Digest", "bullets": ["a", "b"]}

    first = await repository.enqueue_digest(channel.id, digest_key="2026-11-25#1", data=digest, now=T0)
    again = await repository.enqueue_digest(channel.id, digest_key="2026-11-25#1", data=digest, now=T0)
    [pending] = await repository.pending_deliveries()

    assert first is not None
    assert again is None
    assert (pending.id, pending.digest_key, pending.briefing_id, pending.data, pending.url) == (
        first,
        "2026-11-25#1",
        None,
        digest,
        None,
    )


async def test_recent_briefings_newest_first_with_a_query(repository: SqlRepository) -> None:
    feed = await repository.add_feed("https://a.example/rss")
    unsubscribed = await repository.add_feed("https://b.example/rss")
    channel = await repository.upsert_channel("console", "me")
    await repository.subscribe(channel.id, feed.id)
    await briefed(repository, feed.id, 1, briefing_json("Lavrov à Pyongyang", "Sergueï Lavrov"), now=T0)
    await briefed(
        repository, feed.id, 2, briefing_json("Budget voté", "Élisabeth Borne"), now=T0 + timedelta(hours=1)
    )
    await briefed(
        repository, feed.id, 3, briefing_json("Grève SNCF", "SUD-Rail"), now=T0 + timedelta(hours=2)
    )
    await briefed(repository, unsubscribed.id, 4, briefing_json("Lavrov ailleurs", "Sergueï Lavrov"))

    latest = await repository.recent_briefings(channel.id, limit=2)
    by_actor = await repository.recent_briefings(channel.id, limit=5, query="LAVROV")
    by_title = await repository.recent_briefings(channel.id, limit=5, query="budget")
    by_accented_name = await repository.recent_briefings(channel.id, limit=5, query="élisabeth")

    assert [b["title"] for b in latest] == ["Grève SNCF", "Budget voté"]
    assert latest[0]["url"] == "https://news.example/a/3"
    assert [b["title"] for b in by_actor] == ["Lavrov à Pyongyang"]
    assert [b["title"] for b in by_title] == ["Budget voté"]
    assert [b["title"] for b in by_accented_name] == ["Budget voté"]
    assert await repository.recent_briefings(channel.id, limit=5, query="nobody") == []


async def test_an_announced_article_is_stored_briefed_and_queued_at_once(repository: SqlRepository) -> None:
    feed = await repository.add_feed("https://news.example/feed.xml")
    channels = [await repository.upsert_channel("console", name) for name in ("a", "b")]
    for channel in channels:
        await repository.subscribe(channel.id, feed.id)
    row = {
        "feed_id": feed.id,
        "entry_id": "e1",
        "url": "https://news.example/a/1",
        "content_hash": "h1",
        "title": "One",
        "published": T0,
    }

    article_id, deliveries = await repository.add_briefed_article(row, briefing_json("One"), now=T0)
    again = await repository.add_briefed_article({**row, "entry_id": "e1-bis"}, briefing_json("One"), now=T0)
    unbriefed = await repository.add_briefed_article(
        {**row, "entry_id": "e2", "url": "https://news.example/a/2", "content_hash": "h2"}, None, now=T0
    )

    assert article_id is not None and len(deliveries) == 2
    assert again == (None, [])  # the same URL: already known, nothing stored or queued
    assert unbriefed[0] is not None and unbriefed[1] == []
    pending = await repository.pending_deliveries()
    assert [(d.channel.chat, d.data and d.data["title"]) for d in pending] == [("a", "One"), ("b", "One")]
