"""The contracts between the runtime's parts. Implementations stay short; the rules live here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.models import Address, Post


class DeliveryError(Exception):
    """A send that failed. ``permanent`` means retrying cannot help (chat gone, bot blocked).

    ``sent`` holds the ids of the messages of a split post that went out before the failure.
    """

    def __init__(self, message: str, *, permanent: bool = False, sent: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.sent = list(sent)


class ChatAdapter(Protocol):
    """One chat platform (console, Telegram, Slack).

    - ``send`` posts one `Post` to one address and returns the platform's message ids (a long post may be
      split into several messages, never inside a bullet). ``skip`` leaves out the first messages of that
      split (an earlier attempt delivered them): the rendering of a post is deterministic. When a later
      message fails, the `DeliveryError` carries the ids of those that went out. It paces itself to the platform's limits and
      waits out rate-limit answers; it raises `DeliveryError` when the post cannot be delivered.
    - It escapes every article-derived string for its platform's markup.
    - ``start``/``stop`` open and close connections (and, for interactive adapters, start listening).
    """

    platform: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, address: Address, post: Post, *, skip: int = 0) -> list[str]: ...
