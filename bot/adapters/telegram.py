"""The Telegram adapter: posts as HTML messages through python-telegram-bot 22, paced to Telegram's limits.

Usage::

    adapter = TelegramAdapter(token)                      # base_url=… points it at a test server
    await adapter.start()                                 # getMe: checks the token
    ids = await adapter.send(Address("telegram", "-100123", thread="7"), post)
    await adapter.stop()

- Rendering (`render_post`): the title in ``<b>``, one ``• `` line per bullet, the source as ``<a href>``;
  every article-derived string goes through `html.escape`. A post longer than Telegram's 4,096 UTF-16
  units (counted on the text after entity parsing) becomes several messages split between bullets; only a
  single bullet that cannot fit on its own is cut, with "…".
- Pacing (`Pacer`): at most one message per second in a chat, 20 per minute in a group (negative chat id),
  30 per second overall. Sends wait their turn in arrival order, so a burst is queued, never dropped.
  The clock is injectable (`Clock`), so tests run the same code on accelerated time. An instance that
  takes the sending over from another is told what that one sent lately (`sent_elsewhere`).
- Errors: a 429 (`RetryAfter`) is waited out and the message resent, up to `Limits.attempts` times;
  403 (`Forbidden`: blocked, kicked) and 400 "chat not found" are a permanent `DeliveryError`; any other `TelegramError` a transient one.
- Incoming (`listen`): long polling, or a webhook endpoint when built with a `Webhook`;
  `command_from_update` turns an `Update` into a platform-neutral `Command`, whose `Reply` is sent back
  to the same chat and forum topic; `secret_token_matches` checks a webhook's
  ``X-Telegram-Bot-Api-Secret-Token`` header.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import logging
import re
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import ChatMember, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.adapters.clock import Clock, MonotonicClock
from bot.models import Address, Command, Post, Reply, printable
from bot.protocols import DeliveryError, OnCommand
from bot.tls import client_tls

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # sendMessage text, in UTF-16 code units after entity parsing
ELLIPSIS = "…"
BULLET = "• "
ADMIN_STATUSES = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR})
ALLOWED_UPDATES = [Update.MESSAGE, Update.CHANNEL_POST]
WEBHOOK_MAX_BYTES = 1024 * 1024  # an update is a few kB; anything far bigger is refused
_COMMAND_NAME = re.compile(r"[A-Za-z0-9_]{1,32}")


@dataclass(frozen=True, slots=True)
class Webhook:
    """Webhook mode: Telegram POSTs updates to ``url`` (public HTTPS, with ``secret_token`` in a header);
    the endpoint is served on ``host:port`` behind the operator's TLS proxy."""

    url: str
    secret_token: str
    host: str = "0.0.0.0"
    port: int = 8443


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's flood limits (platforms.md) and how often a rate-limited message is tried."""

    chat_interval: float = 1.0  # seconds between two messages in one chat
    group_messages: int = 20  # at most this many messages in one group …
    group_window: float = 60.0  # … per this many seconds
    global_messages: int = 30  # at most this many messages overall …
    global_window: float = 1.0  # … per this many seconds
    attempts: int = 5  # tries of one message answered 429 before giving up


class Slot:
    """One message's place in the pacer: stamped when it may go, stamped again when its request ended."""

    __slots__ = ("at", "done")

    def __init__(self, at: float) -> None:
        self.at = at
        self.done = asyncio.Event()


class Pacer:
    """Per-chat and global pacing with asyncio locks and logs of recent sends.

    A sender holds `chat_lock(chat)` for a whole post (its parts stay together, posts to a chat keep their
    order), calls `wait_turn` before each request and `finished` with its slot when the request is over.
    Intervals are counted from the end of the earlier request to the start of the next: a request's
    arrival at Telegram lies between the two, so however the network delays them, Telegram never sees
    two messages of a chat less than `chat_interval` apart, nor more than `global_messages` in a window.
    `wait_turn` sleeps until the chat's last message is `chat_interval` old and, for a group, its
    `group_messages`-th last is `group_window` old; then, holding the global lock, until the
    `global_messages`-th last message overall has finished and is `global_window` old. asyncio locks wake
    waiters first-come first-served, so every queued send goes out, in order.
    """

    def __init__(self, limits: Limits, clock: Clock) -> None:
        self.limits = limits
        self.clock = clock
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._chat_sent: dict[str, deque[Slot]] = {}
        self._global_lock = asyncio.Lock()
        self._global_sent: deque[Slot] = deque(maxlen=limits.global_messages)

    def chat_lock(self, chat: str) -> asyncio.Lock:
        return self._chat_locks.setdefault(chat, asyncio.Lock())

    async def wait_turn(self, chat: str, *, group: bool) -> Slot:
        limits = self.limits
        sent = self._chat_sent.setdefault(chat, deque(maxlen=max(limits.group_messages, 1)))
        while True:
            now = self.clock.now()
            wait = sent[-1].at + limits.chat_interval - now if sent else 0.0
            if group and len(sent) >= limits.group_messages:
                wait = max(wait, sent[0].at + limits.group_window - now)
            if wait <= 0:
                break
            await self.clock.sleep(wait)
        async with self._global_lock:
            while len(self._global_sent) >= limits.global_messages:
                oldest = self._global_sent[0]
                await oldest.done.wait()
                wait = oldest.at + limits.global_window - self.clock.now()
                if wait <= 0:
                    break
                await self.clock.sleep(wait)
            slot = Slot(self.clock.now())
            self._global_sent.append(slot)
        sent.append(slot)
        return slot

    def seed(self, chat: str, ages: Sequence[float]) -> None:
        """Messages another sender sent to ``chat`` ``ages`` clock seconds ago (an instance whose sending
        lease this one took over): they count against the chat's, the group's and the global limits as if
        sent from here, so a takeover cannot put a 21st message in a group's minute."""
        now = self.clock.now()
        slots = [Slot(now - age) for age in ages]
        for slot in slots:
            slot.done.set()
        sent = self._chat_sent.setdefault(chat, deque(maxlen=max(self.limits.group_messages, 1)))
        merged = sorted([*sent, *slots], key=lambda slot: slot.at)  # the pacer reads them oldest first
        sent.clear()
        sent.extend(merged)
        merged = sorted([*self._global_sent, *slots], key=lambda slot: slot.at)
        self._global_sent.clear()
        self._global_sent.extend(merged)

    def finished(self, slot: Slot) -> None:
        """The slot's request is over (answered or failed): later intervals count from now. Idempotent."""
        if slot.done.is_set():
            return
        slot.at = self.clock.now()
        slot.done.set()


def utf16_len(text: str) -> int:
    """Telegram's length: UTF-16 code units (a character outside the BMP, like most emoji, counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, budget: int) -> str:
    """``text`` shortened to at most ``budget`` UTF-16 units including a final "…" (never inside a pair)."""
    if utf16_len(text) <= budget:
        return text
    room, used, end = budget - utf16_len(ELLIPSIS), 0, 0
    for end, char in enumerate(text):  # noqa: B007 — `end` is read after the loop
        used += utf16_len(char)
        if used > room:
            break
    head = text[:end]
    space = head.rfind(" ")
    if space > len(head) // 2:  # prefer a word boundary when one is near
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def _link(url: str) -> tuple[str, str]:
    """The source line: an ``<a href>`` labelled with the host for web URLs, else the escaped URL."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname:
        label = parts.hostname.removeprefix("www.")
        return f'<a href="{html.escape(url, quote=True)}">{html.escape(label)}</a>', label
    return html.escape(url), url


def render_post(post: Post, *, max_length: int = MAX_TEXT) -> list[str]:
    """Telegram-HTML messages for ``post``, each at most ``max_length`` UTF-16 units once parsed.

    Blocks (title, each bullet, the link) are joined by newlines and packed greedily; a message break only
    ever falls between blocks. A block longer than a whole message is cut with "…". Returns [] for a post
    with nothing to show.
    """
    blocks: list[tuple[str, int]] = []  # (markup, length of its parsed text)
    if post.title:
        title = _cut(post.title, max_length)
        blocks.append((f"<b>{html.escape(title)}</b>", utf16_len(title)))
    for bullet in post.bullets:
        text = BULLET + _cut(bullet, max_length - utf16_len(BULLET))
        blocks.append((html.escape(text), utf16_len(text)))
    if post.url:
        markup, label = _link(post.url)
        if utf16_len(label) > max_length:
            label = _cut(label, max_length)
            markup = html.escape(label)
        blocks.append((markup, utf16_len(label)))
    return _pack(blocks, max_length=max_length)


def render_text(text: str, *, max_length: int = MAX_TEXT) -> list[str]:
    """A plain-text reply as escaped HTML messages, split between lines (a too-long line is cut with "…")."""
    lines = [_cut(line, max_length) for line in text.strip().splitlines()]
    return _pack([(html.escape(line), utf16_len(line)) for line in lines], max_length=max_length)


def _pack(blocks: list[tuple[str, int]], *, max_length: int) -> list[str]:
    """Greedily join ``(markup, parsed length)`` blocks with newlines into messages of ≤ ``max_length``."""
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for markup, length in blocks:
        if current and size + 1 + length > max_length:
            messages.append("\n".join(current))
            current, size = [], 0
        size += length + (1 if current else 0)
        current.append(markup)
    if current:
        messages.append("\n".join(current))
    return messages


def _retry_seconds(error: RetryAfter) -> float:
    """``error.retry_after`` in seconds: an int in PTB 22, a timedelta once ``PTB_TIMEDELTA`` is on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_id(chat: str) -> int | str:
    """Numeric chat ids as int; ``@channelname`` stays a string."""
    return int(chat) if chat.lstrip("-").isdigit() else chat


class TelegramAdapter:
    """The `ChatAdapter` for Telegram, on a python-telegram-bot `Application` (its ``bot`` does the HTTP)."""

    platform = "telegram"

    def __init__(
        self,
        token: str,
        *,
        base_url: str = "https://api.telegram.org/bot",
        limits: Limits | None = None,
        clock: Clock | None = None,
        max_length: int = MAX_TEXT,
        webhook: Webhook | None = None,
    ) -> None:
        self.webhook = webhook
        # python-telegram-bot's own requests (pool sizes as its builder's), on the process's TLS context
        requests = [
            HTTPXRequest(connection_pool_size=n, httpx_kwargs={"verify": client_tls()}) for n in (256, 1)
        ]
        builder = Application.builder().token(token).base_url(base_url)
        self.application = builder.request(requests[0]).get_updates_request(requests[1]).build()
        self.bot = self.application.bot
        self.limits = limits or Limits()
        self.clock = clock or MonotonicClock()
        self.max_length = max_length
        self._pacer = Pacer(self.limits, self.clock)
        self._polling = False
        self._handler: MessageHandler | None = None
        self._webhook: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # several instances: true only the first time an update id is seen across them (webhook mode)
        self.first_time: Callable[[int], Awaitable[bool]] | None = None

    async def start(self) -> None:
        """Initialise the client (a ``getMe`` call, which fails fast on a wrong token)."""
        await self.application.initialize()

    async def stop(self) -> None:
        """Stop polling or the webhook endpoint if either runs, then close the client."""
        await self.stop_polling()
        await self.stop_webhook()
        await self.application.shutdown()

    @property
    def history_s(self) -> float:
        """How far back (real seconds) messages sent by another instance matter to the pacing."""
        return self.limits.group_window / getattr(self.clock, "speed", 1.0)

    def sent_elsewhere(self, recent: Mapping[str, Sequence[float]]) -> None:
        """Messages another instance sent, per chat, ``recent`` real seconds ago (`Pacer.seed`); a clock
        running faster than real time (tests) gives its ``speed``."""
        speed = getattr(self.clock, "speed", 1.0)
        for chat, ages in recent.items():
            self._pacer.seed(chat, [age * speed for age in ages])

    async def send(self, address: Address, post: Post, *, skip: int = 0) -> list[str]:
        """Deliver ``post`` as one or more HTML messages; returns their ids. See the module docstring.

        ``skip`` leaves out the first messages (delivered by an earlier attempt). If a later part of a
        split post fails, the `DeliveryError` carries the ids of the parts that went out.
        """
        parts = render_post(post, max_length=self.max_length)
        if not parts:
            raise DeliveryError("empty post: no title, bullets or link", permanent=True)
        return await self._deliver(address, parts[skip:])

    async def _deliver(self, address: Address, parts: list[str]) -> list[str]:
        if address.platform != self.platform:
            raise DeliveryError(f"not a telegram address: {address}", permanent=True)
        if address.thread is not None and not address.thread.isdigit():
            raise DeliveryError(f"telegram topic id must be a number, got {address.thread!r}", permanent=True)
        chat_id = _chat_id(address.chat)
        thread = int(address.thread) if address.thread is not None else None
        group = isinstance(chat_id, int) and chat_id < 0
        ids: list[str] = []
        async with self._pacer.chat_lock(address.chat):
            for text in parts:
                try:
                    message = await self._send_message(
                        address.chat, chat_id, text, thread=thread, group=group
                    )
                except DeliveryError as error:
                    error.sent = ids
                    raise
                ids.append(str(message.message_id))
        return ids

    async def _send_message(
        self, key: str, chat_id: int | str, text: str, *, thread: int | None, group: bool
    ) -> Message:
        for attempt in range(1, self.limits.attempts + 1):
            slot = await self._pacer.wait_turn(key, group=group)
            try:
                return await self.bot.send_message(
                    chat_id=chat_id,
                    text=text,
                    parse_mode=ParseMode.HTML,
                    message_thread_id=thread,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except RetryAfter as error:
                self._pacer.finished(slot)  # before the wait: a retrying chat must not hold up the others
                seconds = _retry_seconds(error)
                log.info("telegram chat %s: rate limited, retry %d in %.0f s", key, attempt, seconds)
                if attempt == self.limits.attempts:
                    raise DeliveryError(
                        f"telegram chat {key}: still rate limited after {attempt} tries"
                    ) from error
                await self.clock.sleep(seconds)
            except Forbidden as error:
                raise DeliveryError(f"telegram chat {key}: {error.message}", permanent=True) from error
            except BadRequest as error:  # "chat not found": the chat is gone for good
                gone = "chat not found" in error.message.lower()
                raise DeliveryError(f"telegram chat {key}: {error.message}", permanent=gone) from error
            except TelegramError as error:
                raise DeliveryError(f"telegram chat {key}: {error.message}") from error
            finally:
                self._pacer.finished(slot)
        raise AssertionError("unreachable: the loop returns or raises")

    async def is_admin(self, command: Command) -> bool:
        """Whether the command's sender is the chat's creator or an administrator (see `member_is_admin`)."""
        return command.is_admin or await self.member_is_admin(command.chat, command.user)

    async def member_is_admin(self, chat_id: int | str, user_id: int | str) -> bool:
        """Whether the user is the chat's creator or an administrator (``getChatMember``).

        Fails closed: when Telegram cannot tell (unknown user, bot not in the chat, network error) the answer
        is False, logged.
        """
        try:
            member = await self.bot.get_chat_member(chat_id=_chat_id(str(chat_id)), user_id=int(user_id))
        except TelegramError as error:
            log.warning("telegram chat %s: cannot check admin %s: %s", chat_id, user_id, error)
            return False
        return member.status in ADMIN_STATUSES

    # -- incoming updates -------------------------------------------------------------------------------

    @property
    def exclusive_listen(self) -> bool:
        """Long polling: one process per token at a time (Telegram answers a second one 409 Conflict)."""
        return self.webhook is None

    async def stop_listening(self) -> None:
        """Stop taking commands (long polling), e.g. when another instance took the polling lease."""
        await self.stop_polling()

    async def listen(self, on_command: OnCommand) -> None:
        """Take commands: through the webhook endpoint when built with a `Webhook`, else long polling."""
        if self.webhook is None:
            await self.start_polling(on_command)
            return
        await self.start_webhook(
            on_command,
            url=self.webhook.url,
            secret_token=self.webhook.secret_token,
            host=self.webhook.host,
            port=self.webhook.port,
        )

    async def _answer(self, command: Command, on_command: OnCommand) -> None:
        """Run one command and send its reply text, then its posts, to the same chat and topic."""
        reply = await on_command(command)
        if reply is None:
            return
        try:
            await self.send_reply(command.address, reply)
        except DeliveryError as error:
            log.warning(
                "reply to /%s in telegram chat %s not delivered: %s", command.name, command.chat, error
            )

    async def send_reply(self, address: Address, reply: Reply) -> None:
        """A command's reply: its text (escaped, split between lines), then each post; paced like posts."""
        if reply.text and (parts := render_text(reply.text, max_length=self.max_length)):
            await self._deliver(address, parts)
        for post in reply.posts:
            await self.send(address, post)

    async def start_polling(self, on_command: OnCommand) -> None:
        """Long-poll ``getUpdates`` and call ``on_command`` with each command addressed to this bot.

        Call after `start`. Edited messages and channel posts are ignored (see `command_from_update`).
        Only one process may poll a token (a second gets 409 Conflict); run several in webhook mode instead.
        """
        if self._polling:
            raise RuntimeError("already polling")
        username = self.bot.username  # known after start()

        async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            command = command_from_update(update, bot_username=username)
            if command is not None:
                await self._answer(command, on_command)

        self._handler = MessageHandler(filters.COMMAND, handle)
        self.application.add_handler(self._handler)
        await self.application.start()
        if self.application.updater is None:
            raise RuntimeError("this Application was built without an Updater")
        await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        self._polling = True

    async def stop_polling(self) -> None:
        if not self._polling:
            return
        self._polling = False
        if self.application.updater is not None:
            await self.application.updater.stop()
        await self.application.stop()
        if self._handler is not None:
            self.application.remove_handler(self._handler)
            self._handler = None

    async def set_webhook(self, url: str, *, secret_token: str) -> None:
        """Ask Telegram to POST updates to ``url`` with the header ``X-Telegram-Bot-Api-Secret-Token``."""
        await self.bot.set_webhook(url=url, secret_token=secret_token, allowed_updates=ALLOWED_UPDATES)

    async def start_webhook(
        self,
        on_command: OnCommand,
        *,
        url: str,
        secret_token: str,
        host: str,
        port: int,
    ) -> None:
        """Serve Telegram's webhook POSTs on ``host:port`` (at the path of ``url``), then ``setWebhook(url)``.

        Call after `start`. A request without the right ``X-Telegram-Bot-Api-Secret-Token`` is refused
        with 403 and never parsed; a body that is not an update gets 400. Commands are handed to
        ``on_command`` after the 200 is sent, so a slow command never makes Telegram resend the update;
        an update id seen recently (a resend) is acknowledged and dropped.
        """
        if self._webhook is not None:
            raise RuntimeError("webhook already served")
        if not secret_token:
            raise ValueError(
                "telegram webhook mode needs NEWSBRIEF_TELEGRAM_WEBHOOK_SECRET (or NEWSBRIEF_TELEGRAM_WEBHOOK_SECRET_FILE)"
            )
        from aiohttp import web  # only here: long polling, the default, never loads the web server

        username = self.bot.username
        seen: deque[int] = deque(maxlen=1000)

        async def receive(request: web.Request) -> web.Response:
            header = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
            if not secret_token_matches(header, secret_token):
                return web.Response(status=403, text="forbidden")
            try:
                update = Update.de_json(await request.json(), self.bot)
            except (ValueError, TypeError, KeyError, AttributeError):
                return web.Response(status=400, text="not an update")
            if update is None or update.update_id in seen:
                return web.Response(text="ok")
            seen.append(update.update_id)
            if self.first_time is not None and not await self.first_time(update.update_id):
                return web.Response(text="ok")  # another instance handled it (a resend)
            command = command_from_update(update, bot_username=username)
            if command is not None:
                task = asyncio.create_task(self._answer(command, on_command))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return web.Response(text="ok")

        app = web.Application(client_max_size=WEBHOOK_MAX_BYTES)
        app.router.add_post(urlsplit(url).path or "/", receive)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._webhook = runner
        await self.set_webhook(url, secret_token=secret_token)

    @property
    def webhook_address(self) -> tuple[str, int] | None:
        """Where the webhook endpoint listens once started (the real port when ``port=0``)."""
        if self._webhook is None or not self._webhook.addresses:
            return None
        host, port = self._webhook.addresses[0][:2]
        return host, port

    async def stop_webhook(self) -> None:
        if self._webhook is not None:
            await self._webhook.cleanup()
            self._webhook = None
        for task in list(self._tasks):
            task.cancel()

    def update_from_webhook(
        self, body: dict[str, Any], *, secret_header: str | None, secret_token: str
    ) -> Update | None:
        """The `Update` in a webhook request, or None when its secret header is missing or wrong."""
        if not secret_token_matches(secret_header, secret_token):
            return None
        return Update.de_json(body, self.bot)


def secret_token_matches(header: str | None, secret_token: str) -> bool:
    """Whether a webhook's ``X-Telegram-Bot-Api-Secret-Token`` header equals our secret (constant time)."""
    if not header or not secret_token:
        return False
    return hmac.compare_digest(header.encode(), secret_token.encode())


def command_from_update(update: Update, *, bot_username: str | None = None) -> Command | None:
    """The `Command` in an update, or None if there is none.

    ``/Subscribe@newsbrief_bot https://x/feed`` in group -100… from user 42 →
    ``Command("telegram", "-100…", "42", "subscribe", ("https://x/feed",), is_group=True)``. The name loses
    its slash and ``@botname`` and is lower-cased; args are the whitespace-separated words (Telegram has
    no quoting), control characters counting as spaces and invisible ones dropped. A command addressed
    to another bot (when ``bot_username`` is given), an edited message or post, or a message without a
    leading command is None. Channel posts and anonymous group admins speak for the chat itself: their
    user is ``""`` and ``is_admin`` is true (only admins can do either). Chats with negative ids (groups,
    channels) are groups. ``thread`` is the forum topic (``message_thread_id`` of a topic message); reply
    threads in ordinary groups are not topics.
    """
    message = update.message or update.channel_post  # edited messages and posts are not commands
    if message is None or not message.text:
        return None
    if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
        user = ""  # a channel post, or an admin posting anonymously as the group: the chat itself
    elif message.from_user is not None:
        user = str(message.from_user.id)
    else:
        return None
    text = message.text.strip()
    words = text.split(maxsplit=1)
    if not words or not words[0].startswith("/"):
        return None
    name, _, target = words[0][1:].partition("@")
    if not _COMMAND_NAME.fullmatch(name):
        return None
    if target and bot_username and target.lower() != bot_username.lstrip("@").lower():
        return None
    topic = message.message_thread_id if message.is_topic_message else None
    chat = str(message.chat.id)
    return Command(
        platform="telegram",
        chat=chat,
        user=user,
        name=name.lower(),
        args=tuple(printable(words[1]).split()) if len(words) > 1 else (),
        is_admin=not user,
        is_group=chat.startswith("-"),
        thread=str(topic) if topic is not None else None,
    )
