"""Sending the outbox: every pending delivery goes to its platform's adapter, then is marked sent.

A delivery is recorded as pending before anything is sent (`bot.poller`), and marked sent with the platform's
message ids right after the adapter returns. A crash in between leaves it pending, so it is sent again at the
next start: delivery is at least once, and one marked sent is never sent again.

Failures:
- transient (platform unreachable, 5xx, 429 not waited out): the channel waits (``retry_at``), exponential
  backoff with jitter capped at ``max_backoff_s``; its later deliveries wait with it, so order holds. After
  ``retry_s`` of failing, the delivery is given up (``failed``) and the channel's next one is tried.
- permanent (bot blocked, chat not found): the channel is deactivated and its pending deliveries are
  ``dropped``; a chat that talks to the bot again is reactivated (`Repository.upsert_channel`).
Deliveries whose platform is not running, or whose channel waits or is inactive, are not read at all.

Several instances (`bot.cluster`): with ``leases``, a platform's deliveries are sent only by the instance
holding its ``send:<platform>`` lease — one sender per bot, so each chat's order and the platform's rate
limits hold across instances, and another instance takes over within a lease period when it dies. Right
before each send, one statement checks on the database's clock that this instance still holds the lease
and the delivery is still pending, and renews the lease (`Leases.fence`); a delivery is marked sent (or
its failure recorded) only while its sender still holds the lease. A late sender whose lease was taken
over (it stalled, lost the database a while) therefore stops before its next send and marks nothing.
What remains: a send that has passed its fence goes out even if the sender then stalls for more than a
whole lease period before the platform receives it (the adapter's pacing and rate-limit waits — seconds
at Telegram's limits — or a frozen process); another instance may then send that delivery too, and only
one of the two marks it. Delivery stays at least once, never twice except across such a stall.
An instance that wins the lease first learns from the database what was sent on the platform lately
(`_catch_up`), so the rate limits hold across the handover too.

Replies to commands are not deliveries: the instance that took the command answers at once through its
own adapter, outside the sending lease (a user waits for them; the outbox is polled every few seconds).
They are paced by that instance's adapter only, so a reply may come less than a second after a post from
the sending instance to the same chat; Telegram answers such an excess with 429 and a retry time, which
the adapter waits out and sends again. In long polling mode one instance takes all the commands.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import random
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.cluster import Leases
from bot.models import Post
from bot.protocols import ChatAdapter, DeliveryError
from bot.storage.repository import DeliveryRow, Repository
from handlers.messages import also_reported

log = logging.getLogger("newsbrief.outbox")
FAULT_ENV = "NEWSBRIEF_FAULT"  # test hook: "pause-before-send" stops between pending and sent


@dataclass
class Outbox:
    """Sends pending deliveries; ``retry_s``, ``backoff_s``, ``max_backoff_s`` rule transient failures."""

    repo: Repository
    adapters: Mapping[str, ChatAdapter]
    clock: Callable[[], datetime]
    retry_s: float = 24 * 3600
    backoff_s: float = 5
    max_backoff_s: float = 3600

    leases: Leases | None = None  # several instances: send a platform only while holding its lease
    batch_size: int = 1000
    max_channels: int = 256  # channels sent to at once; each channel's deliveries go one at a time

    def __post_init__(self) -> None:
        self._lock = asyncio.Lock()
        self._channels = asyncio.Semaphore(self.max_channels)
        self._sending = 0  # sends between the adapter's call and the database's answer

    async def flush(self) -> int:
        """Send every pending delivery whose platform is running; returns how many were sent.

        Channels are served concurrently (adapters pace each chat and the platform as a whole); within
        a channel deliveries go in order, and a failure stops that channel until the next flush, so a
        later post never overtakes an earlier one. Concurrent calls run one after another.
        """
        async with self._lock:
            sent = 0
            skipped: set[int] = set()
            now, platforms = self.clock(), [p for p in sorted(self.adapters) if await self._leads(p)]
            while batch := [
                d
                for d in await self.repo.pending_deliveries(
                    limit=self.batch_size + len(skipped), now=now, platforms=platforms
                )
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

    async def _leads(self, platform: str) -> bool:
        """Whether this instance sends ``platform`` now (it holds or has just won its lease)."""
        if self.leases is None:
            return True
        name = f"send:{platform}"
        won = name not in self.leases.held
        if not await self.leases.acquire(name):
            return False
        if won:
            await self._catch_up(platform)
        return True

    async def _catch_up(self, platform: str) -> None:
        """This instance has just taken ``platform``'s sending over (from a dead or stopped instance, or
        its own previous run): its adapter learns what was sent there lately, so the platform's limits
        (Telegram: 20 messages a minute in a group) hold across the handover."""
        adapter = self.adapters[platform]
        tell = getattr(adapter, "sent_elsewhere", None)
        if tell is not None:
            tell(await self.repo.recent_sends(platform, within_s=adapter.history_s))  # type: ignore[attr-defined]

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
        if _fault_due():
            while self._sending:  # the crash comes with no other send in flight (see _fault_due)
                await asyncio.sleep(0.01)
            _pause(delivery)
        channel = delivery.channel
        lease = None
        if self.leases is not None:
            lease = (f"send:{channel.platform}", self.leases.holder)
            if not await self.leases.fence(lease[0], delivery.id):
                return False  # taken over (the new holder sends it), or sent already
        self._sending += 1
        try:
            return await self._deliver(delivery, adapter, post, lease=lease)
        finally:
            self._sending -= 1

    async def _deliver(
        self, delivery: DeliveryRow, adapter: ChatAdapter, post: Post, *, lease: tuple[str, str] | None
    ) -> bool:
        """Send, then mark sent (or record the failure)."""
        done = list(delivery.sent_parts)  # a split post resumes after the parts already delivered
        channel = delivery.channel
        try:
            ids = await adapter.send(channel.address, post, skip=len(done))
        except DeliveryError as exc:
            await self._failed(delivery, exc, sent_parts=done + exc.sent, lease=lease)
            return False
        # under a lease, sent at the database's time: the clock every instance's `recent_sends` reads
        now = None if lease is not None else self.clock()
        marked = await self.repo.mark_sent(delivery.id, message_ids=done + ids, now=now, lease=lease)
        if not marked and lease is not None:
            log.warning(
                "delivery %d sent, not marked: no longer pending or %s taken over", delivery.id, lease[0]
            )
            return False
        if channel.retry_at is not None:
            await self.repo.set_channel_retry(channel.id, None)
        return True

    async def _failed(
        self,
        delivery: DeliveryRow,
        exc: DeliveryError,
        *,
        sent_parts: list[str],
        lease: tuple[str, str] | None,
    ) -> None:
        """Record the failure, then make the channel wait (or drop it) — only if it was recorded: a late
        sender whose lease was taken over changes nothing (the new holder tries, and records, itself)."""
        channel, now = delivery.channel, self.clock()
        where = f"delivery {delivery.id} to {channel.platform}:{channel.chat}"
        since = delivery.failing_since or now
        give_up = not exc.permanent and now - since >= timedelta(seconds=self.retry_s)
        recorded = await self.repo.mark_failed(
            delivery.id,
            error=str(exc),
            permanent=give_up,
            sent_parts=sent_parts,
            now=None if exc.permanent else now,
            lease=lease,
        )
        if not recorded:
            taken = f" or {lease[0]} taken over" if lease else ""
            log.warning("%s failed, not recorded (no longer pending%s): %s", where, taken, exc)
            return
        if exc.permanent:
            dropped = await self.repo.drop_channel(channel.id, reason=str(exc))
            log.warning("%s refused: %s; channel deactivated, %d delivery(ies) dropped", where, exc, dropped)
        elif give_up:
            log.warning("%s failed for %s, given up: %s", where, now - since, exc)
        else:
            wait = self.backoff(delivery.attempts + 1)
            await self.repo.set_channel_retry(channel.id, now + timedelta(seconds=wait))
            log.warning(
                "%s failed (attempt %d), retrying in %.0f s: %s", where, delivery.attempts + 1, wait, exc
            )

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after the ``attempt``-th failure: doubling from ``backoff_s``, capped at
        ``max_backoff_s``, with jitter (between half and all of it) so channels do not retry in step."""
        ceiling = min(self.max_backoff_s, self.backoff_s * 2 ** min(attempt - 1, 32))
        return ceiling * random.uniform(0.5, 1.0)


def _post(delivery: DeliveryRow) -> Post:
    """The post of a delivery: at most the channel's bullets (the key-actors line, the last one, kept),
    then the briefing's ``note`` if any (e.g. the article was cut before briefing), then the other outlets
    of its story when it was stored (``also_reported``), in the chat's language."""
    data = delivery.data or {}
    post = Post.from_briefing_json(data, url=delivery.url)
    bullets = post.bullets
    limit = delivery.channel.max_bullets
    if len(bullets) > limit > 1:  # keep the key-actors line, the last bullet
        bullets = (*bullets[: limit - 1], bullets[-1])
    if note := data.get("note"):
        bullets = (*bullets, note)
    if reported := data.get("also_reported"):
        bullets = (*bullets, also_reported(delivery.channel.language, reported))
    return replace(post, bullets=bullets) if bullets != post.bullets else post


_sends = itertools.count(1)


def _fault_due() -> bool:
    """For the crash-safety tests only: whether this send is where the process pauses until killed.

    ``pause-before-send`` pauses before the first send of the process, ``pause-before-send:N`` before the
    Nth (the sends before it go out normally). The pause waits for the sends already in flight to other
    chats to be marked first, so the kill leaves nothing between "sent" and "marked" (such a send would
    rightly be sent again: delivery is at least once).
    """
    fault = os.environ.get(FAULT_ENV, "")
    if not fault.startswith("pause-before-send"):
        return False
    return next(_sends) == int(fault.partition(":")[2] or 1)


def _pause(delivery: DeliveryRow) -> None:
    """Announce the pending delivery on stderr and hang (the whole process) until killed."""
    print(f"fault: delivery {delivery.id} pending, pausing before send", file=sys.stderr, flush=True)
    time.sleep(3600)
