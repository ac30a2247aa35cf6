"""A local stand-in for the Slack Web API: a real aiohttp server on 127.0.0.1 at ``/api/<method>``.

It checks what the real API checks for the calls newsbrief makes (token, channel, Block Kit limits) and
answers like Slack does (HTTP 200 with ``{"ok": false, "error": …}``, or HTTP 429 with ``Retry-After``).
apps.connections.open hands out a WebSocket at ``/link`` speaking the Socket Mode envelope protocol.
Accepted messages are recorded in ``messages``; replies to slash-command ``response_url``s in ``responses``.

Usage (import ``fake_slack_fixture`` into the test module; tests ask for ``fake_slack``)::

    async def test_x(fake_slack: FakeSlack) -> None:
        client = AsyncWebClient(token=fake_slack.token, base_url=fake_slack.api_url)
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import WSMsgType, web

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_TEXT = 40000


@dataclass(frozen=True, slots=True)
class Message:
    """One message chat.postMessage accepted."""

    channel: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    ts: str


@dataclass(slots=True)
class Channel:
    member: bool = True
    archived: bool = False


@dataclass(slots=True)
class FakeSlack:
    """The fake's state; tests read ``messages``/``responses`` and arrange ``channels``/``users``/limits."""

    token: str = "xoxb-test-token"
    app_token: str = "xapp-test-token"
    channels: dict[str, Channel] = field(
        default_factory=lambda: {
            "C_NEWS": Channel(),
            "C_OUT": Channel(member=False),
            "C_OLD": Channel(archived=True),
        }
    )
    users: dict[str, dict[str, bool]] = field(
        default_factory=lambda: {
            "U_ADMIN": {"is_admin": True, "is_owner": False},
            "U_OWNER": {"is_admin": False, "is_owner": True},
            "U_MEMBER": {"is_admin": False, "is_owner": False},
        }
    )
    messages: list[Message] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    rate_limited: int = 0
    url: str = ""
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _envelopes: itertools.count = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A ``response_url`` to put in a slash-command payload; replies land in ``responses``."""
        return f"{self.url}/response/{name}"

    def rate_limit_next(self, count: int) -> None:
        """Answer the next ``count`` API requests with HTTP 429 and ``Retry-After: 1``."""
        self.rate_limited = count

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Push a Socket Mode envelope (``slash_commands``, ``events_api``…) to the connected app."""
        if not self.sockets:
            raise RuntimeError("no Socket Mode connection")
        envelope_id = f"env-{next(self._envelopes)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": True,
        }
        await self.sockets[-1].send_json(envelope)
        return envelope_id

    async def stop(self) -> None:
        for socket in list(self.sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---- request handling ---------------------------------------------------------------------------

    async def _arguments(self, request: web.Request) -> dict[str, Any]:
        arguments: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            arguments.update(await request.json())
        elif request.can_read_body:
            arguments.update(await request.post())
        return arguments

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(method)
        if self.rate_limited > 0:
            self.rate_limited -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        authorization = request.headers.get("Authorization", "")
        if not authorization:
            return _error("not_authed")
        if method == "apps.connections.open":  # the only method taking the app-level token
            if authorization != f"Bearer {self.app_token}":
                return _error("invalid_auth")
            return web.json_response({"ok": True, "url": self.url.replace("http", "ws", 1) + "/link"})
        if authorization != f"Bearer {self.token}":
            return _error("invalid_auth")
        arguments = await self._arguments(request)
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "url": "https://fake.slack.com/",
                    "team": "Fake",
                    "user": "newsbrief",
                    "team_id": "T_FAKE",
                    "user_id": "U_BOT",
                    "bot_id": "B_BOT",
                }
            )
        if method == "users.info":
            user = self.users.get(str(arguments.get("user", "")))
            if user is None:
                return _error("user_not_found")
            return web.json_response({"ok": True, "user": {"id": arguments["user"], **user}})
        if method == "chat.postMessage":
            return self._post_message(arguments)
        return _error("unknown_method")

    def _post_message(self, arguments: dict[str, Any]) -> web.Response:
        channel = str(arguments.get("channel") or "")
        if not channel:
            return _error("channel_not_found")
        state = self.channels.get(channel)
        if state is None:
            return _error("channel_not_found")
        if state.archived:
            return _error("is_archived")
        if not state.member:
            return _error("not_in_channel")
        text = arguments.get("text")
        blocks = arguments.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not text and not blocks:
            return _error("no_text")
        if text is not None and len(text) > MAX_TEXT:
            return _error("msg_too_long")
        if blocks is not None and not _valid_blocks(blocks):
            return _error("invalid_blocks")
        ts = f"1700000000.{next(self._ts):06d}"
        thread_ts = arguments.get("thread_ts") or None
        self.messages.append(Message(channel=channel, text=text, blocks=blocks, thread_ts=thread_ts, ts=ts))
        return web.json_response({"ok": True, "channel": channel, "ts": ts, "message": {"text": text}})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": len(self.sockets)})
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(message.data))
        finally:
            self.sockets.remove(socket)
        return socket

    async def _response(self, request: web.Request) -> web.Response:
        self.responses.append({"name": request.match_info["name"], **(await request.json())})
        return web.Response(text="ok")


def _error(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error})


def _valid_text(obj: Any, *, kinds: tuple[str, ...], limit: int) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("type") in kinds
        and isinstance(obj.get("text"), str)
        and 1 <= len(obj["text"]) <= limit
    )


def _valid_blocks(blocks: Any) -> bool:
    if not isinstance(blocks, list) or not 1 <= len(blocks) <= MAX_BLOCKS:
        return False
    for block in blocks:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "header":
            ok = _valid_text(block.get("text"), kinds=("plain_text",), limit=MAX_HEADER_TEXT)
        elif kind == "section":
            ok = _valid_text(block.get("text"), kinds=("plain_text", "mrkdwn"), limit=MAX_SECTION_TEXT)
        elif kind == "context":
            elements = block.get("elements")
            ok = (
                isinstance(elements, list)
                and 1 <= len(elements) <= 10
                and all(
                    _valid_text(e, kinds=("plain_text", "mrkdwn"), limit=MAX_SECTION_TEXT) for e in elements
                )
            )
        elif kind == "divider":
            ok = True
        else:
            ok = False
        if not ok:
            return False
    return True


@pytest.fixture(name="fake_slack")
async def fake_slack_fixture() -> AsyncIterator[FakeSlack]:
    """A started fake Slack Web API, stopped after the test."""
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
