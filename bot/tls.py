"""One TLS client context for the process's HTTP clients.

Building a context reads and parses the CA bundle (certifi's, as httpx does by default): about 30 ms of CPU
each time, and every client built it anew — the page fetchers of each runtime, the two clients of each
Telegram bot. A context verifies the same way for every client and is safe to share, so it is built once.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def client_tls() -> ssl.SSLContext:
    """The verifying context httpx would build by default (CA bundle, hostname check), built once."""
    return httpx.create_ssl_context()
