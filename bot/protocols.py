"""The contracts between the runtime's parts. Implementations stay short; the rules live here."""

from __future__ import annotations

from typing import Protocol

from bot.models import Address, Post


class DeliveryError(Exception):
    """A send that failed. ``permanent`` means retrying cannot help (chat gone, bot blocked)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class ChatAdapter(Protocol):
    """One chat platform (console, Telegram, Slack).

    - ``send`` posts one `Post` to one address and returns the platform's message ids (a long post may be
      split into several messages, never inside a bullet). It paces itself to the platform's limits and
      waits out rate-limit answers; it raises `DeliveryError` when the post cannot be delivered.
    - It escapes every article-derived string for its platform's markup.
    - ``start``/``stop`` open and close connections (and, for interactive adapters, start listening).
    """

    platform: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, address: Address, post: Post) -> list[str]: ...
