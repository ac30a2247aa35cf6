"""The contracts between the runtime's parts: every protocol the rest depends on, with its rules.

Implementations stay short; the rules live here. Who implements what:

- `ChatAdapter`: `bot.adapters.console`, `bot.adapters.telegram`, `bot.adapters.slack`.
- `Repository`: `bot.storage.repository.SqlRepository` (built by `bot.storage.db.open_database`).
- `PageFetcher`: `bot.sources.fetch.Fetcher`; `FeedFinder`: `bot.poller.resolve_feed_url` on one.
- `BriefingEngine`: `briefings.engine.LocalEngine` (chosen by name, ``engine = "local"``, in `bot.app`).
- `Clock`: `bot.adapters.clock.MonotonicClock` (the adapters' pacing).

This module imports no framework (no SQLAlchemy, HTTP client or NLP library): handlers depend on it and
on `bot.models` only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, Unpack

from bot.models import (
    Address,
    ChannelRow,
    ChannelSettings,
    Command,
    DeliveryRow,
    FeedRow,
    Post,
    Reply,
    SaidClaim,
)

if TYPE_CHECKING:
    from briefings.engine import BriefingError
    from briefings.models import Article, Briefing


class DeliveryError(Exception):
    """A send that failed. ``permanent`` means retrying cannot help (chat gone, bot blocked).

    ``sent`` holds the ids of the messages of a split post that went out before the failure.
    """

    def __init__(self, message: str, *, permanent: bool = False, sent: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.sent = list(sent)


OnCommand = Callable[[Command], Awaitable[Reply | None]]
"""What an adapter calls with each incoming command; the `Reply` (``None``: nothing to say) goes back to
the command's address."""


class ChatAdapter(Protocol):
    """One chat platform (console, Telegram, Slack).

    - ``send`` posts one `Post` to one address and returns the platform's message ids (a long post may be
      split into several messages, never inside a bullet). ``skip`` leaves out the first messages of that
      split (an earlier attempt delivered them): the rendering of a post is deterministic. When a later
      message fails, the `DeliveryError` carries the ids of those that went out. It paces itself to the
      platform's limits and waits out rate-limit answers; it raises `DeliveryError` when the post cannot
      be delivered.
    - ``listen`` is the one incoming path: from then on each command addressed to the bot is turned into
      a platform-neutral `Command` (its arguments split by the platform's own rules) and handed to
      ``on_command``; the `Reply` it returns is rendered back to the command's address. An adapter that
      takes no commands (the console) returns at once. Call it after ``start``; ``stop`` ends it.
    - ``is_admin`` tells whether the command's sender may change the chat's settings (asked only for
      admin-only commands in groups; it fails closed).
    - It escapes every article-derived or user-typed string for its platform's markup.
    - ``start``/``stop`` open and close connections.
    """

    platform: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, address: Address, post: Post, *, skip: int = 0) -> list[str]: ...

    async def listen(self, on_command: OnCommand) -> None: ...

    async def is_admin(self, command: Command) -> bool: ...


class Clock(Protocol):
    """Time as an adapter's pacing sees it: a monotonic clock in seconds and a way to wait on it.

    The real one is `bot.adapters.clock.MonotonicClock`; tests pass a faster one, so the same pacing code
    runs on accelerated time.
    """

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class FetchedPage(Protocol):
    """What a `PageFetcher` answers: ``error`` is ``None`` on success, else one line naming the URL."""

    @property
    def url(self) -> str: ...
    @property
    def body(self) -> bytes: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def error(self) -> str | None: ...


class PageFetcher(Protocol):
    """Fetches web pages for chat users' URLs: only http(s), bounded in size and time, never a loopback
    or private address unless the operator allows it, never a local file. It never raises for bad input:
    the answer's ``error`` says what went wrong."""

    async def get(self, url: str) -> FetchedPage: ...


FeedFinder = Callable[[str], Awaitable[tuple[str, str | None, str | None]]]
"""``(feed URL, title, error)`` for a URL typed by a user: the URL itself when it is a feed, else the feed
its page announces (``<link rel="alternate">``); ``error`` is one line when neither works."""

DigestBuilder = Callable[[ChannelRow, datetime], Awaitable[list[Post]]]
"""The posts of a channel's digest at ``now``: the stories since its previous digest (or the last day)."""


class BriefingEngine(Protocol):
    """Turns articles into briefings. Implementations: the local spaCy engine (an LLM one may follow).

    ``brief_many`` is the batch entry point: it yields, in input order, one `Briefing` or one
    `BriefingError` per article and never raises for a single bad article. ``max_bullets`` ``None`` is the
    engine's own, set from the operator's settings when it is built; a chat's own setting is passed
    explicitly. Engines load their
    models once, lazily, and are safe to reuse (and to share between threads) for the life of the process.
    """

    @property
    def languages(self) -> tuple[str, ...]:
        """The article languages it can brief (ISO 639-1 codes)."""
        ...

    def brief(self, article: Article, *, max_bullets: int | None = None) -> Briefing:
        """Brief one article, raising `BriefingError` when it cannot be briefed."""
        ...

    def brief_many(
        self, articles: Iterable[Article], *, max_bullets: int | None = None
    ) -> Iterator[Briefing | BriefingError]:
        """Brief many articles in batches."""
        ...


class Repository(Protocol):
    """Everything the bot stores. Datetimes in and out are timezone-aware (naive ones raise `ValueError`).

    Methods that name a row by id raise `LookupError` when it does not exist, unless they say otherwise.
    Writes that may race (articles, deliveries, channels, subscriptions) are idempotent and safe when
    several workers insert the same thing at once: the database's unique constraints decide.
    """

    # -- feeds ---------------------------------------------------------------------------------------

    async def add_feed(self, url: str, *, title: str | None = None, site_url: str | None = None) -> FeedRow:
        """The feed at ``url``, added (active, due now) if new. An existing feed is returned unchanged."""
        ...

    async def get_feed(self, id_or_url: int | str) -> FeedRow | None:
        """The feed with this id (an ``int``) or URL (a ``str``), or ``None``."""
        ...

    async def list_feeds(self, *, active_only: bool = False) -> list[FeedRow]:
        """All feeds by id; only active ones when ``active_only``."""
        ...

    async def remove_feed(self, feed_id: int) -> bool:
        """Delete the feed and its subscriptions (its articles stay, for dedupe). False if it did not exist."""
        ...

    async def due_feeds(self, *, now: datetime, followed_only: bool = False) -> list[FeedRow]:
        """Active feeds to poll: ``next_poll_at`` unset or ``<= now``; never-scheduled first, then oldest.

        ``followed_only`` leaves out feeds no active channel subscribes to (nobody would read them).
        """
        ...

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
        """A poll worked: store the conditional-GET validators, schedule the next poll ``next_poll_in`` after
        ``now``, clear the error run. ``title`` ``None`` keeps the known title.

        Without ``now`` the poll is dated on the clock feed claims are reckoned on (`claim_due_feeds`): the
        database's when it is shared, so every instance schedules polls on one clock.
        """
        ...

    async def record_poll_failure(
        self, feed_id: int, *, now: datetime | None = None, error: str, next_poll_in: timedelta
    ) -> FeedRow:
        """A poll failed: ``error_count`` + 1, ``first_error_at`` kept from the first failure of the run, the
        next poll ``next_poll_in`` after ``now`` (without it, as `record_poll_success`).

        The returned row lets the caller decide to back off or `deactivate_feed`.
        """
        ...

    async def deactivate_feed(self, feed_id: int, *, reason: str) -> None:
        """Stop polling the feed; ``reason`` is kept in ``last_error``."""
        ...

    async def reactivate_feed(self, feed_id: int) -> FeedRow:
        """Turn a deactivated feed back on, due now, with its error run cleared."""
        ...

    async def set_poll_interval(self, feed_id: int, seconds: int | None) -> None:
        """The feed's own polling interval (``None``: the default of the settings)."""
        ...

    async def mark_first_poll_done(self, feed_id: int) -> None:
        """Set ``seen_once``: later new entries are announced."""
        ...

    # -- articles and briefings ----------------------------------------------------------------------

    async def article_known(self, *, feed_id: int | None, entry_id: str | None, url: str | None) -> bool:
        """Whether an article with this (feed, entry id) or canonical URL is stored (before fetching it)."""
        ...

    async def known_keys(
        self, *, feed_id: int, entry_ids: Sequence[str], urls: Sequence[str]
    ) -> tuple[set[str], set[str]]:
        """Of these entry ids (of ``feed_id``) and canonical URLs, those already stored — one query per poll."""
        ...

    async def add_articles(self, rows: Sequence[dict[str, Any]], *, now: datetime) -> list[int | None]:
        """`add_article` for many rows (its keyword arguments as dicts, without ``now``) in one transaction."""
        ...

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
        """Store a new article and return its id; ``None`` when it is already known — by (feed, entry id),
        by canonical ``url`` or by ``content_hash`` (the same text under another address). This is the
        dedupe: exactly one of several concurrent callers with the same article gets an id.
        """
        ...

    async def add_briefed_article(
        self, row: dict[str, Any], briefing: dict[str, Any] | None, *, now: datetime
    ) -> tuple[int | None, list[int]]:
        """`add_article` (``row``: its keyword arguments without ``now``), then `store_briefing` and
        `enqueue_deliveries` (the feed's subscribers, its actors' followers), in one transaction: a crash
        cannot leave an article seen but never delivered. Returns the article id (``None``: already known,
        nothing done) and the new deliveries' ids. ``briefing`` ``None`` records the article only (it could
        not be briefed; ``row["error"]`` says why). When the article is already known by URL or text under
        another entry, the (feed, entry id) is still recorded as seen, so the next poll skips it.
        ``row["story_id"]``, when given, is the article's story (`bot.story_index`).
        """
        ...

    async def record_seen(self, rows: Sequence[dict[str, Any]], *, now: datetime) -> int:
        """Record feed entries as seen, never briefed (rows as for `add_articles`, an ``error`` allowed),
        in batches under the database's parameter limit. Each (feed, entry id) is recorded even when
        its URL or text is already stored under another entry, so it is skipped by the next poll.
        Returns how many rows were new.
        """
        ...

    async def store_briefing(self, article_id: int, data: dict[str, Any], *, now: datetime) -> int:
        """Store the briefing JSON of an article and return its id (the existing id if already stored)."""
        ...

    async def recent_briefings(
        self, channel_id: int, *, limit: int, query: str | None = None
    ) -> list[dict[str, Any]]:
        """The latest briefings from the feeds the channel subscribes to, newest first.

        Each is the stored briefing JSON with the article's canonical URL under ``"url"``. ``query``
        keeps those whose title or an actor's name or alias contains it, ignoring case.
        """
        ...

    # -- channels and subscriptions ------------------------------------------------------------------

    async def get_channel(self, platform: str, chat: str, *, thread: str | None = None) -> ChannelRow | None:
        """The channel at this address, or ``None``."""
        ...

    async def get_channel_by_id(self, channel_id: int) -> ChannelRow | None:
        """The channel with this id, or ``None``."""
        ...

    async def upsert_channel(self, platform: str, chat: str, *, thread: str | None = None) -> ChannelRow:
        """The channel at this address, created (active, default settings) if new; an existing one keeps
        its settings, and is turned back on if it was deactivated (the chat talks to the bot again)."""
        ...

    async def list_channels(self, *, active_only: bool = True) -> list[ChannelRow]:
        """Channels by id (for scheduling digests); inactive ones too unless ``active_only``."""
        ...

    async def update_channel(self, channel_id: int, **settings: Unpack[ChannelSettings]) -> ChannelRow:
        """Change some settings. ``timezone`` must be an IANA name, ``digest_time`` ``"HH:MM"`` or ``None``,
        ``max_bullets`` positive; anything else raises `ValueError` (unknown names raise `TypeError`).
        """
        ...

    async def set_channel_active(self, channel_id: int, active: bool) -> None:
        """(De)activate a channel. Inactive channels get no deliveries (e.g. the bot was removed)."""
        ...

    async def reactivate_channel(self, platform: str, chat: str, *, thread: str | None = None) -> bool:
        """A chat talked to the bot: turn its channel back on if it was deactivated (one statement).
        True if it was inactive; False if active or unknown (nothing is created)."""
        ...

    async def subscribe(self, channel_id: int, feed_id: int) -> bool:
        """Subscribe the channel to the feed; False if it already was."""
        ...

    async def unsubscribe(self, channel_id: int, feed_id: int) -> bool:
        """Unsubscribe; False if it was not subscribed."""
        ...

    async def subscriptions(self, channel_id: int) -> list[FeedRow]:
        """The feeds the channel subscribes to, by id."""
        ...

    async def subscribers(self, feed_id: int) -> list[ChannelRow]:
        """The active channels subscribed to the feed, by id."""
        ...

    # -- the outbox ----------------------------------------------------------------------------------

    async def enqueue_deliveries(self, briefing_id: int, *, feed_id: int, now: datetime) -> list[int]:
        """One pending delivery of the briefing per active channel subscribed to ``feed_id`` whose keyword
        filter (`set_filter`) its title and bullets pass, and per active channel following one of its key
        actors or speakers (`follow`; the briefing's actor index rows).

        Returns the ids of the deliveries created now: a (channel, briefing) pair is enqueued once ever,
        so calling again creates nothing.
        """
        ...

    async def enqueue_digest(
        self, channel_id: int, *, digest_key: str, data: dict[str, Any], now: datetime
    ) -> int | None:
        """A pending digest delivery (``digest_key`` like ``"2026-11-25#2"``); ``None`` if that key exists."""
        ...

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
        """Record the channel's digest of ``local_date`` and queue its ``parts`` (one delivery each, keyed
        ``"<local_date>#<i>/<n>"``), in one transaction. ``skipped`` records it as skipped, queuing nothing.

        False, with nothing queued, when that digest was already recorded: this is what makes a digest
        go out at most once however often it is triggered, and its messages through the outbox exactly once.
        """
        ...

    async def digest_recorded(self, channel_id: int, local_date: str) -> bool:
        """Whether the channel's digest of ``local_date`` (YYYY-MM-DD) was recorded, sent or skipped."""
        ...

    async def last_digest(self, channel_id: int) -> datetime | None:
        """When the channel's latest sent digest was scheduled, or None if it never had one."""
        ...

    async def briefings_since(
        self, channel_id: int, *, since: datetime, limit: int = 20000
    ) -> list[dict[str, Any]]:
        """The briefings stored since ``since`` from the channel's feeds, newest first (at most ``limit``).

        Each is the briefing JSON plus ``"url"`` (the article's canonical URL), ``"published"`` (ISO 8601,
        the article's date or else when it was stored), ``"feed"`` (the feed's title or URL) and ``"id"``.
        """
        ...

    async def pending_deliveries(
        self, *, limit: int = 100, now: datetime | None = None, platforms: Sequence[str] | None = None
    ) -> list[DeliveryRow]:
        """Pending deliveries to active channels in the order they were queued, with their channel and JSON.

        ``now`` leaves out channels waiting to retry (``retry_at`` later than ``now``); ``platforms``
        keeps only those platforms' channels. Rows left out are not read at all.
        """
        ...

    async def set_channel_retry(self, channel_id: int, retry_at: datetime | None) -> None:
        """The channel's deliveries wait until ``retry_at`` (``None``: no waiting)."""
        ...

    async def drop_channel(self, channel_id: int, *, reason: str) -> int:
        """The platform refused the channel for good: deactivate it and mark its pending deliveries
        ``dropped`` (``reason`` as their error). Returns how many were dropped."""
        ...

    async def recent_sends(self, platform: str, *, within_s: float) -> dict[str, list[float]]:
        """Per chat of ``platform``: how many seconds ago, on the database's clock, each message sent
        there in the last ``within_s`` seconds went (one entry per message of a split post) — what an
        instance taking the sending over must count against the platform's rate limits."""
        ...

    async def delivery_counts(self) -> dict[str, int]:
        """How many deliveries are in each status (pending, sent, failed, dropped)."""
        ...

    async def mark_sent(
        self,
        delivery_id: int,
        *,
        message_ids: Sequence[str],
        now: datetime | None = None,
        lease: tuple[str, str] | None = None,
    ) -> bool:
        """Pending → sent, with the platform's message ids. False (and no change) if it was not pending:
        a delivery is sent at most once and never returned as pending again. With ``lease`` (name,
        holder), also false unless that holder still holds the lease (another instance took it over).
        Sent at ``now``, else on the database's clock (the one `recent_sends` reads).
        """
        ...

    async def fence_send(self, delivery_id: int, *, lease: tuple[str, str], lease_s: float) -> bool:
        """Right before sending a delivery under ``lease`` (name, holder): true, and the lease renewed for
        ``lease_s``, only while the delivery is pending and the lease is still that holder's, unexpired on
        the database's clock — one atomic step. False: another instance took over, or it went already."""
        ...

    # -- several instances (see bot.cluster) --

    @property
    def shared(self) -> bool:
        """Whether several processes may use this database at once (then work is claimed with leases)."""
        ...

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
        """The due feeds, claimed for ``lease_s`` seconds: no other instance gets them meanwhile
        (their next poll moves ahead; the poll's outcome then sets it). The time is ``now``, else the
        database's clock (as for leases: one clock for every instance). ``unclaimed``: also the feeds not
        due that no instance has claimed (their next poll more than ``lease_s`` away). ``exclude``: ids
        not to claim (those a tick has polled already)."""
        ...

    async def extend_feed_claims(
        self, ids: Sequence[int], *, now: datetime | None = None, lease_s: float
    ) -> int:
        """Keep the claims on ``ids`` while their poll runs (it may outlast ``lease_s``): each one's next
        poll moves to ``now + lease_s`` if that is later, never back, so a feed whose poll ended keeps the
        next time it set. The number of feeds moved. ``now``: as in `claim_due_feeds`."""
        ...

    async def acquire_lease(
        self, name: str, *, holder: str, lease_s: float, now: datetime | None = None
    ) -> bool:
        """Take or renew the lease ``name`` for ``lease_s`` seconds; true when ``holder`` holds it. The
        time is the database's own clock (one clock for every instance, whatever theirs say), or ``now``."""
        ...

    async def release_lease(self, name: str, *, holder: str) -> bool:
        """Give the lease up (only its holder can)."""
        ...

    async def leases(self, *, now: datetime) -> list[tuple[str, str, datetime]]:
        """The unexpired leases: (name, holder, expires_at)."""
        ...

    async def heartbeat(self, instance_id: str, *, host: str, pid: int, now: datetime) -> None:
        """The instance is alive at ``now``."""
        ...

    async def end_instance(self, instance_id: str) -> None:
        """The instance stopped cleanly: its row and its leases go."""
        ...

    async def instances(self, *, alive_since: datetime) -> list[tuple[str, str, int, datetime, datetime]]:
        """Instances with a heartbeat since ``alive_since``: (id, host, pid, started_at, heartbeat_at)."""
        ...

    async def claim_update(self, platform: str, update_id: str, *, now: datetime) -> bool:
        """True the first time this incoming update is seen, across instances."""
        ...

    async def pending_by_platform(self) -> dict[str, tuple[int, datetime | None]]:
        """Pending deliveries per platform: (how many, the oldest one's creation time)."""
        ...

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
        """A send failed: ``attempts`` + 1 and the error kept; ``permanent`` → status ``failed`` (no retry).
        ``sent_parts``: the ids of the messages of a split post that did go out (all of them so far), so
        the next attempt sends only the rest. ``now`` starts ``failing_since`` if unset. False (and no
        change) if it was not pending, or ``lease`` (name, holder) is no longer that holder's (a late
        sender must not overwrite what the new holder records).
        """
        ...

    # -- the actor index (who said what: /said, /follow) ---------------------------------------------

    async def index_briefing(self, briefing_id: int, *, story_id: str | None = None) -> int:
        """(Re)index a stored briefing in the actor index and return how many rows it has now.

        `add_briefed_article` and `store_briefing` index every briefing they store (in their transaction),
        so this is only for a briefing whose index must change: its story became known (``story_id``; a
        briefing JSON's ``"story"`` is indexed as its story when it is stored), or the keys of
        `briefings.names` changed. Rows: each claim under every key of its speaker, and every key of each
        key actor (`briefings.names.mentions`), dated by the article's publication, else the briefing's
        storing. Idempotent.
        """
        ...

    async def said(self, actor_key: str, *, since: datetime, limit: int) -> list[SaidClaim]:
        """The claims whose speaker has the key ``actor_key`` (`briefings.names.actor_key`) in articles
        published since ``since``, newest first, at most ``limit``: one range scan of the actor index.
        Each carries its article's URL, title and feed title, and its story when known.
        """
        ...

    async def indexed_name(self, actor_key: str) -> str | None:
        """A name under which the actor index holds ``actor_key`` (as a speaker or a key actor), or ``None``
        when no briefing has it: one index seek. (A surname key such as "dupont" is held under "Jean
        Dupont", whose own key differs: compare keys here, not the keys of names.)"""
        ...

    async def closest_actor_names(self, actor_key: str, *, limit: int) -> list[str]:
        """Names of indexed actors whose keys are closest to ``actor_key`` (spelling mistakes, a first name
        missing), best first, at most ``limit``, each as a briefing names it: for "no article mentions X
        yet, did you mean …". The exact key, when indexed, comes first. Only keys starting like the first
        or the last word of ``actor_key`` (three letters), and the shipped table's forms, are compared: a
        misspelling after the third letter is found ("Lavrof"), one before it is not.
        """
        ...

    # -- follows, keyword filters, stories at ingest (issue 13) --------------------------------------

    async def follow(self, channel_id: int, actor_key: str, *, name: str) -> bool:
        """The channel follows the actor with this key (`briefings.names.actor_key`; ``name`` as the chat
        typed it, for /following): from then on `enqueue_deliveries` queues it every briefing in which
        the key is a key actor's or a speaker's (the actor index). False if it already did."""
        ...

    async def unfollow(self, channel_id: int, actor_key: str) -> bool:
        """The channel stops following the key; False if it did not follow it."""
        ...

    async def follows(self, channel_id: int) -> list[tuple[str, str]]:
        """The (actor key, name) pairs the channel follows, oldest first."""
        ...

    async def set_filter(self, channel_id: int, feed_id: int, text: str | None) -> bool:
        """Set (``None``: remove) the keyword filter of the channel's subscription to the feed — the
        canonical text of a `briefings.keywords.KeywordFilter`. False if the channel does not subscribe.
        The feed's briefings are then queued to the channel only when their title and bullets pass it."""
        ...

    async def subscription_filters(self, channel_id: int) -> dict[int, str]:
        """The channel's keyword filters by feed id (subscriptions without one are left out)."""
        ...

    async def stories_since(
        self, *, since: datetime, after_id: int = 0, limit: int = 20000
    ) -> list[dict[str, Any]]:
        """The briefings stored since ``since`` from every feed, with an id above ``after_id``, oldest
        first (at most ``limit``): what the story clusterer is seeded with. Each is the briefing JSON plus
        ``"id"``, ``"key"`` (what names the article in the clusterer: its URL, else its feed entry),
        ``"url"``, ``"published"`` (ISO 8601), ``"feed"`` (the outlet) and ``"story"`` (its stored story id
        or ``None``)."""
        ...

    async def story_sources(self, story_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        """For each story id, its articles' (feed URL, outlet name) in the order they were stored."""
        ...

    async def close(self) -> None:
        """Release the connections."""
        ...
