"""Several instances on one database: who this process is, and the leases it holds.

Work that must be done by one instance at a time is guarded by a named lease in the database
(`Repository.acquire_lease`): ``send:<platform>`` for sending a platform's outbox (so the platform's rate
limits and each chat's order hold across instances), ``listen:telegram`` for Telegram long polling (the
API answers a second poller with 409 Conflict). A lease lasts ``lease_s`` seconds; its holder renews it
every third of that, so a holder that dies (SIGKILL, a lost machine) is replaced within one lease period.
Feeds are claimed by the poll itself (`Repository.claim_due_feeds`). With SQLite and one process every
lease is simply held by that process.

A feed's claim is a lease too: `Leases.keeping_feeds` extends the claims of the feeds a poll still has in
flight every third of a lease period, so a poll that outlasts ``lease_s`` (a loaded machine, a slow feed)
does not let another instance poll the same feed meanwhile.

A lease's expiry is reckoned on the database's clock (PostgreSQL's ``now()``), never an instance's: a
machine whose clock runs ahead cannot take a live holder's lease, one running behind cannot keep a dead
one's. Feed claims are reckoned on it too (`claim_time`), and so are the next polls a poll sets and the
times of sends. The instance's clock only measures how long ago it renewed a lease (`Leases.holds`); right
before a send the outbox asks the database itself (`Leases.fence`), never that memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from bot.protocols import Repository
from bot.storage.db import describe_error

log = logging.getLogger("newsbrief.cluster")


def new_instance_id() -> str:
    """This process's id: host, pid and a random suffix (a pid is reused after a restart)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def claim_time(repo: Repository, clock: Callable[[], datetime]) -> datetime | None:
    """The time feed claims and polls are reckoned at: the database's own clock when it is shared (None: the
    repository reads it), this process's (``clock``: tests move it) with SQLite, where this process is the
    only one. A claim and the next poll a poll sets are on the same clock, whatever an instance's says."""
    return None if repo.shared else clock()


@dataclass
class Leases:
    """The leases one instance holds, renewed on demand (`holds`) and by `renew_all` (its heartbeat).
    ``clock`` dates the instance's heartbeats; leases are reckoned on the database's clock, and how
    long ago one was renewed on this process's monotonic clock (a wall clock may be stepped)."""

    repo: Repository
    holder: str
    clock: Callable[[], datetime]
    lease_s: float = 30.0
    _renewed: dict[str, float] = field(default_factory=dict)  # name → monotonic time of the renewal

    async def acquire(self, name: str) -> bool:
        """Take or renew ``name``; true when this instance holds it now. Logs when it is won or lost."""
        asked = time.monotonic()
        held = await self.repo.acquire_lease(name, holder=self.holder, lease_s=self.lease_s)
        if held and name not in self._renewed:
            log.info("instance %s now holds lease %s", self.holder, name)
        elif not held and name in self._renewed:
            log.warning("instance %s lost lease %s to another instance", self.holder, name)
        if held:
            self._renewed[name] = asked
        else:
            self._renewed.pop(name, None)
        return held

    async def holds(self, name: str) -> bool:
        """Whether this instance still holds ``name``: known without asking the database while less than a
        third of the lease has passed since the last renewal was asked for (nobody else can have taken it
        yet), else renewed. A lease not held is not taken here (see `acquire`)."""
        last = self._renewed.get(name)
        if last is None:
            return False
        if time.monotonic() - last < self.lease_s / 3:
            return True
        return await self.acquire(name)

    async def fence(self, name: str, delivery_id: int) -> bool:
        """Right before sending ``delivery_id`` under ``name``: whether this instance still holds it, asked
        of the database (never the renewal remembered here) together with the delivery still pending, the
        lease renewed by the same statement (`Repository.fence_send`)."""
        asked = time.monotonic()
        held = await self.repo.fence_send(delivery_id, lease=(name, self.holder), lease_s=self.lease_s)
        if held:
            self._renewed[name] = asked
        return held

    def claim_time(self) -> datetime | None:
        """The time feed claims are reckoned at (`claim_time`)."""
        return claim_time(self.repo, self.clock)

    @property
    def held(self) -> tuple[str, ...]:
        return tuple(sorted(self._renewed))

    async def renew_all(self) -> None:
        """Renew every lease held (a lost one is dropped, and logged)."""
        for name in self.held:
            await self.acquire(name)

    async def release(self, name: str) -> None:
        if self._renewed.pop(name, None) is not None:
            await self.repo.release_lease(name, holder=self.holder)

    @contextlib.asynccontextmanager
    async def keeping_feeds(self, polling: set[int]) -> AsyncIterator[None]:
        """While the block runs, the feeds still in ``polling`` (claimed with `Repository.claim_due_feeds`
        for ``lease_s``) stay claimed: extended every third of a lease period, as a lease is renewed. A
        poll that ends takes its feed out of the set, so the feed keeps the next time its poll set."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(self.lease_s / 3)
                try:
                    await self.repo.extend_feed_claims(
                        sorted(polling), now=self.claim_time(), lease_s=self.lease_s
                    )
                except (OSError, SQLAlchemyError, TimeoutError) as exc:  # tried again a third later
                    log.error("feed claims not extended: database unavailable (%s)", describe_error(exc))

        task = asyncio.create_task(renew())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def heartbeat(leases: Leases) -> None:
    """The instance is alive: its row's heartbeat, and every lease it holds renewed."""
    await leases.repo.heartbeat(leases.holder, host=socket.gethostname(), pid=os.getpid(), now=leases.clock())
    await leases.renew_all()
