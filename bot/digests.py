"""Daily digests: when each chat's is due, what it holds, and how it is sent exactly once.

- **When**: a chat's ``digest_time`` (HH:MM) in its ``timezone`` is an APScheduler `CronTrigger`, so fire
  times follow daylight-saving changes. `last_fire_time` is the latest fire time at or before ``now``.
- **Once**: a digest is identified by (channel, local date of its fire time). `send_due_digest` records it
  with all its messages as outbox deliveries in one transaction (`Repository.record_digest`) before
  anything is sent; a second trigger of the same digest finds the record and does nothing, and a crash
  mid-digest leaves only the unsent messages pending.
- **Late**: a digest found due more than ``grace`` after its fire time (the bot was down) is recorded as
  skipped and logged, never sent late.
- **What**: the briefings stored since the chat's previous digest (or the last 24 h), grouped by the story
  each was given when it was stored (`bot.story_index`; older ones without a story are clustered here with
  `briefings.stories`), ranked, the top ``digest_stories`` each one post: ``i/n · title``,
  the merged bullets, and a line naming its sources.
"""

from __future__ import annotations

import heapq
import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.models import ChannelRow, Post
from bot.protocols import Repository
from briefings.stories import Story, StoryClusterer, merge_story, rank_stories, score_bound, story_score
from handlers.messages import LANGUAGES, message

log = logging.getLogger("newsbrief.digests")

GRACE = timedelta(hours=6)
DEFAULT_SPAN = timedelta(hours=24)
SOURCES_SHOWN = 5
CANDIDATES = 3  # stories merged per place in the digest, at least: room for the diversity rule
Outcome = Literal["sent", "skipped", "already", "not due"]


def digest_trigger(channel: ChannelRow) -> CronTrigger | None:
    """The channel's daily digest as a cron trigger in its timezone; None when digests are off."""
    if not channel.digest_time:
        return None
    hour, minute = channel.digest_time.split(":")
    return CronTrigger(hour=int(hour), minute=int(minute), timezone=ZoneInfo(channel.timezone))


def last_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest time at or before ``now`` that ``trigger`` fires (within the last two days)."""
    latest = None
    fire = trigger.get_next_fire_time(None, now - timedelta(days=2))
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


async def send_due_digests(
    repo: Repository, *, now: datetime, grace: timedelta = GRACE
) -> dict[int, Outcome]:
    """`send_due_digest` for every active channel that has digests on; outcome per channel id."""
    return {
        channel.id: await send_due_digest(repo, channel, now=now, grace=grace)
        for channel in await repo.list_channels(active_only=True)
        if channel.digest_time
    }


async def send_due_digest(
    repo: Repository, channel: ChannelRow, *, now: datetime, grace: timedelta = GRACE
) -> Outcome:
    """Queue the channel's latest due digest unless it was already recorded (see the module docstring).

    The messages go out with the next `bot.outbox.Outbox.flush`.
    """
    trigger = digest_trigger(channel)
    fire = last_fire_time(trigger, now) if trigger else None
    if fire is None or fire < channel.created_at:
        return "not due"
    local_date = fire.astimezone(ZoneInfo(channel.timezone)).date().isoformat()
    if await repo.digest_recorded(channel.id, local_date):
        return "already"
    if now - fire > grace:
        if await repo.record_digest(
            channel.id, local_date=local_date, scheduled_for=fire, since=None, parts=(), skipped=True, now=now
        ):
            log.warning(
                "digest of %s:%s for %s skipped: due at %s, %s late (grace %s)",
                channel.platform,
                channel.chat,
                local_date,
                fire.isoformat(),
                now - fire,
                grace,
            )
            return "skipped"
        return "already"
    since = await repo.last_digest(channel.id) or fire - DEFAULT_SPAN
    posts = await digest_posts(repo, channel, since=since, now=now)
    parts = [asdict(post) for post in posts]
    recorded = await repo.record_digest(
        channel.id, local_date=local_date, scheduled_for=fire, since=since, parts=parts, now=now
    )
    return "sent" if recorded else "already"


async def digest_now(repo: Repository, channel: ChannelRow, now: datetime) -> list[Post]:
    """The channel's digest at ``now`` (``/digest now``): since its previous one, or over the last day."""
    since = await repo.last_digest(channel.id) or now - DEFAULT_SPAN
    return await digest_posts(repo, channel, since=since, now=now)


async def digest_posts(
    repo: Repository, channel: ChannelRow, *, since: datetime, now: datetime
) -> list[Post]:
    """The posts of the channel's digest over the briefings stored since ``since``."""
    items = await repo.briefings_since(channel.id, since=since)
    lang = channel.language if channel.language in LANGUAGES else "en"
    if not items:
        return [
            Post(title=message(lang, "digest_title"), bullets=(message(lang, "digest_empty"),), lang=lang)
        ]
    stories = top_stories(
        items, limit=channel.digest_stories, now=now, max_bullets=max(channel.max_bullets - 1, 2)
    )  # one bullet is left for the sources line
    return [story_post(story, index=i, total=len(stories), lang=lang) for i, story in enumerate(stories, 1)]


def top_stories(items: list[dict[str, Any]], *, limit: int, now: datetime, max_bullets: int) -> list[Story]:
    """Group stored briefings into stories — by their stored story id, else clustered oldest first, as
    they arrived — merge and rank them.

    Only stories that can make the top are merged: clusters go in order of `score_bound`, and merging
    stops once ``CANDIDATES × limit`` are merged and no cluster left can beat the ``limit``-th score.
    """
    clusterer = StoryClusterer()
    by_key: dict[str, dict[str, Any]] = {}
    stored: dict[str, list[str]] = {}  # story id -> keys: the stories given at ingest (bot.story_index)
    dated = sorted(items, key=lambda d: (d.get("published") or "", d.get("id") or 0))
    for item in dated:
        key = item.get("url") or f"briefing:{item.get('id')}"
        by_key[key] = {**item, "url": key}
        if story := item.get("story"):
            stored.setdefault(str(story), []).append(key)
        else:  # stored before stories were given at ingest
            clusterer.add(key, by_key[key])

    def bound(keys: list[str]) -> float:
        latest = max((by_key[k].get("published") or "" for k in keys), default="")
        return score_bound(len(keys), datetime.fromisoformat(latest) if latest else None, now=now)

    merged: list[Story] = []
    best: list[float] = []  # a min-heap of the `limit` best scores so far
    groups = [*stored.values(), *clusterer.stories()]
    for keys, ceiling in sorted(((k, bound(k)) for k in groups), key=lambda p: -p[1]):
        if len(merged) >= CANDIDATES * limit and ceiling < best[0]:
            break
        story = merge_story([by_key[k] for k in keys], max_bullets=max_bullets)
        merged.append(story)
        heapq.heappush(best, story_score(story, now=now))
        if len(best) > limit:
            heapq.heappop(best)
    return rank_stories(merged, limit=limit, now=now)


def story_post(story: Story, *, index: int, total: int, lang: str) -> Post:
    """One story of a digest: ``i/n · title``, its merged bullets, then its sources with their links."""
    sources = story.sources[:SOURCES_SHOWN]
    listed = ", ".join(f"{s.outlet} ({s.url})" if s.outlet else s.url for s in sources)
    key = "digest_sources" if len(story.sources) > 1 else "digest_source"
    line = message(lang, key, n=len(story.sources), list=listed)
    title = story.briefing.article.title or (sources[0].title if sources else None) or ""
    return Post(
        title=f"{index}/{total} · {title}",
        bullets=(*story.briefing.bullets, line),
        url=None,
        lang=story.briefing.article.lang,
    )
