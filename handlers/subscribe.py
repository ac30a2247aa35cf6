"""/subscribe and /unsubscribe: which feeds this chat (or thread) follows.

``/subscribe`` takes a feed URL or a page that announces its feed (``<link rel="alternate">``); only
http(s), fetched through the guarded fetcher. ``/unsubscribe`` takes the feed's URL or its number in
``/feeds``. Both are for group admins.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.models import Command, FeedRow, Reply
from handlers.messages import message
from handlers.router import Context, Router, language_of, shorten

ERROR_MAX = 300


def register(router: Router) -> None:
    router.register("subscribe", subscribe, admin=True)
    router.register("unsubscribe", unsubscribe, admin=True)


async def subscribe(command: Command, ctx: Context) -> Reply:
    lang = await ctx.language(command)
    if len(command.args) != 1:
        return Reply(message(lang, "subscribe_usage"))
    url = command.args[0]
    if not _is_http(url):
        return Reply(message(lang, "subscribe_scheme"))
    feed_url, title, error = await ctx.find_feed(url)
    if error:
        return Reply(message(lang, "subscribe_failed", error=shorten(error, ERROR_MAX)))
    feed = await ctx.repo.add_feed(feed_url, title=title)
    channel = await ctx.ensure_channel(command)
    added = await ctx.repo.subscribe(channel.id, feed.id)
    name = feed_name(feed)
    if not feed.active:  # it was turned off after errors, but it answered just now: back on
        await ctx.repo.reactivate_feed(feed.id)
        return Reply(message(lang, "subscribed_revived", title=name))
    return Reply(message(lang, "subscribed" if added else "already_subscribed", title=name))


async def unsubscribe(command: Command, ctx: Context) -> Reply:
    channel = await ctx.channel(command)
    lang = language_of(channel)
    if len(command.args) != 1:
        return Reply(message(lang, "unsubscribe_usage"))
    what = command.args[0]
    feeds = await ctx.repo.subscriptions(channel.id) if channel else []
    feed = _pick(feeds, what)
    if channel is None or feed is None:
        return Reply(message(lang, "unsubscribe_unknown", what=shorten(what, 60)))
    await ctx.repo.unsubscribe(channel.id, feed.id)
    return Reply(message(lang, "unsubscribed", title=feed_name(feed)))


def feed_name(feed: FeedRow) -> str:
    """How a feed is named in replies: its title and URL, or the URL alone."""
    return f"{shorten(feed.title, 80)} ({feed.url})" if feed.title else feed.url


def _pick(feeds: list[FeedRow], what: str) -> FeedRow | None:
    """The feed numbered ``what`` in /feeds (1-based, the order of `Repository.subscriptions`), or by URL."""
    if what.isdigit() and len(what) < 6:
        index = int(what) - 1
        return feeds[index] if 0 <= index < len(feeds) else None
    return next((f for f in feeds if f.url == what), None)


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
