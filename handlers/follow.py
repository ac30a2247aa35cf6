"""/follow, /unfollow, /following: the people and bodies a chat follows, whatever the feed.

- ``/follow <name>`` (group admins): from then on the chat gets the briefing of every new article, from
  any feed the bot reads, in which an actor with that name is a key actor or speaks a claim. Names are
  compared by key (`briefings.names.actor_key`): case, accents, titles, transliterations ("Lavrow") and the
  shipped cross-language forms ("Poutine"/"Putin") do not matter, and an article's actor counts under
  each of its aliases, its surname and the role the article links to it — following "Lavrov" gets an
  article naming him "Sergueï Lavrov" once, then only « le chef de la diplomatie russe ». An actor named
  once in passing (neither key actor nor speaker) does not count. A chat that also subscribes to the
  article's feed gets it once. When no briefing names that actor yet, the reply says so, with the closest
  names the actor index knows (a misspelt name is followed all the same: articles may come).
- ``/unfollow <name or number from /following>`` (group admins); ``/following`` lists them, numbered.
"""

from __future__ import annotations

from bot.models import Command, Reply
from briefings.names import actor_key
from handlers.messages import message
from handlers.router import Context, Router, language_of, shorten

MAX_FOLLOWS = 50  # per chat
MAX_NAME_CHARS = 100
CLOSEST_NAMES = 3  # suggested when no briefing names the actor yet


def register(router: Router) -> None:
    router.register("follow", follow, admin=True)
    router.register("unfollow", unfollow, admin=True)
    router.register("following", following)


async def follow(command: Command, ctx: Context) -> Reply:
    lang = await ctx.language(command)
    name = " ".join(command.args)
    if not name:
        return Reply(message(lang, "follow_usage"))
    if len(name) > MAX_NAME_CHARS:
        return Reply(message(lang, "follow_too_long", max=MAX_NAME_CHARS))
    key = actor_key(name)
    if not key:
        return Reply(message(lang, "follow_no_letters", name=shorten(name, 40)))
    channel = await ctx.ensure_channel(command)
    follows = await ctx.repo.follows(channel.id)
    known = next((shown for k, shown in follows if k == key), None)
    if known is not None:
        return Reply(message(lang, "already_following", name=known))
    if len(follows) >= MAX_FOLLOWS:
        return Reply(message(lang, "follow_limit", max=MAX_FOLLOWS))
    await ctx.repo.follow(channel.id, key, name=name)
    lines = [message(lang, "followed", name=name)]
    if await ctx.repo.indexed_name(key) is None:  # a typo? say so, and what the index knows
        lines.append(message(lang, "follow_unseen", name=name))
        if closest := await ctx.repo.closest_actor_names(key, limit=CLOSEST_NAMES):
            lines.append(message(lang, "follow_closest", names=", ".join(shorten(n, 60) for n in closest)))
    return Reply("\n".join(lines))


async def unfollow(command: Command, ctx: Context) -> Reply:
    channel = await ctx.channel(command)
    lang = language_of(channel)
    what = " ".join(command.args)
    if not what:
        return Reply(message(lang, "unfollow_usage"))
    follows = await ctx.repo.follows(channel.id) if channel else []
    if what.isdigit() and len(what) < 6:
        index = int(what) - 1
        picked = follows[index] if 0 <= index < len(follows) else None
    else:
        key = actor_key(what[:MAX_NAME_CHARS])
        picked = next(((k, shown) for k, shown in follows if k == key), None)
    if channel is None or picked is None:
        return Reply(message(lang, "unfollow_unknown", name=shorten(what, 60)))
    await ctx.repo.unfollow(channel.id, picked[0])
    return Reply(message(lang, "unfollowed", name=picked[1]))


async def following(command: Command, ctx: Context) -> Reply:
    channel = await ctx.channel(command)
    lang = language_of(channel)
    follows = await ctx.repo.follows(channel.id) if channel else []
    if not follows:
        return Reply(message(lang, "following_none"))
    lines = [message(lang, "following_header")]
    lines.extend(f"{number}. {name}" for number, (_, name) in enumerate(follows, start=1))
    return Reply("\n".join(lines))
