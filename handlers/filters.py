"""/filter: keyword filters on a chat's subscriptions (group admins).

``/filter <feed number from /feeds> +word -"a phrase"`` keeps the feed's articles whose title or briefing
has one of the ``+`` terms (any of them; none given: every article) and none of the ``-`` terms; words and
quoted phrases, ignoring case and accents, matched on whole words (`briefings.keywords`; no pattern a
user writes is ever run as a regular expression). ``/filter <n> off`` removes it; ``/feeds`` shows it.
A filter replaces the one before. It decides what the feed sends here; an article that names someone
the chat follows (`/follow`) is sent anyway.
"""

from __future__ import annotations

from bot.models import Command, Reply
from briefings.keywords import FilterError, parse
from handlers.messages import message
from handlers.router import Context, Router, language_of, shorten
from handlers.subscribe import feed_name


def register(router: Router) -> None:
    router.register("filter", filter_, admin=True)


async def filter_(command: Command, ctx: Context) -> Reply:
    channel = await ctx.channel(command)
    lang = language_of(channel)
    if len(command.args) < 2:
        return Reply(message(lang, "filter_usage"))
    number, *terms = command.args
    feeds = await ctx.repo.subscriptions(channel.id) if channel else []
    index = int(number) - 1 if number.isdigit() and len(number) < 6 else -1
    if channel is None or not 0 <= index < len(feeds):
        return Reply(message(lang, "filter_unknown_feed", what=shorten(number, 20)))
    feed = feeds[index]
    if len(terms) == 1 and terms[0].lower() == "off":
        had = feed.id in await ctx.repo.subscription_filters(channel.id)
        await ctx.repo.set_filter(channel.id, feed.id, None)
        return Reply(message(lang, "filter_removed" if had else "filter_none", title=feed_name(feed)))
    try:
        parsed = parse(" ".join(_quoted(term) for term in terms))
    except FilterError as error:
        reason = message(lang, f"filter_error.{error.code}", value=error.value, default=str(error))
        return Reply(message(lang, "filter_bad", error=reason))
    await ctx.repo.set_filter(channel.id, feed.id, str(parsed))
    return Reply(message(lang, "filter_set", title=feed_name(feed), filter=str(parsed)))


def _quoted(term: str) -> str:
    """A term as typed: Slack's shell-like splitting gives ``-"a phrase"`` as ``-a phrase``, one argument
    with its quotes gone; they are put back (other platforms split on every space)."""
    if len(term.split()) < 2:
        return term
    sign = term[0] if term[0] in "+-" else ""
    return f'{sign}"{term[len(sign) :]}"'
