"""Chat commands, platform-neutral: each module registers its own commands with ``register(router)``.

`register_all` is the one list of command modules; the order of registration is the order of `/help`.
"""

from __future__ import annotations

from handlers import brief, feeds, filters, follow, help, said, settings, subscribe
from handlers.router import Router


def register_all(router: Router) -> Router:
    """Register every command on ``router`` (and return it, for ``register_all(Router())``)."""
    for module in (help, brief, said, follow, subscribe, feeds, filters, settings):
        module.register(router)
    return router
