"""One poll of one feed: fetch, parse, dedupe, brief the new articles, and queue their deliveries.

The order of writes is what makes delivery reliable: a briefing is stored and its deliveries are queued
as *pending* in the outbox before anything is sent (`bot.outbox` sends them). Dedupe is the repository's
(entry id, canonical URL, content hash), so an article is briefed and delivered once across polls and
restarts. A feed that fails backs off exponentially; after many failures it is deactivated and its
channels are told once.

A feed is hostile input. Limits come before the NLP: at most ``max_entries_per_poll`` new entries are
briefed per poll (newest first; the others are recorded as seen), an article's text is cut at
``max_article_chars`` (the briefing says so). Entry links are followed only when they are http(s). Every
new entry is recorded as seen whatever happens to it (briefed, refused, failed, a duplicate), with its
error, so it costs nothing on the next poll; one entry's failure never fails the poll. Parsing, page
extraction and briefing run in worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy.exc import InterfaceError, OperationalError

from bot.cluster import claim_time
from bot.protocols import BriefingEngine
from bot.settings import Settings
from bot.sources.feeds import (
    FeedEntry,
    canonical_url,
    content_hash,
    cut_text,
    discover_feeds,
    entry_to_article,
    extract_main_text,
    is_http_url,
    needs_full_text,
    parse_feed,
)
from bot.sources.fetch import Fetcher
from bot.storage.repository import FeedRow, Repository, story_key
from bot.story_index import StoryIndex
from briefings.engine import BriefingError
from briefings.models import Article, Briefing
from handlers.messages import feed_deactivated, message, reported_elsewhere

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

    stories: StoryIndex | None = None  # the stories of new briefings; built on the repository if None

    def __post_init__(self) -> None:
        self._in_flight: set[int] = set()
        self._stories = self.stories or StoryIndex(repo=self.repo, clock=self.clock)

    async def poll(self, feed: FeedRow) -> PollResult:
        """Poll ``feed`` once; a second poll of the same feed while one runs returns at once.

        An unreachable database propagates (the caller retries later); anything else that goes wrong,
        a database refusing what the feed holds included, is this feed's failed poll, recorded and logged
        in one line.
        """
        if feed.id in self._in_flight:
            return PollResult(feed.id, feed.url, error=None)
        self._in_flight.add(feed.id)
        try:
            return await self._poll(feed)
        except (OSError, OperationalError, InterfaceError):  # the database is unreachable: not the feed's
            raise
        except Exception as exc:  # the feed's content broke something (a database refusal included)
            return await self._failed(feed, f"{feed.url}: poll failed ({_one_line(exc)})")
        finally:
            self._in_flight.discard(feed.id)

    async def _poll(self, feed: FeedRow) -> PollResult:
        now = self.clock()
        # a feed's own URL is the operator's (chat users can subscribe to http(s) only): it may be a file
        page = await self.fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified, local=True)
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
        fresh = _first_of_each_id(fresh)  # an id listed twice is one entry
        limit = len(fresh) if feed.seen_once else self.settings.first_poll_entries
        limit = min(limit, self.settings.max_entries_per_poll)
        # a new feed does not flood, a huge one is not briefed at once: the rest is only recorded as seen
        skipped = fresh[limit:]
        await self.repo.record_seen(
            [{**_row(feed, e, entry_to_article(e, source=feed.url)), "error": None} for e in skipped],
            now=now,
        )
        announce = fresh[:limit][::-1]  # oldest first, so a chat reads them in order
        prepared = await asyncio.gather(*(self._article(feed, e) for e in announce))  # concurrently
        ready = [(i, p.article) for i, p in enumerate(prepared) if p.error is None]
        briefings = await asyncio.to_thread(self._brief_each, [article for _, article in ready])
        results: dict[int, Briefing | BriefingError] = dict(
            zip((i for i, _ in ready), briefings, strict=True)
        )
        briefed = queued = 0
        for i, (entry, (article, error, cut)) in enumerate(zip(announce, prepared, strict=True)):
            result = results.get(i)
            data = None
            if isinstance(result, Briefing):
                data = _data(result, cut_at=self.settings.max_article_chars if cut else None)
            if isinstance(result, BriefingError):
                error = str(result)
            if error:
                log.warning("%s", error)  # once: the entry is recorded as seen with it
            row = {**_row(feed, entry, article), "error": error}
            if data is not None:
                await self._place_in_story(feed, row, data)
            article_id, deliveries = await self.repo.add_briefed_article(row, data, now=now)
            briefed += article_id is not None and data is not None
            queued += len(deliveries)
        await self._succeeded(
            feed, etag=page.etag, last_modified=page.last_modified, title=parsed.title or feed.title
        )
        if not feed.seen_once:
            await self.repo.mark_first_poll_done(feed.id)
        return PollResult(feed.id, feed.url, new=len(fresh), briefed=briefed, queued=queued)

    async def _place_in_story(self, feed: FeedRow, row: dict, data: dict) -> None:
        """Put a new briefing in its story before it is stored (`bot.story_index`): the story id goes on the
        article (``row``) and in the briefing (``data["story"]``), with the other outlets that reported
        it so far (``data["also_reported"]``: the post says so)."""
        key = story_key(url=row["url"], feed_id=feed.id, entry_id=row["entry_id"])
        story = await self._stories.assign(key, {**data, "feed": feed.title or feed.url})
        row["story_id"] = data["story"] = story
        sources = (await self.repo.story_sources([story])).get(story, [])
        if reported := reported_elsewhere(sources, own_feed=feed.url):
            data["also_reported"] = reported

    async def _article(self, feed: FeedRow, entry: FeedEntry) -> _Prepared:
        """The entry as an article (the page's main text when the entry has only a short summary), cut
        at ``max_article_chars``; with the error that keeps it from being briefed, if any."""
        if entry.url and not is_http_url(entry.url):
            error = f"{entry.url}: refused: only http and https links are followed"
            return _Prepared(entry_to_article(replace(entry, url=None), source=feed.url), error)
        text = None
        if (
            not entry.content
            and entry.url
            and needs_full_text(entry, min_words=self.settings.full_text_min_words)
        ):
            page = await self.fetcher.get(entry.url)  # never local: the link comes from the feed
            if page.error:
                log.info("%s (using the feed's summary)", page.error)
            else:
                text = await asyncio.to_thread(extract_main_text, page.body, url=page.url)
        article = entry_to_article(entry, source=feed.url, text=text)
        body, cut = cut_text(article.text, max_chars=self.settings.max_article_chars)
        return _Prepared(replace(article, text=body) if cut else article, None, cut)

    def _brief_each(self, articles: list[Article]) -> list[Briefing | BriefingError]:
        """Brief the articles in batches of at most ``max_article_chars`` characters in all (a parsed
        document costs memory in proportion to its text: a long article is parsed alone)."""
        results: list[Briefing | BriefingError] = []
        batch: list[Article] = []
        for article in articles:
            if (
                batch
                and sum(len(a.text) for a in batch) + len(article.text) > self.settings.max_article_chars
            ):
                results.extend(self._brief_batch(batch))
                batch = []
            batch.append(article)
        return results + self._brief_batch(batch) if batch else results

    def _brief_batch(self, articles: list[Article]) -> list[Briefing | BriefingError]:
        """Brief the articles in one batch; if the batch raises, one by one, so that a failure is the
        failing article's `BriefingError` and not the poll's (runs in a worker thread)."""
        try:
            return list(self.engine.brief_many(articles))
        except Exception:
            results: list[Briefing | BriefingError] = []
            for article in articles:
                try:
                    results.extend(self.engine.brief_many([article]))
                except Exception as exc:
                    name = article.url or article.title or article.source
                    results.append(BriefingError(f"{name}: briefing failed ({_one_line(exc)})"))
            return results

    async def _succeeded(
        self, feed: FeedRow, *, etag: str | None, last_modified: str | None, title: str | None
    ) -> None:
        await self.repo.record_poll_success(
            feed.id,
            now=claim_time(self.repo, self.clock),  # the claims' clock: the database's when it is shared
            next_poll_in=self._interval(feed),
            etag=etag,
            last_modified=last_modified,
            title=title,
        )

    async def _failed(self, feed: FeedRow, error: str) -> PollResult:
        now = self.clock()
        backoff = min(
            self._interval(feed) * 2 ** min(feed.error_count, 16),
            timedelta(seconds=self.settings.max_backoff_s),
        )
        row = await self.repo.record_poll_failure(
            feed.id, now=claim_time(self.repo, self.clock), error=error, next_poll_in=backoff
        )
        failing = (row.last_polled_at or now) - (row.first_error_at or now)  # on one clock, the row's
        dead = row.error_count >= self.settings.dead_after_failures or failing >= timedelta(
            days=self.settings.dead_after_days
        )
        if dead:
            await self.repo.deactivate_feed(feed.id, reason=error)
            for channel in await self.repo.subscribers(feed.id):
                await self.repo.enqueue_digest(
                    channel.id,
                    digest_key=f"feed-deactivated:{feed.id}:{now:%Y%m%d%H%M}",
                    now=now,
                    data=feed_deactivated(
                        channel.language,
                        feed=feed.title or feed.url,
                        url=feed.url,
                        count=row.error_count,
                        error=error,
                    ),
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


def _first_of_each_id(entries: list[FeedEntry]) -> list[FeedEntry]:
    first: dict[str, FeedEntry] = {}
    for entry in entries:
        first.setdefault(entry.entry_id, entry)
    return list(first.values())


class _Prepared(NamedTuple):
    article: Article
    error: str | None = None  # why it is not briefed
    cut: bool = False  # its text was cut at ``max_article_chars``


def cut_note(lang: str | None, max_chars: int) -> str:
    """The line telling readers an article was briefed on its first ``max_chars`` characters only."""
    number = f"{max_chars:,}".replace(",", "\u202f" if lang == "fr" else ",")
    return message(lang, "article_cut", chars=number)


def _data(briefing: Briefing, *, cut_at: int | None = None) -> dict:
    """The stored form of a briefing: the JSON of ``newsbrief brief --format json`` plus the article URL,
    and a ``note`` (in the article's language) when its text was cut at ``cut_at`` characters."""
    data = {**briefing.to_json(), "url": briefing.article.url}
    if cut_at is not None:
        data["note"] = cut_note(briefing.article.lang, cut_at)
    return data


@dataclass(frozen=True, slots=True)
class CutEngine:
    """A `BriefingEngine` for pages chat users ask for (/brief <url>): each article's text is cut at
    ``max_chars`` first, as the poller does (a long page took gigabytes in spaCy, or raised E088), and a
    cut briefing ends with a bullet saying so. Articles are briefed one at a time, for the same reason."""

    engine: BriefingEngine
    max_chars: int

    @property
    def languages(self) -> tuple[str, ...]:
        return self.engine.languages

    def brief(self, article: Article, *, max_bullets: int | None = None) -> Briefing:
        text, cut = cut_text(article.text, max_chars=self.max_chars)
        if not cut:
            return self.engine.brief(article, max_bullets=max_bullets)
        briefing = self.engine.brief(replace(article, text=text), max_bullets=max_bullets)
        note = cut_note(briefing.article.lang, self.max_chars)
        return replace(briefing, bullets=(*briefing.bullets, note))

    def brief_many(
        self, articles: Iterable[Article], *, max_bullets: int | None = None
    ) -> Iterator[Briefing | BriefingError]:
        for article in articles:
            try:
                yield self.brief(article, max_bullets=max_bullets)
            except BriefingError as error:
                yield error


def _one_line(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


async def resolve_feed_url(
    fetcher: Fetcher, url: str, *, local: bool = False
) -> tuple[str, str | None, str | None]:
    """(feed URL, feed title, error): ``url`` itself when it is a feed, else the feed its page announces.

    ``local`` (the operator's command line only) lets ``url`` be a local file; the feeds a page
    announces are http(s) only. Parsing runs in a worker thread.
    """
    page = await fetcher.get(url, local=local)
    if page.error:
        return url, None, page.error
    parsed = await asyncio.to_thread(parse_feed, page.body, url=page.url, headers=page.headers)
    if not parsed.error:
        return url, parsed.title, None
    for candidate in await asyncio.to_thread(discover_feeds, page.body, base_url=page.url):
        found = await fetcher.get(candidate)
        if found.error:
            continue
        feed = await asyncio.to_thread(parse_feed, found.body, url=found.url, headers=found.headers)
        if not feed.error:
            return candidate, feed.title, None
    return url, None, parsed.error
