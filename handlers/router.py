"""The command framework: `Router` (name → handler), the handlers' `Context`, and the refusals they share.

Which commands exist is not written here: each module of `handlers` registers its own with
``register(router)``, and `handlers.register_all` calls them (the one list of commands; `/help` and the
Slack command registration derive from the router it fills).

- ``reply = await router.dispatch(command, ctx)`` never raises: unknown commands, refused commands and
  handler crashes all come back as a `Reply` with a short text in the channel's language.
- A handler is ``async def handler(command, ctx) -> Reply``: it returns values, adapters render them.

This module depends on the contracts (`bot.models`, `bot.protocols`) and `handlers.messages` only, so
importing it loads no database, scheduler, HTTP client or NLP library.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.models import ChannelRow, Command, Reply
from bot.protocols import BriefingEngine, DigestBuilder, FeedFinder, PageFetcher, Repository
from handlers.messages import LANGUAGES, message

log = logging.getLogger("newsbrief.handlers")

MAX_ARGS_CHARS = 1000  # longer commands are refused before any handler runs
MAX_ARGS = 20
_NAME = re.compile(r"[a-z0-9_]{1,32}")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Context:
    """What handlers may use, built once by the composition root (`bot.app`).

    ``fetcher`` and ``find_feed`` are for URLs typed by chat users: they never read local files and
    reach private networks only if the operator allows it. ``max_bullets`` is the operator's setting,
    for chats that have not chosen their own. ``digest`` builds a chat's digest (``/digest now``);
    ``clock`` is the time it is now. ``local_files`` lets ``/brief`` read local paths: only for an
    operator at the keyboard (the console chat), never for a chat platform.
    """

    repo: Repository
    fetcher: PageFetcher
    engine: BriefingEngine
    find_feed: FeedFinder
    digest: DigestBuilder
    max_bullets: int
    clock: Callable[[], datetime] = utcnow
    local_files: bool = False

    async def channel(self, command: Command) -> ChannelRow | None:
        """The channel the command came from, or ``None`` when it has never been set up."""
        return await self.repo.get_channel(command.platform, command.chat, thread=command.thread)

    async def ensure_channel(self, command: Command) -> ChannelRow:
        """The command's channel, created with default settings if new."""
        return await self.repo.upsert_channel(command.platform, command.chat, thread=command.thread)

    async def language(self, command: Command) -> str:
        """The language of the bot's replies in this channel: ``fr`` or ``en`` (the default)."""
        return language_of(await self.channel(command))


Handler = Callable[[Command, Context], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Route:
    """A registered command: its handler and whether only group admins may run it. Its one-line help is
    the message ``help.<name>`` (`handlers.messages`)."""

    name: str
    handler: Handler
    admin: bool = False


class Router:
    """Command name → handler. Refusals (unknown, too long, admin-only) and crashes become replies."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}

    def register(self, name: str, handler: Handler, *, admin: bool = False) -> None:
        """Add ``/name``; registering a name twice is a wiring mistake and raises `ValueError`."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"command name {name!r} must be 1-32 of a-z, 0-9, _")
        if name in self.routes:
            raise ValueError(f"command /{name} is registered twice")
        self.routes[name] = Route(name=name, handler=handler, admin=admin)

    @property
    def commands(self) -> tuple[str, ...]:
        """The command names, in registration order (what a platform registers, what /help lists)."""
        return tuple(self.routes)

    def needs_admin(self, command: Command) -> bool:
        """Whether the command's route is for group admins only (the dispatcher then asks the platform)."""
        route = self.routes.get(command.name)
        return route is not None and route.admin

    async def dispatch(self, command: Command, ctx: Context) -> Reply:
        """Run the command's handler; never raises (a crash is logged and answered with one line)."""
        lang = "en"
        try:
            lang = await ctx.language(command)
            route = self.routes.get(command.name)
            if route is None:
                return Reply(message(lang, "unknown_command", name=shorten(command.name, 32)))
            if len(command.args) > MAX_ARGS or sum(len(a) + 1 for a in command.args) > MAX_ARGS_CHARS:
                return Reply(message(lang, "too_long", limit=MAX_ARGS_CHARS))
            if route.admin and command.is_group and not command.is_admin:
                return Reply(message(lang, "admins_only", name=route.name))
            return await route.handler(command, ctx)
        except Exception:
            log.exception("/%s from %s:%s failed", shorten(command.name, 32), command.platform, command.chat)
            return Reply(message(lang, "crashed", name=shorten(command.name, 32)))


def language_of(channel: ChannelRow | None) -> str:
    """The language of replies in a channel: its own when it chose one, else English."""
    return channel.language if channel is not None and channel.language in LANGUAGES else "en"


def shorten(text: str, limit: int = 60) -> str:
    """User input echoed back in a reply: one line, at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
