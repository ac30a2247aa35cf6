"""Clocks for the adapters' pacing (`bot.adapters.clock.Clock`): the same pacing code on faster time."""

from __future__ import annotations

import asyncio

from bot.adapters import clock


class FastClock(clock.FastClock):
    """The runtime's `bot.adapters.clock.FastClock` (200 times faster by default) that also records the
    waits it was asked for."""

    def __init__(self, speed: float = 200.0) -> None:
        super().__init__(speed)
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        await super().sleep(seconds)


class ManualClock:
    """Virtual time that only moves when someone sleeps (for one task at a time)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds
        await asyncio.sleep(0)
