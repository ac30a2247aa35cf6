"""The SQLAlchemy tables. Only `bot.storage` imports this module; the rest of the app sees frozen rows.

Every change here needs a new migration appended to ``migrations/versions/`` (never edit a shipped one).
Datetimes are timezone-aware UTC everywhere; `UTCDateTime` refuses naive values and makes SQLite (which
stores no offset) give aware values back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.models import DEFAULT_DIGEST_STORIES, DEFAULT_TIMEZONE


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that stores UTC and always reads back aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: storage needs timezone-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}  # noqa: RUF012


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    site_url: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime]
    last_polled_at: Mapped[datetime | None]
    next_poll_at: Mapped[datetime | None]
    poll_interval_s: Mapped[int | None] = mapped_column(Integer)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    first_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    seen_once: Mapped[bool] = mapped_column(Boolean, default=False)


class ArticleRecord(Base):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("feed_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    entry_id: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text, unique=True)
    content_hash: Mapped[str | None] = mapped_column(String(128), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None]
    fetched_at: Mapped[datetime]
    error: Mapped[str | None] = mapped_column(Text)  # why it was seen but not briefed (one line)
    story_id: Mapped[str | None] = mapped_column(String(32), index=True)  # its story (0007, bot.story_index)


class BriefingRecord(Base):
    __tablename__ = "briefings"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    lang: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class Channel(Base):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("platform", "chat", "thread"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat: Mapped[str] = mapped_column(String(255))
    thread: Mapped[str] = mapped_column(String(255), default="")  # "" = no thread (NULLs are never equal)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    language: Mapped[str | None] = mapped_column(String(16))
    max_bullets: Mapped[int | None] = mapped_column(Integer)  # NULL: the operator's setting (0004)
    digest_time: Mapped[str | None] = mapped_column(String(5))  # "HH:MM" in the channel's timezone
    digest_stories: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_DIGEST_STORIES, server_default=str(DEFAULT_DIGEST_STORIES)
    )
    created_at: Mapped[datetime]
    retry_at: Mapped[datetime | None]  # its deliveries wait until then (the platform was unreachable)


class Digest(Base):
    """A channel's digest of one local date: recorded (sent or skipped) before any of its messages is queued."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("channel_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    local_date: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD in the channel's timezone
    status: Mapped[str] = mapped_column(String(16))  # "sent" (its messages queued) or "skipped"
    scheduled_for: Mapped[datetime]
    since: Mapped[datetime | None]
    stories: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("channel_id", "feed_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    filter: Mapped[str | None] = mapped_column(Text)  # a keyword filter, `briefings.keywords` (0007)


class Delivery(Base):
    """The outbox: one row per (channel, briefing) or (channel, digest), sent at most once."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("channel_id", "briefing_id"),
        UniqueConstraint("channel_id", "digest_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    briefing_id: Mapped[int | None] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"))
    digest_key: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any] | None]  # a digest's payload; briefing deliveries read the briefing's JSON
    # pending, sent, failed (gave up), dropped (the channel refused it for good)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    message_ids: Mapped[list[str] | None]
    failing_since: Mapped[datetime | None]  # first failed attempt of the current run of failures


class Lease(Base):
    """A named lease (``send:telegram``, ``listen:telegram``): one instance holds it until ``expires_at``."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Instance(Base):
    """A running ``newsbrief run`` and its last heartbeat."""

    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class HandledUpdate(Base):
    """An incoming update handled once across instances (Telegram's ``update_id``)."""

    __tablename__ = "handled_updates"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    handled_at: Mapped[datetime]


class ActorMention(Base):
    """The actor index (0006): one row per (actor key, briefing, claim) the actor speaks, and one per key of
    each key actor of a briefing (``role`` "key_actor", no claim). Keys come from `briefings.names`.

    ``/said <actor> 7d`` is one range scan of ``(actor_key, role, published_at)``; the claim's text, stance
    and cue are copied here so that it reads no briefing JSON.
    """

    __tablename__ = "actor_mentions"
    __table_args__ = (
        Index("ix_actor_mentions_key_role_published", "actor_key", "role", "published_at"),
        UniqueConstraint("briefing_id", "actor_key", "role", "claim_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_key: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # "speaker" or "key_actor"
    name: Mapped[str] = mapped_column(String(200))  # the actor as the briefing names it
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(Integer)  # the briefing's article (copied: no join to read it)
    story_id: Mapped[str | None] = mapped_column(String(128))  # the ingest clusterer's story, when known
    claim_no: Mapped[int] = mapped_column(Integer, default=-1)  # its index in the briefing's claims; -1: none
    claim_text: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(16))  # the claim's stance (`briefings.models.ClaimKind`)
    cue: Mapped[str | None] = mapped_column(String(100))
    lang: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime]  # the article's publication, else when its briefing was stored


class Follow(Base):
    """A channel follows an actor (0007): it gets every new briefing in which a key of the actor
    (`briefings.names.actor_key`) is a key actor or a claim's speaker, whatever the feed."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("channel_id", "actor_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    actor_key: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))  # as the chat typed it, for /following
    created_at: Mapped[datetime]
