"""Clocks for the adapters' pacing (`bot.adapters.clock.Clock`): the same pacing code on faster time."""

from __future__ import annotations

import asyncio
import time


class FastClock:
    """Real time running ``speed`` times faster: the pacing logic is unchanged, tests stay short."""

    def __init__(self, speed: float = 200.0) -> None:
        self.speed = speed
        self.waits: list[float] = []

    def now(self) -> float:
        return time.monotonic() * self.speed

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(seconds / self.speed)


class ManualClock:
    """Virtual time that only moves when someone sleeps (for one task at a time)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds
        await asyncio.sleep(0)
