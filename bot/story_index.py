"""Stories at ingest: each new briefing is put in its story as it is stored, so posts can say who else
reported it and digests only group by the stored story.

`StoryIndex` wraps the incremental clusterer of `briefings.stories` (the one digests used on a day's
briefings). It is seeded with the briefings stored in the last ``window`` (48 h) the first time it is used,
and rebuilt that way every ``rebuild_every`` (24 h), so its memory holds at most three days of articles.
With a shared database (several instances), it first takes in the briefings the other instances stored
since it last looked (at most every ``catch_up_s``), so they share stories.

A story's id is the stored one of its first article when that article was seeded from the database, else
a hash of the first article's key (its URL): the same on every instance, known before the article is
stored, so the article and its story go in one transaction. Articles stored before stories existed have
none; they keep one the clusterer gives them in memory.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.protocols import Repository
from briefings.stories import StoryClusterer

log = logging.getLogger("newsbrief.stories")

WINDOW = timedelta(hours=48)
REBUILD_EVERY = timedelta(hours=24)


def story_id(key: str) -> str:
    """The id of a story first reported by the article named ``key``: 16 hex digits."""
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


@dataclass
class StoryIndex:
    """Assigns stories to new briefings (see the module docstring). One per process (the poller's)."""

    repo: Repository
    clock: Callable[[], datetime]
    window: timedelta = WINDOW
    rebuild_every: timedelta = REBUILD_EVERY
    catch_up_s: float = 30.0
    _clusterer: StoryClusterer = field(default_factory=StoryClusterer, init=False, repr=False)
    _ids: dict[str, str] = field(default_factory=dict, init=False, repr=False)  # clusterer story -> id
    _built_at: datetime | None = field(default=None, init=False, repr=False)
    _caught_up_at: datetime | None = field(default=None, init=False, repr=False)
    _last_id: int = field(default=0, init=False, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    async def assign(self, key: str, data: dict[str, Any]) -> str:
        """The story id of the briefing ``data`` (its stored JSON with ``"feed"``, the outlet) of the
        article named ``key`` (`bot.storage.repository.story_key`). Assigning a key again gives its story."""
        async with self._lock:
            now = self.clock()
            if self._built_at is None or now - self._built_at >= self.rebuild_every:
                await self._rebuild(now)
            elif self.repo.shared and (
                self._caught_up_at is None or (now - self._caught_up_at).total_seconds() >= self.catch_up_s
            ):
                await self._take_in(now - self.window)
                self._caught_up_at = now
            story = self._clusterer.add(key, data)
            return self._ids.setdefault(story, story_id(story))

    async def _rebuild(self, now: datetime) -> None:
        self._clusterer, self._ids, self._last_id = StoryClusterer(), {}, 0
        await self._take_in(now - self.window)
        self._built_at = self._caught_up_at = now

    async def _take_in(self, since: datetime) -> None:
        """Add the briefings stored since ``since`` that this index has not seen, with their stored stories."""
        while rows := await self.repo.stories_since(since=since, after_id=self._last_id, limit=5000):
            for row in rows:
                try:
                    story = self._clusterer.add(row["key"], row)
                except (KeyError, TypeError, ValueError) as error:  # a briefing JSON of another shape
                    log.warning("briefing %s left out of the story index (%r)", row.get("id"), error)
                    continue
                if row.get("story"):
                    self._ids.setdefault(story, row["story"])
            self._last_id = rows[-1]["id"]
            if len(rows) < 5000:
                return
