"""Sending the outbox: every pending delivery goes to its platform's adapter, then is marked sent.

A delivery is recorded as pending before anything is sent (`bot.poller`), and marked sent with the platform's
message ids right after the adapter returns. A crash in between leaves it pending, so it is sent at the next
start: nothing is lost, and one marked sent is never sent again. Deliveries whose platform is not running
stay pending; permanent failures (chat gone, bot blocked) deactivate the channel.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.models import Post
from bot.protocols import ChatAdapter, DeliveryError
from bot.storage.repository import DeliveryRow, Repository

log = logging.getLogger("newsbrief.outbox")
FAULT_ENV = "NEWSBRIEF_FAULT"  # test hook: "pause-before-send" stops between pending and sent


@dataclass
class Outbox:
    repo: Repository
    adapters: Mapping[str, ChatAdapter]
    clock: Callable[[], datetime]
    max_attempts: int = 10

    batch_size: int = 1000
    max_channels: int = 256  # channels sent to at once; each channel's deliveries go one at a time

    def __post_init__(self) -> None:
        self._lock = asyncio.Lock()
        self._channels = asyncio.Semaphore(self.max_channels)

    async def flush(self) -> int:
        """Send every pending delivery whose platform is running; returns how many were sent.

        Channels are served concurrently (adapters pace each chat and the platform as a whole); within
        a channel deliveries go in order, and a failure stops that channel until the next flush, so a
        later post never overtakes an earlier one. Concurrent calls run one after another.
        """
        async with self._lock:
            sent = 0
            skipped: set[int] = set()
            while batch := [
                d
                for d in await self.repo.pending_deliveries(limit=self.batch_size + len(skipped))
                if d.id not in skipped
            ]:
                by_channel: dict[int, list[DeliveryRow]] = {}
                for delivery in batch:
                    by_channel.setdefault(delivery.channel.id, []).append(delivery)
                results = await asyncio.gather(
                    *(self._send_channel(ds, skipped) for ds in by_channel.values())
                )
                sent += sum(results)
            return sent

    async def _send_channel(self, deliveries: list[DeliveryRow], skipped: set[int]) -> int:
        sent = 0
        async with self._channels:
            for index, delivery in enumerate(deliveries):
                if not await self._send(delivery):
                    skipped.update(d.id for d in deliveries[index:])
                    break
                sent += 1
        return sent

    async def _send(self, delivery: DeliveryRow) -> bool:
        adapter = self.adapters.get(delivery.channel.platform)
        if adapter is None:
            return False
        post = _post(delivery)
        _fault_point(delivery)
        done = list(delivery.sent_parts)  # a split post resumes after the parts already delivered
        try:
            ids = await adapter.send(delivery.channel.address, post, skip=len(done))
        except DeliveryError as exc:
            permanent = exc.permanent or delivery.attempts + 1 >= self.max_attempts
            await self.repo.mark_failed(
                delivery.id, error=str(exc), permanent=permanent, sent_parts=done + exc.sent
            )
            if exc.permanent:
                await self.repo.set_channel_active(delivery.channel.id, False)
            log.warning(
                "delivery %s to %s:%s failed: %s",
                delivery.id,
                delivery.channel.platform,
                delivery.channel.chat,
                exc,
            )
            return False
        await self.repo.mark_sent(delivery.id, message_ids=done + ids, now=self.clock())
        return True


def _post(delivery: DeliveryRow) -> Post:
    data = delivery.data or {}
    post = Post.from_briefing_json(data, url=delivery.url)
    limit = delivery.channel.max_bullets
    if len(post.bullets) > limit > 1:  # keep the key-actors line, the last bullet
        post = Post(
            title=post.title,
            bullets=(*post.bullets[: limit - 1], post.bullets[-1]),
            url=post.url,
            lang=post.lang,
        )
    return post


_sends = itertools.count(1)


def _fault_point(delivery: DeliveryRow) -> None:
    """For the crash-safety tests only: announce the pending delivery on stderr and hang until killed.

    ``pause-before-send`` pauses before the first send of the process, ``pause-before-send:N`` before the
    Nth (the sends before it go out normally).
    """
    fault = os.environ.get(FAULT_ENV, "")
    if not fault.startswith("pause-before-send"):
        return
    nth = int(fault.partition(":")[2] or 1)
    if next(_sends) == nth:
        print(f"fault: delivery {delivery.id} pending, pausing before send", file=sys.stderr, flush=True)
        time.sleep(3600)
