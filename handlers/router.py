"""Chat commands, platform-neutral: `Command` in, `Reply` out, through one `Router`.

The contract for adapters (Telegram, Slack, console):

- Turn a platform message into a `Command` with `Command.parse` (``None``: not a command, ignore it).
  ``is_admin``/``is_group`` come from the platform (chat admin, channel manager; a private chat is not a
  group). ``thread`` is the forum topic / Slack thread the command was sent in, if any.
- ``reply = await router.dispatch(command, ctx)`` never raises: unknown commands, refused commands and
  handler crashes all come back as a `Reply` with a short text in the channel's language.
- Send ``reply.text`` (plain text) then each of ``reply.posts`` (`bot.models.Post`) to the same address.
  Everything in a reply is plain text and may echo user input: adapters escape all of it.

The composition root builds one `Context` (with a `Fetcher` made with ``local_files=False``, since URLs
come from chat users) and one router with `build_router`.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.models import Post
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from bot.storage.repository import ChannelRow, Repository
from briefings.engine import BriefingEngine
from handlers.messages import message

log = logging.getLogger("newsbrief.handlers")

MAX_ARGS_CHARS = 1000  # longer commands are refused before any handler runs
MAX_ARGS = 20
_NAME = re.compile(r"[a-z0-9_]{1,32}")


@dataclass(frozen=True, slots=True)
class Command:
    """One chat command, normalised by an adapter: ``name`` without the slash, lower-case."""

    platform: str
    chat: str
    user: str
    name: str
    args: tuple[str, ...] = ()
    is_admin: bool = False
    is_group: bool = False
    thread: str | None = None

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
        """``"/brief@newsbrief_bot Lavrov"`` → ``Command(name="brief", args=("Lavrov",), …)``.

        ``None`` when the text is not a command (does not start with ``/``). Control characters
        separate words like spaces, invisible ones (bidi overrides) are dropped; a ``@botname`` suffix (Telegram groups) is removed from the name.
        """
        text = text.strip()
        if not text.startswith("/"):
            return None
        head, *args = _printable(text[1:]).split() or [""]
        name = head.split("@", 1)[0].lower()
        return cls(
            platform=platform,
            chat=chat,
            user=user,
            name=name,
            args=tuple(args),
            is_admin=is_admin,
            is_group=is_group,
            thread=thread,
        )


@dataclass(frozen=True, slots=True)
class Reply:
    """What a command answers: a plain-text message, then zero or more posts (briefings)."""

    text: str | None = None
    posts: tuple[Post, ...] = ()


@dataclass
class Context:
    """What handlers may use, built once by the composition root.

    ``fetcher`` is for URLs typed by chat users: build it with ``local_files=False`` and
    ``allow_private_networks=settings.allow_private_networks``. ``local_files`` lets ``/brief`` read
    local paths: only for an operator at the keyboard (the console chat), never for a chat platform.
    """

    repo: Repository
    fetcher: Fetcher
    engine: BriefingEngine
    settings: Settings
    local_files: bool = False

    async def channel(self, command: Command) -> ChannelRow | None:
        """The channel the command came from, or ``None`` when it has never been set up."""
        return await self.repo.get_channel(command.platform, command.chat, thread=command.thread)

    async def ensure_channel(self, command: Command) -> ChannelRow:
        """The command's channel, created with default settings if new."""
        return await self.repo.upsert_channel(command.platform, command.chat, thread=command.thread)

    async def language(self, command: Command) -> str:
        """The language of the bot's replies in this channel: ``fr`` or ``en`` (the default)."""
        channel = await self.channel(command)
        return language_of(channel)


Handler = Callable[[Command, Context], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Route:
    """A registered command: its handler, its one-line help, whether group admins only may run it."""

    name: str
    handler: Handler
    help: str
    admin: bool = False


class Router:
    """Command name → handler. Refusals (unknown, too long, admin-only) and crashes become replies."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}

    def register(self, name: str, handler: Handler, *, help: str, admin: bool = False) -> None:
        """Add ``/name``; registering a name twice is a wiring mistake and raises `ValueError`."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"command name {name!r} must be 1-32 of a-z, 0-9, _")
        if name in self.routes:
            raise ValueError(f"command /{name} is registered twice")
        self.routes[name] = Route(name=name, handler=handler, help=help, admin=admin)

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


def build_router() -> Router:
    """The router with every command module registered (the only list of them)."""
    from handlers import brief, feeds, help, settings, subscribe

    router = Router()
    for module in (help, brief, subscribe, feeds, settings):
        module.register(router)
    return router


def language_of(channel: ChannelRow | None) -> str:
    return channel.language if channel is not None and channel.language in ("fr", "en") else "en"


def shorten(text: str, limit: int = 60) -> str:
    """User input echoed back in a reply: one line, at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _printable(text: str) -> str:
    """Control characters (NUL, bell, …) become spaces; invisible format ones (bidi overrides) go."""
    kept = (" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return "".join(ch for ch in kept if unicodedata.category(ch) not in ("Cf", "Cs", "Co"))
