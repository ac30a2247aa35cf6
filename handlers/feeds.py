"""/feeds: the feeds this chat follows, numbered (the numbers /unsubscribe and /filter take), with their
keyword filter and their last error."""

from __future__ import annotations

from bot.models import Command, Reply
from handlers.messages import message
from handlers.router import Context, Router, language_of, shorten
from handlers.subscribe import feed_name

ERROR_MAX = 200
FILTER_MAX = 300


def register(router: Router) -> None:
    router.register("feeds", feeds)


async def feeds(command: Command, ctx: Context) -> Reply:
    channel = await ctx.channel(command)
    lang = language_of(channel)
    rows = await ctx.repo.subscriptions(channel.id) if channel else []
    if not rows:
        return Reply(message(lang, "feeds_none"))
    filters = await ctx.repo.subscription_filters(channel.id) if channel else {}
    lines = [message(lang, "feeds_header")]
    for number, feed in enumerate(rows, start=1):
        off = "" if feed.active else f" — {message(lang, 'feed_off')}"
        lines.append(f"{number}. {feed_name(feed)}{off}")
        if feed.id in filters:
            lines.append("   " + message(lang, "feed_filter", filter=shorten(filters[feed.id], FILTER_MAX)))
        if feed.last_error:
            lines.append("   " + message(lang, "feed_error", error=shorten(feed.last_error, ERROR_MAX)))
    return Reply("\n".join(lines))
