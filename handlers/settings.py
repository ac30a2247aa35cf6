"""Per-chat settings: /digest, /timezone, /lang (group admins only) and /settings to show them."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import DEFAULT_DIGEST_STORIES, DEFAULT_TIMEZONE, MAX_DIGEST_STORIES, Command, Reply
from handlers.messages import LANGUAGES, message
from handlers.router import Context, Router, language_of, shorten

_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_TIMEZONE_MAX = 64  # the column's size; no IANA name comes close


def register(router: Router) -> None:
    router.register("digest", digest, admin=True)
    router.register("timezone", timezone, admin=True)
    router.register("lang", lang, admin=True)
    router.register("settings", show)


async def digest(command: Command, ctx: Context) -> Reply:
    channel = await ctx.channel(command)
    lang_ = language_of(channel)
    value = command.args[0].lower() if len(command.args) == 1 else ""
    if value == "now":
        return await _digest_now(command, ctx, lang_)
    if len(command.args) == 2 and command.args[0].lower() == "stories":
        count = command.args[1]
        if not (count.isdigit() and 1 <= int(count) <= MAX_DIGEST_STORIES):
            return Reply(message(lang_, "digest_usage", max=MAX_DIGEST_STORIES))
        channel = await ctx.ensure_channel(command)
        await ctx.repo.update_channel(channel.id, digest_stories=int(count))
        return Reply(message(lang_, "digest_stories", count=int(count)))
    if value == "off":
        channel = await ctx.ensure_channel(command)
        await ctx.repo.update_channel(channel.id, digest_time=None)
        return Reply(message(lang_, "digest_off"))
    if not (match := _TIME.fullmatch(value)):
        return Reply(message(lang_, "digest_usage", max=MAX_DIGEST_STORIES))
    time = f"{int(match[1]):02d}:{match[2]}"
    channel = await ctx.ensure_channel(command)
    channel = await ctx.repo.update_channel(channel.id, digest_time=time)
    return Reply(message(lang_, "digest_set", time=time, timezone=channel.timezone))


async def _digest_now(command: Command, ctx: Context, lang_: str) -> Reply:
    """The digest since the previous one (or the last 24 h), at once; the daily schedule is unchanged."""
    channel = await ctx.channel(command)
    if channel is None or not await ctx.repo.subscriptions(channel.id):
        return Reply(message(lang_, "digest_nothing"))
    return Reply(posts=tuple(await ctx.digest(channel, ctx.clock())))


async def timezone(command: Command, ctx: Context) -> Reply:
    lang_ = await ctx.language(command)
    if len(command.args) != 1:
        return Reply(message(lang_, "timezone_usage"))
    name = command.args[0]
    if not is_timezone(name):
        return Reply(message(lang_, "timezone_unknown", name=shorten(name, 40)))
    channel = await ctx.ensure_channel(command)
    await ctx.repo.update_channel(channel.id, timezone=name)
    return Reply(message(lang_, "timezone_set", name=name))


async def lang(command: Command, ctx: Context) -> Reply:
    current = await ctx.language(command)
    choice = command.args[0].lower() if len(command.args) == 1 else ""
    if choice not in LANGUAGES:
        return Reply(message(current, "lang_usage"))
    channel = await ctx.ensure_channel(command)
    await ctx.repo.update_channel(channel.id, language=choice)
    return Reply(message(choice, "lang_set"))


async def show(command: Command, ctx: Context) -> Reply:
    channel = await ctx.channel(command)
    lang_ = language_of(channel)
    feeds = len(await ctx.repo.subscriptions(channel.id)) if channel else 0
    text = message(
        lang_,
        "settings",
        language=message(lang_, f"language.{lang_}"),
        timezone=channel.timezone if channel else DEFAULT_TIMEZONE,
        digest=(channel.digest_time if channel else None) or message(lang_, "off"),
        max_bullets=channel.max_bullets if channel else ctx.max_bullets,
        stories=channel.digest_stories if channel else DEFAULT_DIGEST_STORIES,
        feeds=feeds,
    )
    return Reply(text)


def is_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone known to this system (``Europe/Paris``, ``UTC``)."""
    if not name or len(name) > _TIMEZONE_MAX:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        return False
    return True
