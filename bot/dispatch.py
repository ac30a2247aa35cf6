"""Commands from chat adapters to the `handlers` router, and their replies back: the glue `bot.app` wires.

- Each adapter hands over platform-neutral `Command`s through ``adapter.listen(dispatcher.on_command(adapter))``
  and renders the `Reply` it gets back; nothing here knows a platform.
- In a private chat the sender is the chat's admin. In a group, ``adapter.is_admin`` is asked only when it
  matters (an admin-only command from a sender the adapter has not vouched for), so ordinary commands cost
  no extra API call.
- Commands of one chat run one after another, in the order received; different chats run concurrently,
  so a slow ``/brief <url>`` in one chat holds up no other.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field, replace

from sqlalchemy.exc import SQLAlchemyError

from bot.models import Command, Reply
from bot.protocols import ChatAdapter, OnCommand
from handlers.router import Context, Router


@dataclass
class Dispatcher:
    """Runs commands through the router; one per runtime."""

    router: Router
    ctx: Context
    _locks: dict[tuple[str, str], asyncio.Lock] = field(default_factory=dict)

    def on_command(self, adapter: ChatAdapter) -> OnCommand:
        """The callback ``adapter.listen`` takes: commands from that adapter, answered through the router."""

        async def handle(command: Command) -> Reply:
            return await self.run(command, adapter)

        return handle

    async def run(self, command: Command, adapter: ChatAdapter) -> Reply:
        """The reply to ``command`` (the adapter is asked whether the sender is an admin, if needed)."""
        async with self._locks.setdefault((command.platform, command.chat), asyncio.Lock()):
            # a chat that talks to the bot can be reached again (it was deactivated after a refusal);
            # a database outage is the router's to report, with the command's answer
            with contextlib.suppress(OSError, SQLAlchemyError):
                await self.ctx.repo.reactivate_channel(command.platform, command.chat, thread=command.thread)
            if not command.is_group:  # a private chat is its user's
                command = replace(command, is_admin=True)
            elif not command.is_admin and self.router.needs_admin(command):
                command = replace(command, is_admin=await adapter.is_admin(command))
            return await self.router.dispatch(command, self.ctx)
