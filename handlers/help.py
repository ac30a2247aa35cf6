"""/help lists the commands with their help line; /start greets and shows the same list.

The list is the router's: every registered command, in registration order, with its ``help.<name>``
message (a help text may start with its usage); admin-only ones are marked.
"""

from __future__ import annotations

from bot.models import Command, Reply
from handlers.messages import message
from handlers.router import Context, Router


def register(router: Router) -> None:
    async def help_(command: Command, ctx: Context) -> Reply:
        lang = await ctx.language(command)
        return Reply(_listing(router, lang))

    async def start(command: Command, ctx: Context) -> Reply:
        lang = await ctx.language(command)
        return Reply(message(lang, "start") + "\n\n" + _listing(router, lang))

    router.register("help", help_)
    router.register("start", start)


def _listing(router: Router, lang: str) -> str:
    admin = message(lang, "help_admin")
    lines = [message(lang, "help_header")]
    for route in router.routes.values():
        text = message(lang, f"help.{route.name}", default="")
        line = text if text.startswith(f"/{route.name}") else f"/{route.name} — {text}".rstrip(" —")
        lines.append(line + (f" {admin}" if route.admin else ""))
    return "\n".join(lines)
