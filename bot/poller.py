"""One poll of one feed: fetch, parse, dedupe, brief the new articles, and queue their deliveries.

The order of writes is what makes delivery reliable: a briefing is stored and its deliveries are queued
as *pending* in the outbox before anything is sent (`bot.outbox` sends them). Dedupe is the repository's
(entry id, canonical URL, content hash), so an article is briefed and delivered once across polls and
restarts. A feed that fails backs off exponentially; after many failures it is deactivated and its
channels are told once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.protocols import BriefingEngine
from bot.settings import Settings
from bot.sources.feeds import (
    FeedEntry,
    canonical_url,
    content_hash,
    discover_feeds,
    entry_to_article,
    extract_main_text,
    needs_full_text,
    parse_feed,
)
from bot.sources.fetch import Fetcher
from bot.storage.repository import FeedRow, Repository
from briefings.engine import BriefingError
from briefings.models import Article, Briefing

log = logging.getLogger("newsbrief.poller")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll did. ``error`` is one line naming the feed; ``queued`` counts pending deliveries."""

    feed_id: int
    url: str
    new: int = 0
    briefed: int = 0
    queued: int = 0
    not_modified: bool = False
    error: str | None = None
    deactivated: bool = False


@dataclass
class Poller:
    """Polls feeds through one shared `Fetcher`; briefing runs in a worker thread (never on the loop)."""

    repo: Repository
    fetcher: Fetcher
    engine: BriefingEngine
    settings: Settings
    clock: Callable[[], datetime] = utcnow

    def __post_init__(self) -> None:
        self._in_flight: set[int] = set()

    async def poll(self, feed: FeedRow) -> PollResult:
        """Poll ``feed`` once; a second poll of the same feed while one runs returns at once."""
        if feed.id in self._in_flight:
            return PollResult(feed.id, feed.url, error=None)
        self._in_flight.add(feed.id)
        try:
            return await self._poll(feed)
        finally:
            self._in_flight.discard(feed.id)

    async def _poll(self, feed: FeedRow) -> PollResult:
        now = self.clock()
        page = await self.fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        if page.error:
            return await self._failed(feed, page.error)
        if page.not_modified:
            await self._succeeded(feed, etag=feed.etag, last_modified=feed.last_modified, title=feed.title)
            return PollResult(feed.id, feed.url, not_modified=True)
        parsed = await asyncio.to_thread(parse_feed, page.body, url=page.url, headers=page.headers)
        if parsed.error:
            return await self._failed(feed, parsed.error)
        if parsed.warning:
            log.warning("%s", parsed.warning)
        entries = sorted(parsed.entries, key=lambda e: e.published or EPOCH, reverse=True)
        keys = [(e, canonical_url(e.url) if e.url else None) for e in entries]
        known_ids, known_urls = await self.repo.known_keys(
            feed_id=feed.id, entry_ids=[e.entry_id for e in entries], urls=[u for _, u in keys if u]
        )
        fresh = [e for e, u in keys if e.entry_id not in known_ids and (u is None or u not in known_urls)]
        limit = len(fresh) if feed.seen_once else self.settings.first_poll_entries
        # a new feed does not flood: its older entries are only recorded as seen (one transaction)
        await self.repo.add_articles(
            [_row(feed, e, entry_to_article(e, source=feed.url)) for e in fresh[limit:]], now=now
        )
        announce = fresh[:limit][::-1]  # oldest first, so a chat reads them in order
        articles = list(
            await asyncio.gather(*(self._article(feed, e) for e in announce))
        )  # fetched concurrently
        briefed = queued = 0
        results = await asyncio.to_thread(lambda: list(self.engine.brief_many(articles)))
        for entry, article, result in zip(announce, articles, results, strict=True):
            if isinstance(result, BriefingError):
                log.warning("%s", result)
            data = None if isinstance(result, BriefingError) else _data(result)
            article_id, deliveries = await self.repo.add_briefed_article(
                _row(feed, entry, article), data, now=now
            )
            briefed += article_id is not None and data is not None
            queued += len(deliveries)
        await self._succeeded(
            feed, etag=page.etag, last_modified=page.last_modified, title=parsed.title or feed.title
        )
        if not feed.seen_once:
            await self.repo.mark_first_poll_done(feed.id)
        return PollResult(feed.id, feed.url, new=len(fresh), briefed=briefed, queued=queued)

    async def _article(self, feed: FeedRow, entry: FeedEntry) -> Article:
        """The entry as an article, with the page's main text when the entry has only a short summary."""
        text = None
        if (
            not entry.content
            and entry.url
            and needs_full_text(entry, min_words=self.settings.full_text_min_words)
        ):
            page = await self.fetcher.get(entry.url)
            if page.error:
                log.info("%s (using the feed's summary)", page.error)
            else:
                text = extract_main_text(page.body, url=page.url)
        return entry_to_article(entry, source=feed.url, text=text)

    async def _succeeded(
        self, feed: FeedRow, *, etag: str | None, last_modified: str | None, title: str | None
    ) -> None:
        now = self.clock()
        await self.repo.record_poll_success(
            feed.id,
            now=now,
            etag=etag,
            last_modified=last_modified,
            title=title,
            next_poll_at=now + self._interval(feed),
        )

    async def _failed(self, feed: FeedRow, error: str) -> PollResult:
        now = self.clock()
        backoff = min(
            self._interval(feed) * 2 ** min(feed.error_count, 16),
            timedelta(seconds=self.settings.max_backoff_s),
        )
        row = await self.repo.record_poll_failure(feed.id, now=now, error=error, next_poll_at=now + backoff)
        dead = row.error_count >= self.settings.dead_after_failures or (
            row.first_error_at is not None
            and now - row.first_error_at >= timedelta(days=self.settings.dead_after_days)
        )
        if dead:
            await self.repo.deactivate_feed(feed.id, reason=error)
            for channel in await self.repo.subscribers(feed.id):
                await self.repo.enqueue_digest(
                    channel.id,
                    digest_key=f"feed-deactivated:{feed.id}:{now:%Y%m%d%H%M}",
                    now=now,
                    data={
                        "title": f"Feed deactivated: {feed.title or feed.url}",
                        "bullets": [
                            f"{row.error_count} polls in a row failed; the last error: {error}",
                            f"Subscribe again once it works: /subscribe {feed.url}",
                        ],
                        "url": None,
                    },
                )
        log.warning("%s", error)
        return PollResult(feed.id, feed.url, error=error, deactivated=dead)

    def _interval(self, feed: FeedRow) -> timedelta:
        base = feed.poll_interval_s or self.settings.poll_interval_s
        return timedelta(seconds=base * (1 + random.uniform(0, self.settings.poll_jitter)))


def _row(feed: FeedRow, entry: FeedEntry, article: Article) -> dict:
    """The article columns of an entry (the dedupe keys: entry id, canonical URL, content hash)."""
    return {
        "feed_id": feed.id,
        "entry_id": entry.entry_id,
        "url": article.url,
        "content_hash": content_hash(article.text) if article.text.strip() else None,
        "title": article.title,
        "published": article.published,
    }


def _data(briefing: Briefing) -> dict:
    """The stored form of a briefing: the JSON of ``newsbrief brief --format json`` plus the article URL."""
    return {**briefing.to_json(), "url": briefing.article.url}


async def resolve_feed_url(fetcher: Fetcher, url: str) -> tuple[str, str | None, str | None]:
    """(feed URL, feed title, error): ``url`` itself when it is a feed, else the feed its page announces."""
    page = await fetcher.get(url)
    if page.error:
        return url, None, page.error
    parsed = parse_feed(page.body, url=page.url, headers=page.headers)
    if not parsed.error:
        return url, parsed.title, None
    for candidate in discover_feeds(page.body, base_url=page.url):
        found = await fetcher.get(candidate)
        if (
            not found.error
            and not (feed := parse_feed(found.body, url=found.url, headers=found.headers)).error
        ):
            return candidate, feed.title, None
    return url, None, parsed.error
