"""The real clock of the adapters' pacing (the `bot.protocols.Clock` contract); tests inject a faster one."""

from __future__ import annotations

import asyncio
import os
import time

from bot.protocols import Clock as Clock  # where the pacing code looks for it


class MonotonicClock:
    """The real clock: `time.monotonic` and `asyncio.sleep`."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


SPEED_ENV = "NEWSBRIEF_TEST_CLOCK_SPEED"  # test hook: `newsbrief run` processes pace on faster time


class FastClock:
    """Real time running ``speed`` times faster (tests): the same pacing code, the limits ``speed`` times
    shorter in real seconds. Read from the same system-wide monotonic clock by every process."""

    def __init__(self, speed: float) -> None:
        self.speed = speed

    def now(self) -> float:
        return time.monotonic() * self.speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speed)


def pacing_clock() -> Clock | None:
    """The pacing clock a test asked for in `SPEED_ENV` (a `FastClock`), else ``None``: the real one."""
    speed = os.environ.get(SPEED_ENV)
    return FastClock(float(speed)) if speed else None
