"""The Slack adapter: posts as Block Kit through the Web API, slash commands through slack-bolt.

- ``SlackAdapter.send`` renders a `Post` (header, mrkdwn bullet sections, source link) and splits it into
  as many messages as Slack's limits need; ``is_admin`` asks users.info.
- ``build_bolt_app`` wires the slash commands (the router's command names) to a platform-neutral
  ``on_command`` callback; ``SlackAdapter.listen`` serves it over HTTP (signed requests, checked by
  Bolt) or Socket Mode. Arguments are split by shell-like rules, so ``/brief "Le Monde" Lavrov`` has
  the two arguments ``Le Monde`` and ``Lavrov``.

Usage::

    adapter = SlackAdapter(token="xoxb-…", signing_secret="…", commands=router.commands, http_port=3000)
    await adapter.start()
    await adapter.listen(dispatcher.on_command(adapter))
    await adapter.send(Address("slack", "C0123"), post)
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.clock import Clock, MonotonicClock
from bot.models import Address, Command, Post, Reply, printable
from bot.protocols import DeliveryError, OnCommand
from handlers.messages import message

log = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"
# chat.postMessage errors after which retrying the same post cannot help.
PERMANENT_ERRORS = frozenset({"channel_not_found", "not_in_channel", "account_inactive", "is_archived"})

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_TEXT = 40000
# Slack refuses some messages far below 50 × 3000 characters (msg_blocks_too_long near 13k): split early.
MAX_MESSAGE_CHARS = 12000


SendPost = Callable[[Address, Post], Awaitable[list[str]]]


# ---- rendering ---------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """mrkdwn escaping: only &, < and > (Slack's rule); everything else stays as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _split(text: str, limit: int) -> list[str]:
    """Raw pieces of ``text`` whose escaped forms fit ``limit``, cut at a space where one is near."""
    pieces: list[str] = []
    start = 0
    while start < len(text):
        size, end, space = 0, start, -1
        while end < len(text):
            width = len(escape(text[end]))
            if size + width > limit:
                break
            if text[end].isspace():
                space = end
            size += width
            end += 1
        if end < len(text) and space > start + (end - start) // 2:
            end = space + 1
        pieces.append(text[start:end])
        start = end
    return pieces


def _header(title: str) -> str:
    title = " ".join(title.split())
    if len(escape(title)) <= MAX_HEADER:
        return escape(title)
    return escape(_split(title, MAX_HEADER - 1)[0].rstrip()) + "…"


def _link(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return escape(url)
    label = parts.hostname or "source"
    label = label.removeprefix("www.")
    return f"<{escape(url).replace('|', '%7C')}|{escape(label)}>"


def _sections(bullets: Iterable[str]) -> list[str]:
    """Bullet lines packed into section texts ≤ MAX_SECTION; a bullet is cut only when alone too long."""
    sections: list[str] = []
    current = ""
    for bullet in bullets:
        line = "• " + escape(bullet)
        if len(line) > MAX_SECTION:
            if current:
                sections.append(current)
                current = ""
            pieces = _split(bullet, MAX_SECTION - 2)
            sections.append("• " + escape(pieces[0]))
            sections.extend(escape(piece) for piece in pieces[1:])
            continue
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION:
            sections.append(current)
            candidate = line
        current = candidate
    if current:
        sections.append(current)
    return sections


def render(
    post: Post, *, max_message_chars: int = MAX_MESSAGE_CHARS
) -> list[tuple[str, list[dict[str, Any]]]]:
    """The ``(fallback text, blocks)`` of each message for ``post``, in order; ≤ 50 blocks each.

    The header opens the first message, the source link closes the last one.
    """
    header = _header(post.title) if post.title and post.title.strip() else None
    sections = _sections(post.bullets)
    context = _link(post.url) if post.url else None

    messages: list[tuple[str, list[dict[str, Any]]]] = []
    blocks: list[dict[str, Any]] = []
    texts: list[str] = []
    size = 0
    if header:
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": header}})
        texts.append(header)
        size = len(header)
    for section in sections:
        # One block is kept free in every message for the closing context block.
        if blocks and (len(blocks) + 1 >= MAX_BLOCKS or size + len(section) > max_message_chars):
            messages.append(("\n".join(texts), blocks))
            blocks, texts, size = [], [], 0
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": section, "verbatim": True}})
        texts.append(section)
        size += len(section)
    if context:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context, "verbatim": True}]}
        )
        texts.append(context)
    if blocks:
        messages.append(("\n".join(texts), blocks))
    return [(text[:MAX_TEXT], message_blocks) for text, message_blocks in messages]


# ---- slash commands ----------------------------------------------------------------------------------


def command_from_payload(body: dict[str, Any]) -> Command:
    """The neutral command of a slash-command payload: ``/brief "Le Monde" Lavrov`` has the arguments
    ``("Le Monde", "Lavrov")`` (shell-like quoting; with an unbalanced quote, as in « l'article », the
    words split on whitespace). Control characters count as spaces, invisible ones are dropped. Direct
    messages (``D…`` channels) are private chats; every other channel is a group."""
    text = printable(body.get("text") or "")
    try:
        args = shlex.split(text)
    except ValueError:
        args = text.split()
    channel = str(body.get("channel_id", ""))
    return Command(
        platform="slack",
        chat=channel,
        user=str(body.get("user_id", "")),
        name=str(body.get("command", "")).lstrip("/").lower(),
        args=tuple(arg for arg in args if arg.strip()),
        is_group=not channel.startswith("D"),
        thread=body.get("thread_ts") or None,
    )


def build_bolt_app(
    *,
    client: AsyncWebClient,
    signing_secret: str,
    on_command: OnCommand,
    commands: Iterable[str],
    response_type: str = "in_channel",
    socket_mode: bool = False,
    send_post: SendPost | None = None,
) -> AsyncApp:
    """A Bolt app answering ``/<command>`` for each of ``commands``: ack at once, then post the `Reply`
    ``on_command`` returns.

    Its text goes back through the command's ``response_url`` (or to the channel when there is none); its
    posts then go to the command's channel and thread through ``send_post`` (`SlackAdapter.send`). Where the
    bot cannot post (``not_in_channel``: a channel it was not invited to, a private channel, a DM between two
    people), the posts go through the ``response_url`` instead; after another failure the user gets a
    one-line reason there.

    The bot token comes from ``client`` (which also decides where API calls go). Bolt refuses requests
    whose signature does not match ``signing_secret`` or whose timestamp is more than 5 minutes off.
    With ``socket_mode`` no HTTP request is ever served, so nothing is signed and nothing is verified.
    """
    if socket_mode:
        app = AsyncApp(
            client=client, signing_secret="unused-in-socket-mode", request_verification_enabled=False
        )
    else:
        if not signing_secret.strip():
            raise ValueError("Slack slash commands over HTTP need a signing secret")
        app = AsyncApp(client=client, signing_secret=signing_secret)

    async def handle(ack: Any, body: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        await ack()
        command = command_from_payload(body)
        try:
            reply = await on_command(command) or Reply()
        except Exception:
            log.exception("slack command %s failed", command.name)
            reply = Reply(message("en", "crashed", name=command.name[:32]))
        if reply.text and body.get("response_url"):
            await respond(text=escape(reply.text), response_type=response_type)
        elif reply.text:
            await client.chat_postMessage(
                channel=command.chat, text=escape(reply.text), thread_ts=command.thread
            )
        if send_post is None:
            return
        for post in reply.posts:
            try:
                await send_post(command.address, post)
            except DeliveryError as error:
                log.warning("slack reply to /%s in %s not delivered: %s", command.name, command.chat, error)
                if not body.get("response_url"):
                    break
                if error.permanent:  # e.g. not_in_channel: the response_url still reaches the user
                    for text, blocks in render(post)[len(error.sent) :]:
                        await respond(text=text, blocks=blocks, response_type=response_type)
                    continue
                reason = escape(message("en", "reply_not_posted", error=error))
                await respond(text=reason, response_type="ephemeral")
                break

    for name in commands:
        app.command(f"/{name}")(handle)
    return app


async def serve_http(app: AsyncApp, *, host: str, port: int, path: str = "/slack/events") -> web.AppRunner:
    """Serve ``app`` on aiohttp (Bolt's own server app); ``port=0`` picks a free port (see ``.addresses``)."""
    runner = web.AppRunner(app.web_app(path=path, port=port))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


# ---- the adapter -------------------------------------------------------------------------------------


class SlackAdapter:
    """Slack through the Web API (``send``, ``is_admin``) and, once ``listen`` is called, slash commands.

    Slash commands (one per name in ``commands``) come over HTTP when ``signing_secret`` is given, over
    Socket Mode when ``app_token`` (``xapp-…``) is. ``min_interval`` paces messages to one channel (Slack
    allows about one a second).
    """

    platform = "slack"

    def __init__(
        self,
        *,
        token: str,
        base_url: str = SLACK_API,
        signing_secret: str | None = None,
        app_token: str | None = None,
        commands: Iterable[str] = (),
        admin_ids: Iterable[str] = (),
        http_host: str = "0.0.0.0",
        http_port: int = 3000,
        http_path: str = "/slack/events",
        min_interval: float = 1.0,
        clock: Clock | None = None,
        max_rate_limit_retries: int = 3,
    ) -> None:
        self.client = AsyncWebClient(
            token=token,
            base_url=base_url,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(),
                AsyncRateLimitErrorRetryHandler(max_retry_count=max_rate_limit_retries),
            ],
        )
        self.signing_secret = signing_secret
        self.app_token = app_token
        self.commands = tuple(commands)
        self.admin_ids = frozenset(admin_ids)
        self.http_host, self.http_port, self.http_path = http_host, http_port, http_path
        self.min_interval = min_interval
        self.clock = clock or MonotonicClock()
        self.app: AsyncApp | None = None
        self.runner: web.AppRunner | None = None
        self._socket: Any = None
        self._locks: dict[str, asyncio.Lock] = {}
        self._last_sent: dict[str, float] = {}

    @property
    def http_url(self) -> str | None:
        """Where the HTTP endpoint listens once started (the real port when ``http_port=0``)."""
        if self.runner is None or not self.runner.addresses:
            return None
        host, port = self.runner.addresses[0][:2]
        return f"http://{host}:{port}{self.http_path}"

    async def start(self) -> None:
        """Nothing to open: the Web API client connects on first use."""
        return None

    async def listen(self, on_command: OnCommand) -> None:
        """Serve the slash commands: over Socket Mode with an app token, else over HTTP (signing secret)."""
        if self.app_token:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            self.app = build_bolt_app(
                client=self.client,
                signing_secret="",
                on_command=on_command,
                commands=self.commands,
                socket_mode=True,
                send_post=self.send,
            )
            self._socket = AsyncSocketModeHandler(self.app, self.app_token)
            await self._socket.connect_async()
            return
        if not self.signing_secret:
            raise ValueError(
                "Slack slash commands over HTTP need a signing secret (or an app token for Socket Mode)"
            )
        self.app = build_bolt_app(
            client=self.client,
            signing_secret=self.signing_secret,
            on_command=on_command,
            commands=self.commands,
            send_post=self.send,
        )
        self.runner = await serve_http(
            self.app, host=self.http_host, port=self.http_port, path=self.http_path
        )

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def send(self, address: Address, post: Post, *, skip: int = 0) -> list[str]:
        """Post ``post`` as Block Kit messages (leaving out the first ``skip``); returns their ``ts``.

        A failure after some messages went out raises a `DeliveryError` carrying their ``ts``.
        """
        if address.platform != self.platform:
            raise DeliveryError(f"not a Slack address: {address}", permanent=True)
        messages = render(post)[skip:]
        sent: list[str] = []
        async with self._locks.setdefault(address.chat, asyncio.Lock()):
            for text, blocks in messages:
                await self._pace(address.chat)
                try:
                    response = await self.client.chat_postMessage(
                        channel=address.chat,
                        text=text,
                        blocks=blocks,
                        thread_ts=address.thread,
                        unfurl_links=False,
                        unfurl_media=False,
                    )
                except SlackApiError as error:
                    code = str(error.response.get("error") or error.response.status_code)
                    raise DeliveryError(
                        f"slack chat.postMessage to {address.chat}: {code} (after {len(sent)} of {len(messages)} messages)",
                        permanent=code in PERMANENT_ERRORS,
                        sent=sent,
                    ) from error
                except (aiohttp.ClientError, TimeoutError) as error:
                    raise DeliveryError(
                        f"slack chat.postMessage to {address.chat}: {error!r}", sent=sent
                    ) from error
                finally:
                    self._last_sent[address.chat] = self.clock.now()
                sent.append(str(response["ts"]))
        return sent

    async def _pace(self, channel: str) -> None:
        last = self._last_sent.get(channel)
        if last is not None:
            wait = last + self.min_interval - self.clock.now()
            if wait > 0:
                await self.clock.sleep(wait)

    async def is_admin(self, command: Command) -> bool:
        """Whether the command's sender may change the workspace's settings (see `user_is_admin`)."""
        return command.is_admin or await self.user_is_admin(command.user)

    async def user_is_admin(self, user_id: str) -> bool:
        """Whether the user may change the workspace's settings: listed in ``admin_ids``, or admin/owner."""
        if user_id in self.admin_ids:
            return True
        try:
            response = await self.client.users_info(user=user_id)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("slack users.info %s failed: %r", user_id, error)
            return False
        user = response.get("user") or {}
        return bool(user.get("is_admin") or user.get("is_owner"))
