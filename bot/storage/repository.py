"""What the bot stores: the SQLAlchemy implementation (`SqlRepository`) of `bot.protocols.Repository`.

The rest of the app sees only the frozen rows of `bot.models` (`FeedRow`, `ChannelRow`, `DeliveryRow`) and
plain ids and dicts; ORM objects never leave this module. Every method is one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar, Unpack, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Interval,
    Result,
    Select,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

# The rows and the `Repository` contract live with the other contracts; imported here for the implementation
# (and for older imports of them from this module).
from bot.models import MAX_DIGEST_STORIES, ChannelRow, ChannelSettings, DeliveryRow, FeedRow, SaidClaim
from bot.protocols import Repository as Repository
from bot.settings import DEFAULT_MAX_BULLETS
from bot.storage.tables import (
    ActorMention,
    ArticleRecord,
    Base,
    BriefingRecord,
    Channel,
    Delivery,
    Digest,
    Feed,
    Follow,
    HandledUpdate,
    Instance,
    Lease,
    Subscription,
    UTCDateTime,
)
from briefings.keywords import FilterError, KeywordFilter
from briefings.keywords import parse as parse_filter
from briefings.models import Briefing
from briefings.names import closest_keys, mentions, table_keys

_Row = TypeVar("_Row", bound=Base)


_HH_MM = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
_SEARCH_BATCH = 200
_PARAMETER_LIMIT = 30_000  # PostgreSQL refuses a statement with more than 32767 parameters
_KEYS_BATCH = 10_000
_SEEN_DEFAULTS: dict[str, Any] = dict.fromkeys(("url", "content_hash", "title", "published", "error"))
_T = TypeVar("_T")


def _chunks(items: list[_T], size: int) -> Iterator[list[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@lru_cache
def _seen_insert(dialect_name: str) -> Any:
    """The INSERT … ON CONFLICT DO NOTHING RETURNING id of `SqlRepository.record_seen`, built once: run with
    a list of rows, SQLAlchemy's "insertmanyvalues" sends them as multi-row VALUES statements from one
    cached compilation (built per chunk with ``.values(rows)``, each row cost a millisecond of CPU), and
    the ids it returns are the rows added."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = ArticleRecord.__table__
    return dialect.insert(table).on_conflict_do_nothing().returning(table.c.id)


class SqlRepository:
    """`Repository` on SQLAlchemy's async engine (SQLite via aiosqlite, PostgreSQL via asyncpg).

    Build it with `bot.storage.db.open_database`, which also runs the migrations.
    """

    def __init__(self, engine: AsyncEngine, *, max_bullets: int = DEFAULT_MAX_BULLETS) -> None:
        """``max_bullets`` is the operator's setting: the one of every channel that has not chosen its own."""
        self.engine = engine
        self.max_bullets = max_bullets
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @property
    def shared(self) -> bool:
        """Whether several processes may use this database at once (PostgreSQL; SQLite is one process's)."""
        return self.engine.dialect.name == "postgresql"

    def _channel_row(self, channel: Channel) -> ChannelRow:
        return _channel_row(channel, max_bullets=self.max_bullets)

    async def close(self) -> None:
        await self.engine.dispose()

    # -- feeds ---------------------------------------------------------------------------------------

    async def add_feed(self, url: str, *, title: str | None = None, site_url: str | None = None) -> FeedRow:
        async with self._sessions.begin() as s:
            values = {"url": url, "title": title, "site_url": site_url, "added_at": datetime.now(UTC)}
            await _insert_ignore(s, Feed, values)
            return _feed_row((await s.scalars(select(Feed).where(Feed.url == url))).one())

    async def get_feed(self, id_or_url: int | str) -> FeedRow | None:
        column = Feed.id if isinstance(id_or_url, int) else Feed.url
        async with self._sessions() as s:
            feed = await s.scalar(select(Feed).where(column == id_or_url))
            return _feed_row(feed) if feed else None

    async def list_feeds(self, *, active_only: bool = False) -> list[FeedRow]:
        query = select(Feed).order_by(Feed.id)
        if active_only:
            query = query.where(Feed.active)
        return await self._feeds(query)

    async def remove_feed(self, feed_id: int) -> bool:
        async with self._sessions.begin() as s:
            result = await s.execute(delete(Feed).where(Feed.id == feed_id))
            return _rowcount(result) > 0

    async def due_feeds(self, *, now: datetime, followed_only: bool = False) -> list[FeedRow]:
        _require_aware(now)
        return await self._feeds(_due(select(Feed), now=now, followed_only=followed_only))

    async def claim_due_feeds(
        self,
        *,
        now: datetime | None = None,
        lease_s: float,
        followed_only: bool = False,
        limit: int = 1000,
        unclaimed: bool = False,
        exclude: Collection[int] = (),
    ) -> list[FeedRow]:
        """The due feeds, claimed: their ``next_poll_at`` moves ``lease_s`` ahead in the same transaction
        (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so another instance does not take them; the poll's
        outcome sets the real next time, and a claimer that dies leaves them due again after ``lease_s``.

        Without ``now`` the time is the database's clock (PostgreSQL's ``now()``, as for named leases:
        every instance reckons claims on one clock; SQLite: this process's). ``unclaimed`` also claims the
        feeds not due whose next poll is more than ``lease_s`` away: a claim never reaches further, so
        these are every feed no instance is polling (``run --once``). ``exclude``: ids not claimed (the
        feeds a scheduler tick polled already)."""
        _require_aware(now)
        when, until = self._clock(now, ahead_s=lease_s)
        query = _due(
            select(Feed.id), now=when, followed_only=followed_only, beyond=until if unclaimed else None
        )
        if exclude:  # those a tick polled already
            query = query.where(Feed.id.not_in(list(exclude)))
        async with self._sessions.begin() as s:
            ids = list(await s.scalars(query.limit(limit).with_for_update(skip_locked=True, of=Feed)))
            if not ids:
                return []
            await s.execute(
                update(Feed)
                .where(Feed.id.in_(ids))
                .values(next_poll_at=until)
                .execution_options(synchronize_session=False)
            )
            feeds = {f.id: f for f in await s.scalars(select(Feed).where(Feed.id.in_(ids)))}
            return [_feed_row(feeds[i]) for i in ids]

    async def extend_feed_claims(
        self, ids: Sequence[int], *, now: datetime | None = None, lease_s: float
    ) -> int:
        """Keep claimed feeds claimed while their poll runs: ``next_poll_at`` moves to ``now + lease_s``
        where it is earlier, never back (a later claim, or a next time a poll's outcome set, stays). The
        number of feeds whose claim moved. Without ``now``, the database's clock (`claim_due_feeds`)."""
        _require_aware(now)
        if not ids:
            return 0
        _, until = self._clock(now, ahead_s=lease_s)
        async with self._sessions.begin() as s:
            result = await s.execute(
                update(Feed)
                .where(Feed.id.in_(ids), Feed.next_poll_at < until)
                .values(next_poll_at=until)
                .execution_options(synchronize_session=False)
            )
            return _rowcount(result)

    def _clock(
        self, now: datetime | None, *, ahead_s: float
    ) -> tuple[ColumnElement[datetime], ColumnElement[datetime]]:
        """(the time, ``ahead_s`` seconds later) as SQL: ``now``, else the database's clock — PostgreSQL's
        ``now()``, one clock for every instance; SQLite's is this process's (it is the only one)."""
        if now is None and self.shared:
            return func.now(), func.now() + literal(timedelta(seconds=ahead_s), Interval())
        now = now or datetime.now(UTC)
        return literal(now, UTCDateTime()), literal(now + timedelta(seconds=ahead_s), UTCDateTime())

    async def record_poll_success(
        self,
        feed_id: int,
        *,
        now: datetime | None = None,
        next_poll_in: timedelta,
        etag: str | None,
        last_modified: str | None,
        title: str | None,
    ) -> FeedRow:
        """A poll worked: its validators, the next poll ``next_poll_in`` after ``now``, the error run cleared.

        Without ``now`` the poll is dated on the clock claims are reckoned on (`claim_due_feeds`: PostgreSQL's
        ``now()``), so an instance whose clock is behind the database's does not leave the feed due at once."""
        _require_aware(now)
        when, next_at = self._clock(now, ahead_s=next_poll_in.total_seconds())
        values: dict[str, Any] = {
            "last_polled_at": when,
            "next_poll_at": next_at,
            "etag": etag,
            "last_modified": last_modified,
            "error_count": 0,
            "first_error_at": None,
            "last_error": None,
        }
        if title is not None:
            values["title"] = title
        return await self._record_poll(feed_id, values)

    async def record_poll_failure(
        self, feed_id: int, *, now: datetime | None = None, error: str, next_poll_in: timedelta
    ) -> FeedRow:
        """A poll failed: ``error_count`` + 1, ``first_error_at`` kept from the first failure of the run, the
        next poll ``next_poll_in`` after ``now`` (without it, the database's clock: `record_poll_success`)."""
        _require_aware(now)
        when, next_at = self._clock(now, ahead_s=next_poll_in.total_seconds())
        values = {
            "last_polled_at": when,
            "next_poll_at": next_at,
            "error_count": Feed.error_count + 1,
            "first_error_at": func.coalesce(Feed.first_error_at, when),
            "last_error": error,
        }
        return await self._record_poll(feed_id, values)

    async def _record_poll(self, feed_id: int, values: dict[str, Any]) -> FeedRow:
        """One statement sets a poll's outcome (its times may be SQL: the database's clock), then the row."""
        async with self._sessions.begin() as s:
            await s.execute(
                update(Feed)
                .where(Feed.id == feed_id)
                .values(values)
                .execution_options(synchronize_session=False)
            )
            return _feed_row(await _get(s, Feed, feed_id))

    async def deactivate_feed(self, feed_id: int, *, reason: str) -> None:
        async with self._sessions.begin() as s:
            feed = await _get(s, Feed, feed_id)
            feed.active, feed.last_error = False, reason

    async def reactivate_feed(self, feed_id: int) -> FeedRow:
        async with self._sessions.begin() as s:
            feed = await _get(s, Feed, feed_id)
            feed.active, feed.error_count, feed.first_error_at, feed.next_poll_at = True, 0, None, None
            return _feed_row(feed)

    async def set_poll_interval(self, feed_id: int, seconds: int | None) -> None:
        async with self._sessions.begin() as s:
            feed = await _get(s, Feed, feed_id)
            feed.poll_interval_s = seconds

    async def mark_first_poll_done(self, feed_id: int) -> None:
        async with self._sessions.begin() as s:
            (await _get(s, Feed, feed_id)).seen_once = True

    async def _feeds(self, query: Select[Any]) -> list[FeedRow]:
        async with self._sessions() as s:
            return [_feed_row(feed) for feed in await s.scalars(query)]

    # -- articles and briefings ----------------------------------------------------------------------

    async def article_known(self, *, feed_id: int | None, entry_id: str | None, url: str | None) -> bool:
        conditions: list[ColumnElement[bool]] = []
        if feed_id is not None and entry_id is not None:
            conditions.append((ArticleRecord.feed_id == feed_id) & (ArticleRecord.entry_id == entry_id))
        if url is not None:
            conditions.append(ArticleRecord.url == url)
        if not conditions:
            return False
        async with self._sessions() as s:
            return bool(await s.scalar(select(exists().where(or_(*conditions)))))

    async def known_keys(
        self, *, feed_id: int, entry_ids: Sequence[str], urls: Sequence[str]
    ) -> tuple[set[str], set[str]]:
        if not entry_ids and not urls:
            return set(), set()
        ids: set[str] = set()
        found_urls: set[str] = set()
        async with self._sessions() as s:  # batches: PostgreSQL takes at most 32767 parameters
            for chunk in _chunks(list(entry_ids), _KEYS_BATCH):
                query = select(ArticleRecord.entry_id).where(
                    ArticleRecord.feed_id == feed_id, ArticleRecord.entry_id.in_(chunk)
                )
                ids.update(e for e in await s.scalars(query) if e is not None)
            for chunk in _chunks(list(urls), _KEYS_BATCH):
                query = select(ArticleRecord.url).where(ArticleRecord.url.in_(chunk))
                found_urls.update(u for u in await s.scalars(query) if u is not None)
        return ids, found_urls

    async def add_articles(self, rows: Sequence[dict[str, Any]], *, now: datetime) -> list[int | None]:
        ids: list[int | None] = []
        async with self._sessions.begin() as s:
            for row in rows:
                _require_aware(now, row.get("published"))
                ids.append(await _insert_ignore(s, ArticleRecord, {**row, "fetched_at": now}))
        return ids

    async def record_seen(self, rows: Sequence[dict[str, Any]], *, now: datetime) -> int:
        _require_aware(now, *(row.get("published") for row in rows))
        full = [{**_SEEN_DEFAULTS, **row, "fetched_at": now} for row in rows]
        if not full:
            return 0
        size = _PARAMETER_LIMIT // len(full[0])
        statement = _seen_insert(self.engine.dialect.name)
        added = 0
        async with self._sessions.begin() as s:
            for chunk in _chunks(full, size):
                added += len((await s.execute(statement, chunk)).all())
                markers = [{**row, "url": None, "content_hash": None} for row in chunk]
                added += len((await s.execute(statement, markers)).all())
        return added

    async def add_article(
        self,
        *,
        feed_id: int | None,
        entry_id: str | None,
        url: str | None,
        content_hash: str | None,
        title: str | None,
        published: datetime | None,
        now: datetime,
    ) -> int | None:
        _require_aware(now, published)
        values = {
            "feed_id": feed_id,
            "entry_id": entry_id,
            "url": url,
            "content_hash": content_hash,
            "title": title,
            "published": published,
            "fetched_at": now,
        }
        async with self._sessions.begin() as s:
            return await _insert_ignore(s, ArticleRecord, values)

    async def add_briefed_article(
        self, row: dict[str, Any], briefing: dict[str, Any] | None, *, now: datetime
    ) -> tuple[int | None, list[int]]:
        _require_aware(now, row.get("published"))
        async with self._sessions.begin() as s:
            article_id = await _insert_ignore(s, ArticleRecord, {**row, "fetched_at": now})
            if article_id is None and row.get("entry_id") is not None:  # known under another entry
                duplicate = {**row, "url": None, "content_hash": None, "story_id": None, "fetched_at": now}
                duplicate["error"] = row.get("error") or "the same article is already stored"
                await _insert_ignore(s, ArticleRecord, duplicate)  # seen: not fetched again
            if article_id is None or briefing is None:
                return article_id, []
            briefing_id = await _insert_ignore(
                s, BriefingRecord, _briefing_row(article_id, briefing, now=now)
            )
            assert briefing_id is not None  # a new article has no briefing yet
            await _index(s, briefing_id, article_id, briefing, published_at=row.get("published") or now)
            return article_id, await _enqueue(
                s, briefing_id, feed_id=row.get("feed_id"), now=now, data=briefing
            )

    async def store_briefing(self, article_id: int, data: dict[str, Any], *, now: datetime) -> int:
        _require_aware(now)
        async with self._sessions.begin() as s:
            article = await _get(s, ArticleRecord, article_id)
            values = _briefing_row(article_id, data, now=now)
            if (briefing_id := await _insert_ignore(s, BriefingRecord, values)) is not None:
                await _index(s, briefing_id, article_id, data, published_at=article.published or now)
                return briefing_id
            return (
                await s.scalars(select(BriefingRecord.id).where(BriefingRecord.article_id == article_id))
            ).one()

    async def recent_briefings(
        self, channel_id: int, *, limit: int, query: str | None = None
    ) -> list[dict[str, Any]]:
        subscribed = select(Subscription.feed_id).where(Subscription.channel_id == channel_id)
        base = (
            select(BriefingRecord.data, ArticleRecord.url)
            .join(ArticleRecord, BriefingRecord.article_id == ArticleRecord.id)
            .where(ArticleRecord.feed_id.in_(subscribed))
            .order_by(BriefingRecord.created_at.desc(), BriefingRecord.id.desc())
        )
        needle = query.casefold().strip() if query else ""
        found: list[dict[str, Any]] = []
        async with self._sessions() as s:
            offset = 0
            while len(found) < limit:
                batch = (await s.execute(base.limit(_SEARCH_BATCH if needle else limit).offset(offset))).all()
                for data, url in batch:
                    if not needle or _matches(data, needle):
                        found.append({**data, "url": data.get("url") or url})
                if not needle or len(batch) < _SEARCH_BATCH:
                    break
                offset += len(batch)
        return found[:limit]

    # -- channels and subscriptions ------------------------------------------------------------------

    async def get_channel(self, platform: str, chat: str, *, thread: str | None = None) -> ChannelRow | None:
        async with self._sessions() as s:
            channel = await s.scalar(_channel_at(platform, chat, thread))
            return self._channel_row(channel) if channel else None

    async def get_channel_by_id(self, channel_id: int) -> ChannelRow | None:
        async with self._sessions() as s:
            channel = await s.get(Channel, channel_id)
            return self._channel_row(channel) if channel else None

    async def upsert_channel(self, platform: str, chat: str, *, thread: str | None = None) -> ChannelRow:
        values = {"platform": platform, "chat": chat, "thread": thread or "", "created_at": datetime.now(UTC)}
        async with self._sessions.begin() as s:
            await _insert_ignore(s, Channel, values)
            channel = (await s.scalars(_channel_at(platform, chat, thread))).one()
            if not channel.active:  # the chat talks to the bot again: it can be reached
                channel.active, channel.retry_at = True, None
            return self._channel_row(channel)

    async def list_channels(self, *, active_only: bool = True) -> list[ChannelRow]:
        query = select(Channel).order_by(Channel.id)
        if active_only:
            query = query.where(Channel.active)
        async with self._sessions() as s:
            return [self._channel_row(channel) for channel in await s.scalars(query)]

    async def update_channel(self, channel_id: int, **settings: Unpack[ChannelSettings]) -> ChannelRow:
        _check_channel_settings(dict(settings))
        async with self._sessions.begin() as s:
            channel = await _get(s, Channel, channel_id)
            for name, value in settings.items():
                setattr(channel, name, value)
            return self._channel_row(channel)

    async def set_channel_active(self, channel_id: int, active: bool) -> None:
        async with self._sessions.begin() as s:
            (await _get(s, Channel, channel_id)).active = active

    async def reactivate_channel(self, platform: str, chat: str, *, thread: str | None = None) -> bool:
        statement = (
            update(Channel)
            .where(
                Channel.platform == platform,
                Channel.chat == chat,
                Channel.thread == (thread or ""),
                Channel.active.is_(False),
            )
            .values(active=True, retry_at=None)
            .execution_options(synchronize_session=False)
        )
        async with self._sessions.begin() as s:
            return _rowcount(await s.execute(statement)) > 0

    async def subscribe(self, channel_id: int, feed_id: int) -> bool:
        async with self._sessions.begin() as s:
            await _get(s, Channel, channel_id)
            await _get(s, Feed, feed_id)
            values = {"channel_id": channel_id, "feed_id": feed_id, "created_at": datetime.now(UTC)}
            return await _insert_ignore(s, Subscription, values) is not None

    async def unsubscribe(self, channel_id: int, feed_id: int) -> bool:
        async with self._sessions.begin() as s:
            result = await s.execute(
                delete(Subscription).where(
                    Subscription.channel_id == channel_id, Subscription.feed_id == feed_id
                )
            )
            return _rowcount(result) > 0

    async def subscriptions(self, channel_id: int) -> list[FeedRow]:
        return await self._feeds(
            select(Feed).join(Subscription).where(Subscription.channel_id == channel_id).order_by(Feed.id)
        )

    async def subscribers(self, feed_id: int) -> list[ChannelRow]:
        query = (
            select(Channel)
            .join(Subscription)
            .where(Subscription.feed_id == feed_id, Channel.active)
            .order_by(Channel.id)
        )
        async with self._sessions() as s:
            return [self._channel_row(channel) for channel in await s.scalars(query)]

    # -- the outbox ----------------------------------------------------------------------------------

    async def enqueue_deliveries(self, briefing_id: int, *, feed_id: int, now: datetime) -> list[int]:
        _require_aware(now)
        async with self._sessions.begin() as s:
            briefing = await _get(s, BriefingRecord, briefing_id)
            return await _enqueue(s, briefing_id, feed_id=feed_id, now=now, data=briefing.data)

    async def enqueue_digest(
        self, channel_id: int, *, digest_key: str, data: dict[str, Any], now: datetime
    ) -> int | None:
        _require_aware(now)
        values = {"channel_id": channel_id, "digest_key": digest_key, "data": data, "created_at": now}
        async with self._sessions.begin() as s:
            await _get(s, Channel, channel_id)
            return await _insert_ignore(s, Delivery, values)

    async def record_digest(
        self,
        channel_id: int,
        *,
        local_date: str,
        scheduled_for: datetime,
        since: datetime | None,
        parts: Sequence[dict[str, Any]],
        skipped: bool = False,
        now: datetime,
    ) -> bool:
        _require_aware(scheduled_for, since, now)
        values = {
            "channel_id": channel_id,
            "local_date": local_date,
            "status": "skipped" if skipped else "sent",
            "scheduled_for": scheduled_for,
            "since": since,
            "stories": 0 if skipped else len(parts),
            "created_at": now,
        }
        async with self._sessions.begin() as s:
            await _get(s, Channel, channel_id)
            if await _insert_ignore(s, Digest, values) is None:
                return False
            for index, data in enumerate(() if skipped else parts, start=1):
                key = f"{local_date}#{index}/{len(parts)}"
                delivery = {"channel_id": channel_id, "digest_key": key, "data": data, "created_at": now}
                await _insert_ignore(s, Delivery, delivery)
            return True

    async def digest_recorded(self, channel_id: int, local_date: str) -> bool:
        query = select(exists().where(Digest.channel_id == channel_id, Digest.local_date == local_date))
        async with self._sessions() as s:
            return bool(await s.scalar(query))

    async def last_digest(self, channel_id: int) -> datetime | None:
        query = select(func.max(Digest.scheduled_for)).where(
            Digest.channel_id == channel_id, Digest.status == "sent"
        )
        async with self._sessions() as s:
            value = await s.scalar(query)
        return _aware(value)

    async def briefings_since(
        self, channel_id: int, *, since: datetime, limit: int = 20000
    ) -> list[dict[str, Any]]:
        _require_aware(since)
        subscribed = select(Subscription.feed_id).where(Subscription.channel_id == channel_id)
        query = (
            select(BriefingRecord.id, BriefingRecord.data, BriefingRecord.created_at, ArticleRecord, Feed)
            .join(ArticleRecord, BriefingRecord.article_id == ArticleRecord.id)
            .join(Feed, ArticleRecord.feed_id == Feed.id)
            .where(ArticleRecord.feed_id.in_(subscribed), BriefingRecord.created_at >= since)
            .order_by(BriefingRecord.created_at.desc(), BriefingRecord.id.desc())
            .limit(limit)
        )
        async with self._sessions() as s:
            rows = (await s.execute(query)).all()
        return [
            {
                **data,
                "id": briefing_id,
                "url": data.get("url") or article.url,
                "published": (article.published or created).isoformat(),
                "feed": feed.title or feed.url,
            }
            for briefing_id, data, created, article, feed in rows
        ]

    async def pending_deliveries(
        self, *, limit: int = 100, now: datetime | None = None, platforms: Sequence[str] | None = None
    ) -> list[DeliveryRow]:
        _require_aware(now)
        query = (
            select(Delivery, Channel, BriefingRecord.data, ArticleRecord.url)
            .join(Channel, Delivery.channel_id == Channel.id)
            .outerjoin(BriefingRecord, Delivery.briefing_id == BriefingRecord.id)
            .outerjoin(ArticleRecord, BriefingRecord.article_id == ArticleRecord.id)
            .where(Delivery.status == "pending", Channel.active)
            # in the order they were queued: ``created_at`` is when the queueing poll started, and two
            # polls of one feed may overlap (a claim outlasted), each storing some of its articles
            .order_by(Delivery.id)
            .limit(limit)
        )
        if now is not None:
            query = query.where(or_(Channel.retry_at.is_(None), Channel.retry_at <= now))
        if platforms is not None:
            query = query.where(Channel.platform.in_(list(platforms)))
        async with self._sessions() as s:
            return [
                DeliveryRow(
                    id=delivery.id,
                    channel=self._channel_row(channel),
                    briefing_id=delivery.briefing_id,
                    digest_key=delivery.digest_key,
                    data=briefing_data if delivery.briefing_id is not None else delivery.data,
                    url=url,
                    status="pending",
                    attempts=delivery.attempts,
                    sent_parts=tuple(delivery.message_ids or ()),
                    failing_since=delivery.failing_since,
                )
                for delivery, channel, briefing_data, url in await s.execute(query)
            ]

    async def mark_sent(
        self,
        delivery_id: int,
        *,
        message_ids: Sequence[str],
        now: datetime | None = None,
        lease: tuple[str, str] | None = None,
    ) -> bool:
        """``lease`` (name, holder): marked only while that holder still holds the lease (not taken over).
        ``sent_at`` is ``now``, else the database's clock (PostgreSQL's ``now()``: the one `recent_sends`
        reads every instance's sends on; SQLite: this process's)."""
        _require_aware(now)
        when, _ = self._clock(now, ahead_s=0)
        return await self._finish(
            delivery_id,
            status="sent",
            sent_at=when,
            message_ids=[str(m) for m in message_ids],
            _where=_held(lease),
        )

    async def mark_failed(
        self,
        delivery_id: int,
        *,
        error: str,
        permanent: bool,
        sent_parts: Sequence[str] = (),
        now: datetime | None = None,
        lease: tuple[str, str] | None = None,
    ) -> bool:
        """``lease`` (name, holder): recorded only while that holder still holds the lease, as `mark_sent`."""
        _require_aware(now)
        partial: dict[str, Any] = {"message_ids": [str(m) for m in sent_parts]} if sent_parts else {}
        if now is not None:
            partial["failing_since"] = func.coalesce(Delivery.failing_since, literal(now, UTCDateTime()))
        return await self._finish(
            delivery_id,
            status="failed" if permanent else "pending",
            attempts=Delivery.attempts + 1,
            last_error=error,
            _where=_held(lease),
            **partial,
        )

    async def set_channel_retry(self, channel_id: int, retry_at: datetime | None) -> None:
        _require_aware(retry_at)
        async with self._sessions.begin() as s:
            (await _get(s, Channel, channel_id)).retry_at = retry_at

    async def drop_channel(self, channel_id: int, *, reason: str) -> int:
        async with self._sessions.begin() as s:
            channel = await _get(s, Channel, channel_id)
            channel.active, channel.retry_at = False, None
            result = await s.execute(
                update(Delivery)
                .where(Delivery.channel_id == channel_id, Delivery.status == "pending")
                .values(status="dropped", last_error=reason)
                .execution_options(synchronize_session=False)
            )
            return _rowcount(result)

    async def recent_sends(self, platform: str, *, within_s: float) -> dict[str, list[float]]:
        """Per chat of ``platform``, how many seconds ago each message sent in the last ``within_s`` seconds
        went (a split post's parts all at its ``sent_at``), on the database's clock (SQLite: this one's),
        the one `mark_sent` dates a send on when the outbox sends under a lease: one clock for every
        instance's sends."""
        now, since = self._clock(None, ahead_s=-within_s)
        query = (
            select(Channel.chat, Delivery.message_ids, Delivery.sent_at, now)
            .join(Channel, Delivery.channel_id == Channel.id)
            .where(Channel.platform == platform, Delivery.status == "sent", Delivery.sent_at >= since)
        )
        recent: dict[str, list[float]] = {}
        async with self._sessions() as s:
            for chat, ids, sent_at, at in (await s.execute(query)).all():
                ago = max(0.0, (cast(datetime, _aware(at)) - cast(datetime, sent_at)).total_seconds())
                recent.setdefault(chat, []).extend([ago] * max(len(ids or ()), 1))
        return recent

    async def delivery_counts(self) -> dict[str, int]:
        query = select(Delivery.status, func.count()).group_by(Delivery.status)
        async with self._sessions() as s:
            counts = {status: count for status, count in (await s.execute(query)).all()}
        return {status: counts.pop(status, 0) for status in ("pending", "sent", "failed", "dropped")} | counts

    async def _finish(
        self, delivery_id: int, *, _where: ColumnElement[bool] | None = None, **values: Any
    ) -> bool:
        """Update a delivery only while it is pending (and ``_where`` holds): one statement; the delivery
        is looked up only when nothing was updated, to tell an unknown id (an error) from one no longer
        pending or taken over (false)."""
        statement = (
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.status == "pending",
                *(() if _where is None else (_where,)),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        async with self.engine.begin() as connection:  # no session: a statement or two, for each delivery
            if (await connection.execute(statement)).rowcount > 0:
                return True
            if await connection.scalar(select(Delivery.id).where(Delivery.id == delivery_id)) is None:
                raise LookupError(f"no deliveries row with id {delivery_id}")
            return False

    async def fence_send(self, delivery_id: int, *, lease: tuple[str, str], lease_s: float) -> bool:
        """Right before a delivery is sent: true when it is still pending and ``lease`` (name, holder) is
        still that holder's and unexpired on the database's clock, and then the lease is renewed for
        ``lease_s`` — one statement, so no other instance can take the lease over between the check and
        the send's start for a whole lease period. False: do not send (taken over, or already sent)."""
        when, until = self._clock(None, ahead_s=lease_s)
        pending = exists().where(Delivery.id == delivery_id, Delivery.status == "pending")
        statement = (
            update(Lease)
            .where(Lease.name == lease[0], Lease.holder == lease[1], Lease.expires_at > when, pending)
            .values(expires_at=until)
            .execution_options(synchronize_session=False)
        )
        async with self.engine.begin() as connection:  # no session: one statement, sent for each delivery
            return (await connection.execute(statement)).rowcount > 0

    # -- several instances: leases, heartbeats, updates handled once ---------------------------------

    async def acquire_lease(
        self, name: str, *, holder: str, lease_s: float, now: datetime | None = None
    ) -> bool:
        """Take or renew the lease ``name`` for ``lease_s`` seconds: true when ``holder`` holds it now.

        One atomic upsert: it succeeds when nobody holds the lease, ``holder`` already does, or the
        current holder let it expire (it died, or lost touch with the database). Without ``now`` the
        times are the database's own (PostgreSQL's ``now()``): every instance's lease is reckoned on one
        clock, so a machine whose clock runs ahead cannot think a live holder's lease has expired.
        ``now`` (tests, and SQLite, where the one process is the only clock) sets the time instead.
        """
        _require_aware(now)
        when, expires = self._clock(now, ahead_s=lease_s)
        dialect: Any = postgresql if self.shared else sqlite
        values = {"name": name, "holder": holder, "acquired_at": when, "expires_at": expires}
        statement = dialect.insert(Lease).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[Lease.name],
            set_={
                "holder": holder,
                "expires_at": statement.excluded.expires_at,
                "acquired_at": case(
                    (Lease.holder == holder, Lease.acquired_at), else_=statement.excluded.acquired_at
                ),
            },
            where=or_(Lease.holder == holder, Lease.expires_at <= when),
        ).returning(Lease.name)
        async with self._sessions.begin() as s:
            return (await s.execute(statement)).scalar_one_or_none() is not None

    async def release_lease(self, name: str, *, holder: str) -> bool:
        async with self._sessions.begin() as s:
            result = await s.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
            return _rowcount(result) > 0

    async def leases(self, *, now: datetime) -> list[tuple[str, str, datetime]]:
        """The unexpired leases: (name, holder, expires_at), by name."""
        _require_aware(now)
        query = (
            select(Lease.name, Lease.holder, Lease.expires_at)
            .where(Lease.expires_at > now)
            .order_by(Lease.name)
        )
        async with self._sessions() as s:
            return [(n, h, e) for n, h, e in (await s.execute(query)).all()]

    async def heartbeat(self, instance_id: str, *, host: str, pid: int, now: datetime) -> None:
        """Record that ``instance_id`` is alive at ``now`` (the first beat records its start)."""
        _require_aware(now)
        values = {"id": instance_id, "host": host, "pid": pid, "started_at": now, "heartbeat_at": now}
        async with self._sessions.begin() as s:
            if await s.get(Instance, instance_id) is None:
                s.add(Instance(**values))
            else:
                await s.execute(update(Instance).where(Instance.id == instance_id).values(heartbeat_at=now))
            old = now - timedelta(days=2)  # resent updates come within minutes; older records go
            await s.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < old))
            await s.execute(delete(Instance).where(Instance.heartbeat_at < old))

    async def end_instance(self, instance_id: str) -> None:
        """A clean stop: the instance and its leases go (the others take over at once)."""
        async with self._sessions.begin() as s:
            await s.execute(delete(Lease).where(Lease.holder == instance_id))
            await s.execute(delete(Instance).where(Instance.id == instance_id))

    async def instances(self, *, alive_since: datetime) -> list[tuple[str, str, int, datetime, datetime]]:
        """Instances with a heartbeat since ``alive_since``: (id, host, pid, started_at, heartbeat_at)."""
        _require_aware(alive_since)
        query = (
            select(Instance.id, Instance.host, Instance.pid, Instance.started_at, Instance.heartbeat_at)
            .where(Instance.heartbeat_at >= alive_since)
            .order_by(Instance.started_at, Instance.id)
        )
        async with self._sessions() as s:
            return [(i, h, p, st, hb) for i, h, p, st, hb in (await s.execute(query)).all()]

    async def claim_update(self, platform: str, update_id: str, *, now: datetime) -> bool:
        """True the first time an incoming update is seen across instances (a resend is false)."""
        _require_aware(now)
        values = {"platform": platform, "update_id": update_id, "handled_at": now}
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(HandledUpdate).values(**values).on_conflict_do_nothing()
        async with self._sessions.begin() as s:
            return _rowcount(await s.execute(statement)) > 0

    async def pending_by_platform(self) -> dict[str, tuple[int, datetime | None]]:
        """Pending deliveries of active channels per platform: (how many, the oldest one's creation)."""
        query = (
            select(Channel.platform, func.count(), func.min(Delivery.created_at))
            .join(Channel, Delivery.channel_id == Channel.id)
            .where(Delivery.status == "pending", Channel.active)
            .group_by(Channel.platform)
            .order_by(Channel.platform)
        )
        async with self._sessions() as s:
            return {p: (n, _aware(_parse_min(oldest))) for p, n, oldest in (await s.execute(query)).all()}

    # -- the actor index (who said what: /said, /follow) ---------------------------------------------

    async def index_briefing(self, briefing_id: int, *, story_id: str | None = None) -> int:
        async with self._sessions.begin() as s:
            briefing = await _get(s, BriefingRecord, briefing_id)
            article = await _get(s, ArticleRecord, briefing.article_id)
            await s.execute(delete(ActorMention).where(ActorMention.briefing_id == briefing_id))
            data = briefing.data if story_id is None else {**briefing.data, "story": story_id}
            published = article.published or briefing.created_at
            return await _index(s, briefing_id, article.id, data, published_at=published)

    async def said(self, actor_key: str, *, since: datetime, limit: int) -> list[SaidClaim]:
        _require_aware(since)
        query = (
            select(  # in the order of `SaidClaim`'s fields
                ActorMention.name,
                ActorMention.claim_text,
                ActorMention.kind,
                ActorMention.cue,
                ActorMention.published_at,
                ActorMention.briefing_id,
                ActorMention.article_id,
                ActorMention.claim_no,
                ActorMention.story_id,
                ArticleRecord.url,
                ArticleRecord.title,
                Feed.title,
                ActorMention.lang,
            )
            .join(ArticleRecord, ArticleRecord.id == ActorMention.article_id)
            .outerjoin(Feed, Feed.id == ArticleRecord.feed_id)
            .where(
                ActorMention.actor_key == actor_key,
                ActorMention.role == "speaker",
                ActorMention.published_at >= since,
            )
            .order_by(ActorMention.published_at.desc())
            .limit(limit)
        )
        async with self._sessions() as s:
            rows = (await s.execute(query)).all()
        return [
            SaidClaim(name, text or "", kind or "statement", cue or "", *rest)
            for name, text, kind, cue, *rest in rows
        ]

    async def closest_actor_names(self, actor_key: str, *, limit: int) -> list[str]:
        words = actor_key.split()
        if not words or limit < 1:
            return []
        names: dict[str, str] = {}
        async with self._sessions() as s:
            for prefix in sorted({words[0][:3], words[-1][:3]}):  # a name, or its surname, misspelt
                query = (
                    select(ActorMention.actor_key, func.max(ActorMention.name))
                    .where(ActorMention.actor_key >= prefix, ActorMention.actor_key < _after(prefix))
                    .group_by(ActorMention.actor_key)
                    .limit(_CLOSEST_CANDIDATES)
                )
                names.update({key: name for key, name in (await s.execute(query)).all()})
            known = sorted(table_keys({words[0][:3], words[-1][:3]}) | {actor_key})
            query = (
                select(ActorMention.actor_key, func.max(ActorMention.name))
                .where(ActorMention.actor_key.in_(known))
                .group_by(ActorMention.actor_key)
            )
            names.update({key: name for key, name in (await s.execute(query)).all()})
        found: list[str] = []
        for key in closest_keys(actor_key, names, limit=limit * 2):
            if names[key] not in found:
                found.append(names[key])
        return found[:limit]

    async def indexed_name(self, actor_key: str) -> str | None:
        query = select(ActorMention.name).where(ActorMention.actor_key == actor_key).limit(1)
        async with self._sessions() as s:
            return await s.scalar(query)

    # -- follows, keyword filters, stories at ingest (issue 13) --------------------------------------

    async def follow(self, channel_id: int, actor_key: str, *, name: str) -> bool:
        if not actor_key:
            raise ValueError("an empty actor key cannot be followed")
        values = {
            "channel_id": channel_id,
            "actor_key": actor_key[:200],
            "name": name[:200],
            "created_at": datetime.now(UTC),
        }
        async with self._sessions.begin() as s:
            await _get(s, Channel, channel_id)
            return await _insert_ignore(s, Follow, values) is not None

    async def unfollow(self, channel_id: int, actor_key: str) -> bool:
        statement = delete(Follow).where(Follow.channel_id == channel_id, Follow.actor_key == actor_key)
        async with self._sessions.begin() as s:
            return _rowcount(await s.execute(statement)) > 0

    async def follows(self, channel_id: int) -> list[tuple[str, str]]:
        query = select(Follow.actor_key, Follow.name).where(Follow.channel_id == channel_id)
        async with self._sessions() as s:
            rows = (await s.execute(query.order_by(Follow.created_at, Follow.id))).all()
        return [(key, name) for key, name in rows]

    async def set_filter(self, channel_id: int, feed_id: int, text: str | None) -> bool:
        statement = (
            update(Subscription)
            .where(Subscription.channel_id == channel_id, Subscription.feed_id == feed_id)
            .values(filter=text)
            .execution_options(synchronize_session=False)
        )
        async with self._sessions.begin() as s:
            return _rowcount(await s.execute(statement)) > 0

    async def subscription_filters(self, channel_id: int) -> dict[int, str]:
        query = select(Subscription.feed_id, Subscription.filter).where(
            Subscription.channel_id == channel_id, Subscription.filter.is_not(None)
        )
        async with self._sessions() as s:
            return {feed_id: text for feed_id, text in (await s.execute(query)).all() if text is not None}

    async def stories_since(
        self, *, since: datetime, after_id: int = 0, limit: int = 20000
    ) -> list[dict[str, Any]]:
        _require_aware(since)
        query = (
            select(BriefingRecord.id, BriefingRecord.data, BriefingRecord.created_at, ArticleRecord, Feed)
            .join(ArticleRecord, BriefingRecord.article_id == ArticleRecord.id)
            .outerjoin(Feed, ArticleRecord.feed_id == Feed.id)
            .where(BriefingRecord.created_at >= since, BriefingRecord.id > after_id)
            .order_by(BriefingRecord.id)
            .limit(limit)
        )
        async with self._sessions() as s:
            rows = (await s.execute(query)).all()
        return [
            {
                **data,
                "id": briefing_id,
                "key": story_key(url=article.url, feed_id=article.feed_id, entry_id=article.entry_id),
                "url": data.get("url") or article.url,
                "published": (article.published or created).isoformat(),
                "feed": (feed.title or feed.url) if feed else None,
                "story": article.story_id,
            }
            for briefing_id, data, created, article, feed in rows
        ]

    async def story_sources(self, story_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        wanted = sorted({s for s in story_ids if s})
        if not wanted:
            return {}
        query = (
            select(ArticleRecord.story_id, Feed.url, Feed.title)
            .join(Feed, ArticleRecord.feed_id == Feed.id)
            .where(ArticleRecord.story_id.in_(wanted))
            .order_by(ArticleRecord.id)
        )
        found: dict[str, list[tuple[str, str]]] = {}
        async with self._sessions() as s:
            for story, url, title in (await s.execute(query)).all():
                found.setdefault(str(story), []).append((url, title or url))
        return found


_CLOSEST_CANDIDATES = 5000
_CLAIM_CHARS = 2000


def _after(prefix: str) -> str:
    """The first string after every string that starts with ``prefix`` (for an index range scan)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def index_rows(
    briefing_id: int, article_id: int, data: dict[str, Any], *, published_at: datetime
) -> list[dict[str, Any]]:
    """The `ActorMention` rows of a stored briefing's JSON (`briefings.names.mentions`); also used by the
    0006 migration to index the briefings stored before it."""
    briefing = Briefing.from_json(data)
    story = data.get("story")
    rows = []
    for mention in mentions(briefing):
        claim = briefing.claims[mention.claim] if mention.claim is not None else None
        rows.append(
            {
                "actor_key": mention.key,
                "role": mention.role,
                "name": mention.name,
                "briefing_id": briefing_id,
                "article_id": article_id,
                "story_id": str(story)[:128] if story is not None else None,
                "claim_no": -1 if mention.claim is None else mention.claim,
                "claim_text": claim.text[:_CLAIM_CHARS] if claim else None,
                "kind": claim.kind[:16] if claim else None,
                "cue": claim.cue[:100] if claim else None,
                "lang": (data.get("lang") or None) and str(data["lang"])[:16],
                "published_at": published_at,
            }
        )
    return rows


async def _index(
    session: AsyncSession, briefing_id: int, article_id: int, data: dict[str, Any], *, published_at: datetime
) -> int:
    """Write the actor index rows of a briefing just stored; how many."""
    rows = index_rows(briefing_id, article_id, data, published_at=published_at)
    if rows:
        await session.execute(insert(ActorMention), rows)
    return len(rows)


def _held(lease: tuple[str, str] | None) -> ColumnElement[bool] | None:
    """The condition that the lease (name, holder) is still that holder's (None: no lease to check)."""
    if lease is None:
        return None
    return exists().where(Lease.name == lease[0], Lease.holder == lease[1])


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (its result is a cursor result; `Session.execute` is typed wider)."""
    return cast("CursorResult[Any]", result).rowcount


def _parse_min(value: datetime | str | None) -> datetime | None:
    """An aggregate over a datetime column: SQLite gives its stored text back."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _due(
    query: Select[Any],
    *,
    now: datetime | ColumnElement[datetime],
    followed_only: bool,
    beyond: ColumnElement[datetime] | None = None,
) -> Select[Any]:
    """Active feeds whose next poll is due, the never-polled first; ``followed_only``: by an active chat;
    ``beyond``: also those whose next poll is later than that."""
    due = or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now)
    if beyond is not None:
        due = or_(due, Feed.next_poll_at > beyond)
    query = query.where(Feed.active, due).order_by(Feed.next_poll_at.is_not(None), Feed.next_poll_at, Feed.id)
    if followed_only:
        followed = (
            select(Subscription.id)
            .join(Channel, Subscription.channel_id == Channel.id)
            .where(Subscription.feed_id == Feed.id, Channel.active)
        )
        query = query.where(followed.exists())
    return query


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates (``max``) bypass `UTCDateTime` on SQLite: give their naive UTC values a zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _require_aware(*values: datetime | None) -> None:
    for value in values:
        if value is not None and value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: storage needs timezone-aware datetimes")


async def _get(session: AsyncSession, table: type[_Row], row_id: int) -> _Row:
    row = await session.get(table, row_id)
    if row is None:
        raise LookupError(f"no {table.__tablename__} row with id {row_id}")
    return row


async def _insert_ignore(session: AsyncSession, table: type[Base], values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING; the new id, or ``None`` when a unique constraint already holds it.

    Atomic in the database, so concurrent writers of the same row cannot both win or fail.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table).values(**values).on_conflict_do_nothing().returning(table.__table__.c.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


def _briefing_row(article_id: int, data: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """The `BriefingRecord` values of a briefing's JSON (its language and title are also columns)."""
    return {
        "article_id": article_id,
        "lang": data.get("lang"),
        "title": data.get("title"),
        "data": data,
        "created_at": now,
    }


async def _enqueue(
    session: AsyncSession,
    briefing_id: int,
    *,
    feed_id: int | None,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> list[int]:
    """Queue the briefing once per channel: for every active channel subscribed to the feed whose keyword
    filter (if any) the briefing's title and bullets (``data``) pass, and for every active channel that
    follows one of its key actors or speakers — the briefing's actor index rows, written before in the
    same transaction. A channel that both subscribes and follows gets it once (the outbox's unique
    (channel, briefing))."""
    subscribed = (
        select(Subscription.channel_id, Subscription.filter)
        .join(Channel)
        .where(Subscription.feed_id == feed_id, Channel.active)
    )
    channels = {
        channel_id
        for channel_id, spec in (await session.execute(subscribed)).all()
        if spec is None or _passes(spec, data)
    }
    following = (
        select(Follow.channel_id)
        .join(Channel, Follow.channel_id == Channel.id)
        .join(ActorMention, ActorMention.actor_key == Follow.actor_key)
        .where(ActorMention.briefing_id == briefing_id, Channel.active)
    )
    channels.update(await session.scalars(following))
    if not channels:
        return []
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Delivery)
        .values([{"channel_id": c, "briefing_id": briefing_id, "created_at": now} for c in sorted(channels)])
        .on_conflict_do_nothing()
        .returning(Delivery.id)
    )
    return sorted(await session.scalars(statement))  # one statement, not one a channel


@lru_cache(maxsize=1024)
def _keyword_filter(spec: str) -> KeywordFilter | None:
    """A stored filter, parsed once per process (``None``: it no longer parses; it lets all through)."""
    try:
        return parse_filter(spec)
    except FilterError:
        return None


def _passes(spec: str, data: dict[str, Any] | None) -> bool:
    """Whether a briefing (its stored JSON) passes a subscription's keyword filter: its title and bullets."""
    keyword_filter = _keyword_filter(spec)
    if keyword_filter is None or data is None:
        return True
    return keyword_filter.matches(data.get("title") or "", *(str(b) for b in data.get("bullets") or ()))


def story_key(*, url: str | None, feed_id: int | None, entry_id: str | None) -> str:
    """What names an article in the story clusterer (`bot.story_index`): its canonical URL, else its entry."""
    return url or f"entry:{feed_id}:{entry_id}"


def _channel_at(platform: str, chat: str, thread: str | None) -> Select[Any]:
    return select(Channel).where(
        Channel.platform == platform, Channel.chat == chat, Channel.thread == (thread or "")
    )


def _check_channel_settings(settings: dict[str, Any]) -> None:
    if unknown := set(settings) - set(ChannelSettings.__annotations__):
        raise TypeError(f"unknown channel settings: {', '.join(sorted(unknown))}")
    if "timezone" in settings:
        try:
            ZoneInfo(settings["timezone"])
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
            raise ValueError(f"timezone {settings['timezone']!r} is not an IANA time zone name") from error
    if (digest_time := settings.get("digest_time")) is not None and not _HH_MM.fullmatch(digest_time):
        raise ValueError(f"digest_time {digest_time!r} is not HH:MM (00:00 to 23:59)")
    if "digest_stories" in settings and not (
        isinstance(settings["digest_stories"], int) and 1 <= settings["digest_stories"] <= MAX_DIGEST_STORIES
    ):
        raise ValueError(
            f"digest_stories {settings['digest_stories']!r} is not a number from 1 to {MAX_DIGEST_STORIES}"
        )
    if settings.get("max_bullets") is not None and not (
        isinstance(settings["max_bullets"], int) and settings["max_bullets"] > 0
    ):
        raise ValueError(f"max_bullets {settings['max_bullets']!r} is not a positive integer (or None)")


def _matches(data: dict[str, Any], needle: str) -> bool:
    names = [data.get("title") or ""]
    for actor in data.get("actors") or ():
        names.append(actor.get("name") or "")
        names.extend(actor.get("aliases") or ())
    return any(needle in name.casefold() for name in names)


def _feed_row(feed: Feed) -> FeedRow:
    return FeedRow(
        id=feed.id,
        url=feed.url,
        title=feed.title,
        site_url=feed.site_url,
        active=feed.active,
        etag=feed.etag,
        last_modified=feed.last_modified,
        added_at=feed.added_at,
        last_polled_at=feed.last_polled_at,
        next_poll_at=feed.next_poll_at,
        poll_interval_s=feed.poll_interval_s,
        error_count=feed.error_count,
        first_error_at=feed.first_error_at,
        last_error=feed.last_error,
        seen_once=feed.seen_once,
    )


def _channel_row(channel: Channel, *, max_bullets: int) -> ChannelRow:
    return ChannelRow(
        id=channel.id,
        platform=channel.platform,
        chat=channel.chat,
        thread=channel.thread or None,
        active=channel.active,
        timezone=channel.timezone,
        language=channel.language,
        max_bullets=channel.max_bullets or max_bullets,  # NULL: the operator's setting
        own_max_bullets=channel.max_bullets,
        digest_time=channel.digest_time,
        created_at=channel.created_at,
        digest_stories=channel.digest_stories,
        retry_at=channel.retry_at,
    )
