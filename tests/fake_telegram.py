"""A local stand-in for the Telegram Bot API, strict where Telegram is strict.

It is a real HTTP server (aiohttp, 127.0.0.1, a free port) answering ``/bot<TOKEN>/<method>`` the way
api.telegram.org does, so tests drive the real python-telegram-bot client against it:

- ``sendMessage`` checks ``chat_id`` and ``text``, parses ``parse_mode=HTML`` like Telegram (only the
  supported tags; ``&lt; &gt; &amp; &quot;`` and numeric entities; a stray ``<`` or ``&``, an unknown tag or
  broken nesting is a 400 "can't parse entities"), measures the parsed text in UTF-16 code units (more than
  4,096 is a 400 "message is too long") and records each accepted message as a `SentMessage`;
- ``getMe``, ``getUpdates`` (queued updates, honouring ``offset``), ``getChatMember`` (a status table),
  ``setWebhook`` / ``deleteWebhook`` / ``getWebhookInfo``;
- faults on demand: `FakeTelegram.rate_limit` answers 429 with ``retry_after``, `FakeTelegram.block` makes
  a chat answer 403 "bot was blocked by the user".

Use it through the ``fake_telegram`` fixture (import it into the test module)::

    async def test_send(fake_telegram):
        bot = Bot(fake_telegram.token, base_url=fake_telegram.base_url)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

TOKEN = "123456:TEST-token"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Newsbrief",
    "username": "newsbrief_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
MAX_TEXT = 4096

# Tag name → MessageEntity type (https://core.telegram.org/bots/api#html-style).
ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")


class ParseError(ValueError):
    """Why Telegram would refuse the markup (the tail of its "can't parse entities: …" description)."""


def utf16_len(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (a character outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entities(raw: str, start: int) -> str:
    """Decode ``&…;`` entities the way Telegram does; a bare ``&`` or an unknown name is an error."""
    out: list[str] = []
    i = 0
    while True:
        j = raw.find("&", i)
        if j < 0:
            out.append(raw[i:])
            return "".join(out)
        out.append(raw[i:j])
        match = _ENTITY.match(raw, j)
        if match is None:
            raise ParseError(f'Character "&" must be escaped at character offset {start + j}')
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name not in NAMED_ENTITIES:
                raise ParseError(f'Unsupported HTML entity "&{name};" at character offset {start + j}')
            out.append(NAMED_ENTITIES[name])
        else:
            code = int(decimal) if decimal is not None else int(hexadecimal, 16)
            if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise ParseError(f"Invalid character code {code} at character offset {start + j}")
            out.append(chr(code))
        i = match.end()


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: the plain text and its entities (offsets/lengths in UTF-16 units).

    Raises `ParseError` for an unsupported tag or attribute, an unescaped ``<`` or ``&``, or a close tag
    that does not match the innermost open one.
    """
    plain: list[str] = []
    length = 0  # UTF-16 units emitted so far
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(text):
        lt = text.find("<", i)
        chunk = text[i:] if lt < 0 else text[i:lt]
        decoded = _decode_entities(chunk, i)
        plain.append(decoded)
        length += utf16_len(decoded)
        if lt < 0:
            break
        match = _TAG.match(text, lt)
        if match is None:
            raise ParseError(f'Unexpected "<" (unescaped) at character offset {lt}')
        closing, name, attr_text = match.group(1) == "/", match.group(2).lower(), match.group(3)
        if name not in ENTITY_TYPES:
            kind = "end" if closing else "start"
            raise ParseError(f'Unsupported {kind} tag "{name}" at character offset {lt}')
        if closing:
            if not stack:
                raise ParseError(f'Unexpected end tag "{name}" at character offset {lt}')
            open_name, offset, attrs = stack.pop()
            if open_name != name:
                raise ParseError(f'Can\'t find end tag corresponding to start tag "{open_name}"')
            entity: dict[str, Any] = {"type": ENTITY_TYPES[name], "offset": offset, "length": length - offset}
            if name == "a":
                entity["url"] = attrs["href"]
            if name == "pre" and attrs.get("language"):
                entity["language"] = attrs["language"]
            if entity["length"] > 0:
                entities.append(entity)
        else:
            attrs = {}
            for attr in _ATTR.finditer(attr_text):
                value = next((v for v in attr.group(2, 3, 4) if v is not None), "")
                attrs[attr.group(1).lower()] = _decode_entities(value, lt)
            if name == "a" and "href" not in attrs:
                raise ParseError(f'Tag "a" must have attribute "href" at character offset {lt}')
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise ParseError(f'Tag "span" must have class "tg-spoiler" at character offset {lt}')
            stack.append((name, length, attrs))
        i = match.end()
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(plain), entities


@dataclass(slots=True)
class SentMessage:
    """One message the fake accepted: ``text`` is the parsed text, ``raw_text`` what the client sent."""

    message_id: int
    chat_id: int | str
    text: str
    raw_text: str
    parse_mode: str | None
    entities: list[dict[str, Any]]
    message_thread_id: int | None
    link_preview_options: dict[str, Any] | None
    disable_web_page_preview: bool | None
    at: float


@dataclass(slots=True)
class _Faults:
    rate_limited: int = 0
    rate_fraction: float = 0.0
    retry_after: int = 1
    methods: tuple[str, ...] = ("sendMessage",)


class BadRequest(Exception):
    """A Bot API error answer: HTTP ``status`` with ``description`` (and optional ``parameters``)."""

    def __init__(self, description: str, *, status: int = 400, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class FakeTelegram:
    """The server's state: what was sent, what to serve, which faults to inject. Start with `start()`."""

    token: str = TOKEN
    seed: int = 0
    messages: list[SentMessage] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    members: dict[tuple[str, str], str] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    webhook: dict[str, Any] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    rejected: list[tuple[str, int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._faults = _Faults()
        self._random = random.Random(self.seed)
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._hiccup: tuple[int, int, str] | None = None
        self._last_update_id = 0  # ids keep growing after confirmed updates are dropped, as Telegram's do
        self.polls_in_flight = 0  # getUpdates requests being answered now
        self.overlapping_polls = 0  # long polls received while another was in flight (Telegram: 409)
        self.url = ""

    # -- driving the fake from a test -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What to give python-telegram-bot as ``base_url`` (it appends the token)."""
        return f"{self.url}/bot"

    def rate_limit(
        self,
        count: int = 0,
        *,
        fraction: float = 0.0,
        retry_after: int = 1,
        methods: tuple[str, ...] = ("sendMessage",),
    ) -> None:
        """Answer the next ``count`` calls (and then a random ``fraction`` of calls) to ``methods`` with 429."""
        self._faults = _Faults(count, fraction, retry_after, methods)

    def fail_once(self, *, after: int, status: int = 502, description: str = "Bad Gateway") -> None:
        """Let ``after`` more sendMessage calls through, then answer one with ``status`` (a server hiccup)."""
        self._hiccup = (after, status, description)

    def block(self, chat_id: int | str) -> None:
        """Make ``chat_id`` answer every send with 403 "bot was blocked by the user"."""
        self.blocked.add(str(chat_id))

    def set_member(self, chat_id: int | str, user_id: int | str, status: str) -> None:
        """What ``getChatMember`` says for this user: creator, administrator, member, left, kicked."""
        self.members[(str(chat_id), str(user_id))] = status

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for ``getUpdates`` (its ``update_id`` is kept if present, else assigned)."""
        update = dict(update)
        update.setdefault("update_id", self._last_update_id + 1)
        self._last_update_id = max(self._last_update_id, update["update_id"])
        self.updates.append(update)
        self._new_update.set()

    def sent_to(self, chat_id: int | str) -> list[SentMessage]:
        return [m for m in self.messages if str(m.chat_id) == str(chat_id)]

    # -- lifecycle ----------------------------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- the Bot API --------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        params = await _params(request)
        self.calls.append(method)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        if method == "sendMessage" and self._hiccup is not None:
            after, status, description = self._hiccup
            self._hiccup = (after - 1, status, description) if after > 0 else None
            if after == 0:
                self.rejected.append((method, status, description))
                return _error(status, description)
        if method in self._faults.methods and self._should_rate_limit():
            retry = self._faults.retry_after
            self.rejected.append((method, 429, str(params.get("chat_id"))))
            return _error(429, f"Too Many Requests: retry after {retry}", parameters={"retry_after": retry})
        try:
            result = await handler(params)
        except BadRequest as error:
            self.rejected.append((method, error.status, error.description))
            return _error(error.status, error.description, parameters=error.parameters)
        return web.json_response({"ok": True, "result": result})

    def _should_rate_limit(self) -> bool:
        if self._faults.rate_limited > 0:
            self._faults.rate_limited -= 1
            return True
        return self._faults.rate_fraction > 0 and self._random.random() < self._faults.rate_fraction

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = min(float(params.get("timeout") or 0), 0.5)  # long polling, kept short for tests
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed ones go
        # a long poll while another is in flight (a timeout-0 call is python-telegram-bot's own last
        # confirmation of the offset when it stops, not a second poller)
        self.overlapping_polls += self.polls_in_flight > 0 and timeout > 0
        self.polls_in_flight += 1
        try:
            if not self.updates and timeout > 0:
                self._new_update.clear()
                try:
                    await asyncio.wait_for(self._new_update.wait(), timeout)
                except TimeoutError:
                    pass
        finally:
            self.polls_in_flight -= 1
        return self.updates[:limit]

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise BadRequest("Bad Request: chat_id is empty")
        raw = params.get("text")
        if raw is None or raw == "":
            raise BadRequest("Bad Request: message text is empty")
        parse_mode = params.get("parse_mode")
        if parse_mode is None:
            text, entities = raw, []
        elif str(parse_mode).lower() == "html":
            try:
                text, entities = parse_html(raw)
            except ParseError as error:
                raise BadRequest(f"Bad Request: can't parse entities: {error}") from None
        else:
            raise BadRequest(f"Bad Request: unsupported parse_mode {parse_mode!r} in this fake")
        if not text.strip():
            raise BadRequest("Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise BadRequest("Bad Request: message is too long")
        if str(chat_id) in self.blocked:
            raise BadRequest("Forbidden: bot was blocked by the user", status=403)
        chat = _chat(chat_id)
        thread = params.get("message_thread_id")
        preview = params.get("link_preview_options")
        disable_preview = params.get("disable_web_page_preview")
        message = SentMessage(
            message_id=next(self._ids),
            chat_id=chat["id"],
            text=text,
            raw_text=raw,
            parse_mode=parse_mode,
            entities=entities,
            message_thread_id=int(thread) if thread not in (None, "") else None,
            link_preview_options=preview,
            disable_web_page_preview=None if disable_preview is None else _truthy(disable_preview),
            at=time.monotonic(),
        )
        self.messages.append(message)
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": BOT_USER,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if entities:
            result["entities"] = entities
        if message.message_thread_id is not None:
            result["message_thread_id"] = message.message_thread_id
            result["is_topic_message"] = True
        return result

    async def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = str(params.get("chat_id")), str(params.get("user_id"))
        status = self.members.get((chat_id, user_id))
        if status is None:
            raise BadRequest("Bad Request: member not found")
        return _member(int(user_id), status)

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token")}
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        if _truthy(params.get("drop_pending_updates")):
            self.updates.clear()
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }


async def _params(request: web.Request) -> dict[str, Any]:
    """Bot API parameters from the query string, a JSON body or a form; nested objects are JSON strings."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    for key in ("link_preview_options", "reply_markup", "entities", "allowed_updates"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _chat(chat_id: Any) -> dict[str, Any]:
    text = str(chat_id)
    if text.startswith("@"):
        return {"id": -1000000000000 - sum(map(ord, text)), "type": "channel", "username": text[1:]}
    try:
        number = int(text)
    except ValueError:
        raise BadRequest("Bad Request: chat not found") from None
    if number > 0:
        return {"id": number, "type": "private", "first_name": "Reader"}
    return {"id": number, "type": "supergroup", "title": f"Group {number}"}


def _member(user_id: int, status: str) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            {
                key: key in ("can_manage_chat", "can_invite_users")
                for key in (
                    "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                    "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                    "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                    "can_delete_stories",
                )
            }
        )  # fmt: skip
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _error(status: int, description: str, *, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A running `FakeTelegram` on 127.0.0.1 (a free port), stopped after the test."""
    server = await FakeTelegram().start()
    try:
        yield server
    finally:
        await server.stop()
