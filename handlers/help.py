"""/help lists the commands with their help line; /start greets and shows the same list."""

from __future__ import annotations

from handlers.messages import message
from handlers.router import Command, Context, Reply, Router


def register(router: Router) -> None:
    async def help_(command: Command, ctx: Context) -> Reply:
        lang = await ctx.language(command)
        return Reply(_listing(router, lang))

    async def start(command: Command, ctx: Context) -> Reply:
        lang = await ctx.language(command)
        return Reply(message(lang, "start") + "\n\n" + _listing(router, lang))

    router.register("help", help_, help="the commands")
    router.register("start", start, help="what this bot does")


def _listing(router: Router, lang: str) -> str:
    """One line per command, in registration order (a help text may start with its usage); admin-only ones
    are marked."""
    admin = message(lang, "help_admin")
    lines = [message(lang, "help_header")]
    for route in router.routes.values():
        text = message(lang, f"help.{route.name}", default=route.help)
        line = text if text.startswith(f"/{route.name}") else f"/{route.name} — {text}"
        lines.append(line + (f" {admin}" if route.admin else ""))
    return "\n".join(lines)
