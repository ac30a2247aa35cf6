"""The console adapter: the default platform, printing posts to a terminal (or any text stream)."""

from __future__ import annotations

import itertools
import sys
from typing import TextIO

from bot.models import Address, Command, Post
from bot.protocols import OnCommand
from handlers.messages import message


def render_post(post: Post) -> list[str]:
    """A post as lines: title, indented bullets, the link."""
    lines = [post.title or message(post.lang, "untitled"), *(f"  • {b}" for b in post.bullets)]
    if post.url:
        lines.append(f"  {post.url}")
    return lines


class ConsoleAdapter:
    """Prints each post as a title line, bullets and the link; message ids are a running counter."""

    platform = "console"

    def __init__(self, *, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._ids = itertools.count(1)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def listen(self, on_command: OnCommand) -> None:
        """The console takes no commands here (``newsbrief chat`` is the terminal chat)."""
        return None

    async def is_admin(self, command: Command) -> bool:
        return True  # the operator at the keyboard

    async def send(self, address: Address, post: Post, *, skip: int = 0) -> list[str]:
        if skip:  # a post is one message here: it went out already
            return []
        self.stream.write("\n".join(render_post(post)) + "\n\n")
        self.stream.flush()
        return [str(next(self._ids))]
