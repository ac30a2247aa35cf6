"""Briefing engines by name (the ``engine`` setting): kept apart from `bot.app` so that a briefing
worker's forkserver (`bot.worker_preload`) builds one without importing the rest of the bot."""

from __future__ import annotations

from collections.abc import Callable

from bot.protocols import BriefingEngine
from bot.settings import Settings
from briefings.engine import LocalEngine


def _local_engine(settings: Settings) -> BriefingEngine:
    return LocalEngine(pipelines=settings.pipelines, max_bullets=settings.max_bullets)


ENGINES: dict[str, Callable[[Settings], BriefingEngine]] = {"local": _local_engine}
"""Briefing engines by the name the ``engine`` setting gives."""


def build_engine(settings: Settings) -> BriefingEngine:
    """The briefing engine named by ``settings.engine``; an unknown name is a one-line `ValueError`."""
    try:
        return ENGINES[settings.engine](settings)
    except KeyError:
        known = ", ".join(ENGINES)
        raise ValueError(f"engine '{settings.engine}' is not available (known: {known})") from None
