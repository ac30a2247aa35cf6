"""Commands from chat platforms to `handlers.Router`, and their replies back: the glue `bot.app` wires.

- Each platform's adapter turns a payload into a small record (`bot.adapters.telegram.command_from_update`,
  `bot.adapters.slack.command_from_payload`); here it becomes a `Command` through `Command.parse`, the one
  normaliser of command text.
- ``is_group`` comes from the chat: Telegram groups and channels have negative ids, Slack direct messages
  are ``D…`` channels. ``is_admin`` is asked of the platform only when it matters (an admin-only command
  in a group), so ordinary commands cost no extra API call.
- Commands of one chat run one after another, in the order received; different chats run concurrently,
  so a slow ``/brief <url>`` in one chat holds up no other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.models import Address
from bot.protocols import DeliveryError
from handlers.router import Command, Context, Reply, Router

if TYPE_CHECKING:  # the platform clients are imported only when a platform is configured
    from bot.adapters.slack import SlackCommand, SlackReply
    from bot.adapters.telegram import CommandRecord, TelegramAdapter

log = logging.getLogger(__name__)


@dataclass
class Dispatcher:
    """Runs platform commands through the router; one per runtime."""

    router: Router
    ctx: Context
    _locks: dict[tuple[str, str], asyncio.Lock] = field(default_factory=dict)

    async def run(
        self,
        text: str,
        *,
        platform: str,
        chat: str,
        user: str,
        thread: str | None,
        is_group: bool,
        is_admin: Callable[[], Awaitable[bool]] | None,
    ) -> Reply | None:
        """The reply to ``text`` from ``user`` in ``chat`` (``None`` when it is not a command).

        ``is_admin`` asks the platform; ``None`` means the sender speaks for the chat itself (a channel post,
        an anonymous group admin), which only admins can do.
        """
        command = Command.parse(
            text, platform=platform, chat=chat, user=user, is_group=is_group, thread=thread
        )
        if command is None:
            return None
        async with self._locks.setdefault((platform, chat), asyncio.Lock()):
            route = self.router.routes.get(command.name)
            if not is_group or is_admin is None:  # a private chat is its user's
                command = replace(command, is_admin=True)
            elif route is not None and route.admin:
                command = replace(command, is_admin=await is_admin())
            return await self.router.dispatch(command, self.ctx)

    async def telegram(self, adapter: TelegramAdapter, record: CommandRecord) -> None:
        """Answer one Telegram command: its reply text, then its posts, to the same chat and topic."""
        name, args, chat, user, topic = record
        reply = await self.run(
            " ".join(["/" + name, *args]),
            platform="telegram",
            chat=chat,
            user=user,
            thread=topic,
            is_group=chat.startswith("-"),
            is_admin=(lambda: adapter.is_admin(chat, user)) if user else None,
        )
        if reply is None:
            return
        address = Address("telegram", chat, topic)
        try:
            if reply.text:
                await adapter.send_text(address, reply.text)
            for post in reply.posts:
                await adapter.send(address, post)
        except DeliveryError as error:
            log.warning("reply to /%s in telegram chat %s not delivered: %s", name, chat, error)

    def slack(
        self, is_admin: Callable[[str], Awaitable[bool]]
    ) -> Callable[[SlackCommand], Awaitable[SlackReply]]:
        """The ``on_command`` callback of the Slack adapter (``is_admin`` is `SlackAdapter.is_admin`)."""

        from bot.adapters.slack import SlackReply

        async def on_command(command: SlackCommand) -> SlackReply:
            reply = await self.run(
                " ".join(["/" + command.name, *command.args]),
                platform="slack",
                chat=command.channel,
                user=command.user,
                thread=command.thread,
                is_group=not command.channel.startswith("D"),
                is_admin=lambda: is_admin(command.user),
            )
            return SlackReply(reply.text, reply.posts) if reply else SlackReply(None)

        return on_command
