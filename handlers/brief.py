"""/brief: brief a page on demand, or show this chat's latest briefings, or search them.

- ``/brief <url>`` fetches the page through the guarded fetcher (no private networks unless the
  operator allows them) and briefs it; the briefing is answered, not stored.
- ``/brief`` or ``/brief N`` shows the latest N (default 5, at most 20) briefings of this chat's feeds, each
  with the other outlets that reported its story ("Also reported by …").
- ``/brief <words>`` shows the recent briefings whose title or an actor's name contains the words.
- On the console (``Context.local_files``), ``/brief <path>`` briefs a local file.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.models import ChannelRow, Command, Post, Reply
from briefings.engine import BriefingError
from briefings.loading import LoadError, article_from_bytes, load_path
from briefings.models import Article
from handlers.messages import also_reported, message, reported_elsewhere
from handlers.router import Context, Router, language_of, shorten

DEFAULT_COUNT = 5
MAX_COUNT = 20
_NUMBER = re.compile(r"[+-]?\d{1,9}")
ERROR_MAX = 300


def register(router: Router) -> None:
    router.register("brief", brief)


async def brief(command: Command, ctx: Context) -> Reply:
    channel = await ctx.channel(command)
    lang = language_of(channel)
    args = command.args
    if not args:
        return await _latest(ctx, channel, lang=lang, limit=DEFAULT_COUNT)
    if len(args) == 1 and _NUMBER.fullmatch(args[0]):
        count = int(args[0])
        if not 1 <= count <= MAX_COUNT:
            return Reply(message(lang, "brief_count", max=MAX_COUNT))
        return await _latest(ctx, channel, lang=lang, limit=count)
    if len(args) == 1 and "://" in args[0]:
        return await _brief_url(ctx, channel, args[0], lang=lang)
    if len(args) == 1 and ctx.local_files and await asyncio.to_thread(_is_file, args[0]):
        return await _brief_path(ctx, channel, args[0], lang=lang)
    return await _search(ctx, channel, " ".join(args), lang=lang)


async def _latest(ctx: Context, channel: ChannelRow | None, *, lang: str, limit: int) -> Reply:
    rows = await ctx.repo.recent_briefings(channel.id, limit=limit) if channel else []
    if not rows:
        return Reply(message(lang, "brief_none"))
    return Reply(posts=await _stored_posts(ctx, rows, lang=lang))


async def _search(ctx: Context, channel: ChannelRow | None, query: str, *, lang: str) -> Reply:
    rows = await ctx.repo.recent_briefings(channel.id, limit=DEFAULT_COUNT, query=query) if channel else []
    if not rows:
        return Reply(message(lang, "brief_no_match", query=shorten(query, 40)))
    return Reply(posts=await _stored_posts(ctx, rows, lang=lang))


async def _stored_posts(ctx: Context, rows: list[dict[str, Any]], *, lang: str) -> tuple[Post, ...]:
    """The posts of stored briefings, each ending with the other outlets of its story now, if any."""
    sources = await ctx.repo.story_sources([str(row["story"]) for row in rows if row.get("story")])
    posts = []
    for row in rows:
        post = Post.from_briefing_json(row)
        story = sources.get(str(row.get("story")), [])
        if reported := reported_elsewhere(story, own_feed=row.get("source")):
            post = replace(post, bullets=(*post.bullets, also_reported(lang, reported)))
        posts.append(post)
    return tuple(posts)


async def _brief_url(ctx: Context, channel: ChannelRow | None, url: str, *, lang: str) -> Reply:
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        return Reply(message(lang, "brief_scheme"))
    page = await ctx.fetcher.get(url)
    if page.error:
        return _failed(lang, page.error)
    try:
        article = await asyncio.to_thread(
            article_from_bytes, page.body, source=url, content_type=page.content_type, url=page.url
        )
    except LoadError as error:
        return _failed(lang, str(error))
    return await _briefed(ctx, channel, article, lang=lang)


async def _brief_path(ctx: Context, channel: ChannelRow | None, path: str, *, lang: str) -> Reply:
    try:
        article = await asyncio.to_thread(load_path, Path(path), source=path)
    except LoadError as error:
        return _failed(lang, str(error))
    return await _briefed(ctx, channel, article, lang=lang)


async def _briefed(ctx: Context, channel: ChannelRow | None, article: Article, *, lang: str) -> Reply:
    max_bullets = channel.max_bullets if channel else ctx.max_bullets  # the chat's, else the operator's
    try:
        briefing = await asyncio.to_thread(ctx.engine.brief, article, max_bullets=max_bullets)
    except BriefingError as error:
        return _failed(lang, str(error))
    return Reply(
        posts=(
            Post(
                title=article.title or article.url or article.source,
                bullets=tuple(briefing.bullets),
                url=article.url,
                lang=briefing.article.lang,
            ),
        )
    )


def _failed(lang: str, error: str) -> Reply:
    return Reply(message(lang, "brief_failed", error=shorten(error, ERROR_MAX)))


def _is_file(path: str) -> bool:
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False
