"""The frozen records that cross the runtime's boundaries: commands in, replies and posts out, storage rows.

Adapters turn platform payloads into `Command`; handlers answer with a `Reply` of plain text and `Post`s;
the repository (`bot.protocols.Repository`) hands out `FeedRow`, `ChannelRow` and `DeliveryRow` and never
an ORM object. Nothing here imports a framework: this module is what every part may depend on.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypedDict

# A channel's settings until it changes them: the table's defaults, and what /settings shows for a chat the
# bot has not set up yet. (``max_bullets`` has none here: it is the operator's, in `bot.settings`.)
DEFAULT_TIMEZONE = "UTC"
DEFAULT_DIGEST_STORIES = 8
MAX_DIGEST_STORIES = 30

DeliveryStatus = Literal["pending", "sent", "failed", "dropped"]


@dataclass(frozen=True, slots=True)
class Post:
    """A platform-neutral message: a title, bullets and a link. Adapters format and escape it."""

    title: str | None
    bullets: tuple[str, ...] = ()
    url: str | None = None
    lang: str | None = None

    @classmethod
    def from_briefing_json(cls, data: dict[str, Any], *, url: str | None = None) -> Post:
        """The post for a stored briefing (the JSON of ``newsbrief brief --format json``)."""
        return cls(
            title=data.get("title"),
            bullets=tuple(data.get("bullets") or ()),
            url=url or data.get("url"),
            lang=data.get("lang"),
        )


@dataclass(frozen=True, slots=True)
class Address:
    """Where a post goes on a platform: a chat/channel id and, optionally, a thread or forum topic."""

    platform: str
    chat: str
    thread: str | None = None


@dataclass(frozen=True, slots=True)
class Command:
    """One chat command as an adapter hands it over: ``name`` without the slash, lower-case; ``args``
    already split by the platform's own rules (Slack keeps ``"Le Monde"`` one argument).

    ``is_group``: the chat has members besides the bot and the sender (admin-only commands are checked
    there). ``is_admin``: the adapter already knows the sender may act for the chat (a Telegram channel
    post or anonymous group admin); otherwise the dispatcher asks the platform when it matters.
    """

    platform: str
    chat: str
    user: str
    name: str
    args: tuple[str, ...] = ()
    is_admin: bool = False
    is_group: bool = False
    thread: str | None = None

    @property
    def address(self) -> Address:
        """Where the command came from, and where its reply goes."""
        return Address(self.platform, self.chat, self.thread)

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        platform: str,
        chat: str,
        user: str,
        is_admin: bool = False,
        is_group: bool = False,
        thread: str | None = None,
    ) -> Command | None:
        """A command typed as one line, its words split on whitespace (the console's and Telegram's rule).

        ``"/brief@newsbrief_bot Lavrov"`` → ``Command(name="brief", args=("Lavrov",), …)``; ``None`` when
        the text does not start with ``/``. Control characters separate words like spaces, invisible ones
        (bidi overrides) are dropped; a ``@botname`` suffix (Telegram groups) is removed from the name.
        """
        text = text.strip()
        if not text.startswith("/"):
            return None
        head, *args = printable(text[1:]).split() or [""]
        return cls(
            platform=platform,
            chat=chat,
            user=user,
            name=head.split("@", 1)[0].lower(),
            args=tuple(args),
            is_admin=is_admin,
            is_group=is_group,
            thread=thread,
        )


def printable(text: str) -> str:
    """Control characters (NUL, bell, …) become spaces; invisible format ones (bidi overrides) go."""
    kept = (" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return "".join(ch for ch in kept if unicodedata.category(ch) not in ("Cf", "Cs", "Co"))


@dataclass(frozen=True, slots=True)
class Reply:
    """What a command answers: a plain-text message, then zero or more posts (briefings).

    Everything in it is plain text that may echo user input: adapters escape all of it.
    """

    text: str | None = None
    posts: tuple[Post, ...] = ()


# -- storage rows --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedRow:
    """A subscribed-to RSS/Atom feed and its polling state.

    ``next_poll_at`` ``None`` means "due now"; ``poll_interval_s`` overrides the default interval;
    ``error_count``/``first_error_at`` describe the current run of failed polls (reset by a success);
    ``seen_once`` is false until the first poll is done (its entries are recorded, not announced).
    """

    id: int
    url: str
    title: str | None
    site_url: str | None
    active: bool
    etag: str | None
    last_modified: str | None
    added_at: datetime
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    poll_interval_s: int | None
    error_count: int
    first_error_at: datetime | None
    last_error: str | None
    seen_once: bool


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """A chat (or a thread in it) the bot posts to, with its settings. ``thread`` is ``None`` for none.

    ``max_bullets`` is the one in force: the chat's own (``own_max_bullets``) when it chose one, else the
    operator's setting (``max_bullets`` in `bot.settings`) as the repository was opened with it.
    """

    id: int
    platform: str
    chat: str
    thread: str | None
    active: bool
    timezone: str
    language: str | None
    max_bullets: int
    digest_time: str | None
    created_at: datetime
    digest_stories: int = DEFAULT_DIGEST_STORIES
    retry_at: datetime | None = None  # deliveries wait until then: the platform was unreachable
    own_max_bullets: int | None = None  # the chat's own choice; None: it follows the operator's setting

    @property
    def address(self) -> Address:
        return Address(platform=self.platform, chat=self.chat, thread=self.thread)


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """One pending post of the outbox: a briefing (``briefing_id``) or a digest (``digest_key``) for a channel.

    ``data`` is the briefing JSON (``newsbrief brief --format json``) or the digest payload; ``url`` the
    article's canonical URL (``None`` for digests).
    """

    id: int
    channel: ChannelRow
    briefing_id: int | None
    digest_key: str | None
    data: dict[str, Any] | None
    url: str | None
    status: DeliveryStatus
    attempts: int
    sent_parts: tuple[str, ...] = ()  # message ids of the parts an earlier, interrupted attempt delivered
    failing_since: datetime | None = None  # the first failed attempt of the current run of failures


class ChannelSettings(TypedDict, total=False):
    """The per-channel settings `Repository.update_channel` accepts."""

    timezone: str
    language: str | None
    max_bullets: int | None  # None: back to the operator's setting
    digest_time: str | None
    digest_stories: int


@dataclass(frozen=True, slots=True)
class SaidClaim:
    """One claim of the actor index (`bot.protocols.Repository.said`): what ``name`` said in an article.

    ``kind`` is its stance (statement, quote, denial, accusation, estimate, promise, warning); ``story_id``
    the story the ingest clusterer put its briefing in, when known; ``outlet`` the feed's title.
    """

    name: str
    text: str
    kind: str
    cue: str
    published: datetime
    briefing_id: int
    article_id: int
    claim_no: int
    story_id: str | None = None
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    lang: str | None = None
