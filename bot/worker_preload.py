"""The briefing workers' forkserver preloads this module (`bot.workers.start_forkserver`): importing it
there builds the engine the parent named and loads its pipelines once, then freezes the garbage collector,
so every worker forked from the server starts with them loaded and shares their memory pages.

This module's import is its only purpose: it does something only in a process whose environment carries
`bot.workers.PRELOAD_ENV` (the forkserver, started with it); imported anywhere else it does nothing.
"""

from __future__ import annotations

import gc
import json
import logging
import os
from typing import Any

from bot.protocols import BriefingEngine
from bot.workers import PRELOAD_ENV

options: dict[str, Any] | None = None  # the engine's options (`bot.settings.Settings` fields)
engine: BriefingEngine | None = None  # built and loaded from them


def load(wanted: dict[str, Any]) -> BriefingEngine:
    """The engine of ``wanted`` options with its pipelines loaded (the local engine loads on first use)."""
    from bot.engines import build_engine
    from bot.settings import Settings

    built = build_engine(Settings(**wanted))
    nlp = getattr(built, "nlp", None)
    if nlp is not None:
        for lang in built.languages:
            nlp(lang)
    return built


if (_named := os.environ.get(PRELOAD_ENV)) is not None:
    options = json.loads(_named)
    try:
        engine = load(options)
    except Exception as exc:  # e.g. a pipeline not installed: each worker fails on it with its reason
        logging.getLogger("newsbrief.workers").error("briefing engine not preloaded: %s", exc)
    gc.freeze()  # what is loaded stays out of the collector: the workers' copy-on-write pages stay shared
