"""The real clock of the adapters' pacing (the `bot.protocols.Clock` contract); tests inject a faster one."""

from __future__ import annotations

import asyncio
import time

from bot.protocols import Clock as Clock  # where the pacing code looks for it


class MonotonicClock:
    """The real clock: `time.monotonic` and `asyncio.sleep`."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
