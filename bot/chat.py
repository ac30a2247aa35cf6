"""The console chat: type commands as a chat user would, read the bot's replies.

Usage (``newsbrief chat``)::

    > /subscribe https://example.org/feed.xml
    Subscribed to Example (https://example.org/feed.xml). Its new articles will be briefed here.
    > /brief seeds/2023-10-lavrov-pyongyang.fr.txt
    Lavrov en visite en Corée du Nord sur fond d’accusations américaines
      • …

The operator at the keyboard is a chat admin in a private chat, and ``/brief`` may read local files
here (never on a chat platform). Replies print as the console adapter prints posts.
"""

from __future__ import annotations

import asyncio
from typing import TextIO

from bot.adapters.console import render_post
from bot.models import Command, Reply
from handlers.messages import message
from handlers.router import Context, Router

OPERATOR = "operator"


def render_reply(reply: Reply) -> str:
    """The reply's text, then each post, separated by blank lines."""
    blocks = ([reply.text] if reply.text else []) + ["\n".join(render_post(p)) for p in reply.posts]
    return "\n\n".join(blocks)


async def chat_session(
    ctx: Context,
    router: Router,
    *,
    stdin: TextIO,
    stdout: TextIO,
    platform: str = "console",
    chat: str = "console",
) -> None:
    """Read commands from ``stdin`` until end of input; print each reply to ``stdout``.

    ``ctx.local_files`` decides whether ``/brief`` may read local paths (yes for ``newsbrief chat``: the
    operator is at the keyboard).
    """
    prompt = "> " if stdin.isatty() else ""
    while True:
        if prompt:
            stdout.write(prompt)
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return
        if not line.strip():
            continue
        command = Command.parse(
            line, platform=platform, chat=chat, user=OPERATOR, is_admin=True, is_group=False
        )
        if command is None:
            text = message(await ctx.language(_probe(platform, chat)), "not_a_command")
        else:
            text = render_reply(await router.dispatch(command, ctx))
        stdout.write(text + "\n\n")
        stdout.flush()


def _probe(platform: str, chat: str) -> Command:
    return Command(platform=platform, chat=chat, user=OPERATOR, name="")
