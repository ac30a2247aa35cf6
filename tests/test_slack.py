"""The Slack adapter against a local fake of the Web API and Bolt's own HTTP endpoint — real clients, no mocks."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack import MAX_MESSAGE_CHARS, SlackAdapter, escape
from bot.models import Address, Command, Post, Reply
from bot.protocols import DeliveryError
from handlers import register_all
from handlers.router import Router
from tests.fake_slack import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
COMMANDS = register_all(Router()).commands  # the slash commands the app registers


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def adapter_for(fake: FakeSlack, **options: object) -> SlackAdapter:
    return SlackAdapter(
        token=fake.token,
        base_url=fake.api_url,
        min_interval=0,
        commands=COMMANDS,
        **options,  # type: ignore[arg-type]
    )


def sections(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


async def test_markup_emoji_and_cjk_arrive_intact(fake_slack: FakeSlack) -> None:
    title = "<script>alert('x')</script> & *gras* _it_ [a] ~s~ 🎉 東京"
    bullets = ("Le « ministre » a dit : a < b && c > d", "*_[]~` 🇫🇷 北京と東京 <@U123> <!channel>", "plain")
    post = Post(title=title, bullets=bullets, url="https://www.example.org/a?b=1&c=2")

    ids = await adapter_for(fake_slack).send(Address("slack", "C_NEWS"), post)

    assert ids == [m.ts for m in fake_slack.messages]
    [message] = fake_slack.messages
    header, *_, context = message.blocks or []
    assert header["type"] == "header"
    assert unescape(header["text"]["text"]) == title
    lines = "\n".join(sections(message.blocks or [])).split("\n")
    assert [unescape(line.removeprefix("• ")) for line in lines] == list(bullets)
    assert context["elements"][0]["text"] == "<https://www.example.org/a?b=1&amp;c=2|example.org>"
    raw = "".join(sections(message.blocks or [])) + header["text"]["text"]
    assert "<" not in raw and ">" not in raw
    assert message.text and unescape(message.text).startswith(title)


async def test_long_post_is_split_under_the_limits_and_all_accepted(fake_slack: FakeSlack) -> None:
    bullets = [f"{i:03d} " + "mot & <tag> " * 33 for i in range(180)]
    bullets.insert(90, "x" * 7000)  # one bullet alone beyond a section: the only one cut
    post = Post(title="T" * 400, bullets=tuple(bullets), url="https://example.org/long")

    ids = await adapter_for(fake_slack).send(Address("slack", "C_NEWS"), post)

    messages = fake_slack.messages
    assert len(messages) > 1 and ids == [m.ts for m in messages]
    for message in messages:
        blocks = message.blocks or []
        assert len(blocks) <= 50
        assert all(len(text) <= 3000 for text in sections(blocks))
        assert sum(len(text) for text in sections(blocks)) <= MAX_MESSAGE_CHARS
    assert (messages[0].blocks or [])[0]["type"] == "header"
    assert len(messages[0].blocks[0]["text"]["text"]) <= 150  # type: ignore[index]
    assert [b["type"] for b in messages[-1].blocks or []][-1] == "context"
    rebuilt: list[str] = []
    all_sections = [text for m in messages for text in sections(m.blocks or [])]
    for text in all_sections:
        for line in text.split("\n"):
            if line.startswith("• "):
                rebuilt.append(line.removeprefix("• "))
            else:
                rebuilt[-1] += line
    assert [unescape(b) for b in rebuilt] == bullets
    for bullet in bullets[:90]:
        assert any("• " + escape(bullet) in text for text in all_sections)


async def test_rate_limit_is_waited_out_and_the_message_delivered_once(fake_slack: FakeSlack) -> None:
    fake_slack.rate_limit_next(1)
    started = time.monotonic()

    ids = await adapter_for(fake_slack).send(Address("slack", "C_NEWS"), Post(title="Once", bullets=("a",)))

    assert time.monotonic() - started >= 1.0  # Retry-After: 1
    assert fake_slack.calls == ["chat.postMessage", "chat.postMessage"]
    assert [m.ts for m in fake_slack.messages] == ids and len(ids) == 1


async def test_rate_limit_beyond_the_retries_is_a_transient_failure(fake_slack: FakeSlack) -> None:
    fake_slack.rate_limit_next(1)
    with pytest.raises(DeliveryError) as caught:
        await adapter_for(fake_slack, max_rate_limit_retries=0).send(
            Address("slack", "C_NEWS"), Post(title="x")
        )
    assert caught.value.permanent is False
    assert fake_slack.messages == []


@pytest.mark.parametrize(
    ("chat", "error"),
    [("C_GONE", "channel_not_found"), ("C_OUT", "not_in_channel"), ("C_OLD", "is_archived")],
)
async def test_lost_channels_are_permanent_failures(fake_slack: FakeSlack, chat: str, error: str) -> None:
    with pytest.raises(DeliveryError, match=error) as caught:
        await adapter_for(fake_slack).send(Address("slack", chat), Post(title="x", bullets=("y",)))
    assert caught.value.permanent is True


async def test_bad_token_is_a_transient_failure(fake_slack: FakeSlack) -> None:
    adapter = SlackAdapter(token="xoxb-wrong", base_url=fake_slack.api_url, min_interval=0)
    with pytest.raises(DeliveryError, match="invalid_auth") as caught:
        await adapter.send(Address("slack", "C_NEWS"), Post(title="x"))
    assert caught.value.permanent is False


async def test_thread_ts_is_forwarded(fake_slack: FakeSlack) -> None:
    await adapter_for(fake_slack).send(
        Address("slack", "C_NEWS", thread="1699999999.000100"), Post(title="In thread")
    )
    assert [m.thread_ts for m in fake_slack.messages] == ["1699999999.000100"]


async def test_messages_to_one_channel_are_paced(fake_slack: FakeSlack) -> None:
    adapter = SlackAdapter(token=fake_slack.token, base_url=fake_slack.api_url, min_interval=0.2)
    started = time.monotonic()
    for _ in range(3):
        await adapter.send(Address("slack", "C_NEWS"), Post(title="paced"))
    assert time.monotonic() - started >= 0.4
    assert len(fake_slack.messages) == 3


@pytest.mark.parametrize(
    ("user", "expected"),
    [("U_ADMIN", True), ("U_OWNER", True), ("U_MEMBER", False), ("U_NOBODY", False), ("U_LISTED", True)],
)
async def test_is_admin(fake_slack: FakeSlack, user: str, expected: bool) -> None:
    assert await adapter_for(fake_slack, admin_ids=["U_LISTED"]).user_is_admin(user) == expected


# ---- slash commands through Bolt's HTTP endpoint ---------------------------------------------------


class Commands:
    """The injected callback: records each command and holds its answer until ``release``."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.release = asyncio.Event()

    async def __call__(self, command: Command) -> Reply:
        self.calls.append((command.name, list(command.args), command.chat, command.user, command.thread))
        await self.release.wait()
        return Reply(f"Subscribed to {command.args[-1]} <b> & co")


@pytest.fixture
async def served(fake_slack: FakeSlack) -> AsyncIterator[tuple[SlackAdapter, Commands]]:
    commands = Commands()
    adapter = adapter_for(fake_slack, signing_secret=SECRET, http_host="127.0.0.1", http_port=0)
    await adapter.start()
    await adapter.listen(commands)
    try:
        yield adapter, commands
    finally:
        await adapter.stop()


def payload(fake: FakeSlack, **overrides: str) -> str:
    fields = {
        "token": "legacy-verification-token",
        "team_id": "T_FAKE",
        "channel_id": "C_NEWS",
        "user_id": "U_MEMBER",
        "command": "/subscribe",
        "text": 'https://example.org/feed.xml "Le Monde"',
        "response_url": fake.response_url("r1"),
        "trigger_id": "123.456.abc",
        "api_app_id": "A_APP",
    }
    return urlencode({**fields, **overrides})


async def post_signed(url: str, body: str, *, timestamp: int, signature: str | None = None) -> int:
    signature = signature or SignatureVerifier(SECRET).generate_signature(timestamp=str(timestamp), body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature or "",
    }
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status


async def wait_for(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_signature_is_the_documented_v0_scheme() -> None:
    body, timestamp = "command=%2Fhelp", "1531420618"
    expected = (
        "v0=" + hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    )
    assert SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body) == expected


async def test_signed_command_is_acked_then_answered(
    fake_slack: FakeSlack,
    served: tuple[SlackAdapter, Commands],
) -> None:
    adapter, commands = served
    assert adapter.http_url

    status = await post_signed(adapter.http_url, payload(fake_slack), timestamp=int(time.time()))

    assert status == 200  # acked while the callback is still working
    await wait_for(lambda: commands.calls)
    assert commands.calls == [
        ("subscribe", ["https://example.org/feed.xml", "Le Monde"], "C_NEWS", "U_MEMBER", None)
    ]
    assert fake_slack.responses == []
    commands.release.set()
    await wait_for(lambda: fake_slack.responses)
    [reply] = fake_slack.responses
    assert reply["name"] == "r1"
    assert reply["text"] == "Subscribed to Le Monde &lt;b&gt; &amp; co"


async def test_command_without_response_url_is_answered_in_the_channel(
    fake_slack: FakeSlack,
    served: tuple[SlackAdapter, Commands],
) -> None:
    adapter, commands = served
    commands.release.set()
    body = payload(fake_slack, command="/feeds", text="all", response_url="", thread_ts="1700000000.000001")

    assert await post_signed(adapter.http_url or "", body, timestamp=int(time.time())) == 200

    await wait_for(lambda: fake_slack.messages)
    assert commands.calls == [("feeds", ["all"], "C_NEWS", "U_MEMBER", "1700000000.000001")]
    [message] = fake_slack.messages
    assert (message.channel, message.thread_ts, message.text) == (
        "C_NEWS",
        "1700000000.000001",
        "Subscribed to all &lt;b&gt; &amp; co",
    )


@pytest.mark.parametrize(
    ("age", "forged"), [(0, True), (301, False), (3600, False)], ids=["forged", "stale-5min", "stale-1h"]
)
async def test_forged_or_stale_requests_are_refused(
    fake_slack: FakeSlack,
    served: tuple[SlackAdapter, Commands],
    age: int,
    forged: bool,
) -> None:
    adapter, commands = served
    timestamp = int(time.time()) - age
    body = payload(fake_slack)
    signature = "v0=" + "0" * 64 if forged else None

    assert await post_signed(adapter.http_url or "", body, timestamp=timestamp, signature=signature) == 401

    await asyncio.sleep(0.1)
    assert commands.calls == [] and fake_slack.responses == [] and fake_slack.messages == []


async def test_http_mode_needs_a_signing_secret(fake_slack: FakeSlack) -> None:
    adapter = adapter_for(fake_slack)
    await adapter.start()
    with pytest.raises(ValueError, match="signing secret"):
        await adapter.listen(Commands())


async def test_socket_mode_command_is_acked_over_the_websocket_then_answered(fake_slack: FakeSlack) -> None:
    commands = Commands()
    commands.release.set()
    adapter = adapter_for(fake_slack, app_token=fake_slack.app_token)
    await adapter.start()
    await adapter.listen(commands)
    try:
        await wait_for(lambda: fake_slack.sockets)
        fields = dict(urllib.parse.parse_qsl(payload(fake_slack, command="/digest", text="08:30")))
        envelope_id = await fake_slack.send_envelope("slash_commands", fields)

        # the ack (websocket) and the answer (HTTP to response_url) travel separately: wait for both
        await wait_for(lambda: fake_slack.responses and fake_slack.socket_acks)
        assert [ack["envelope_id"] for ack in fake_slack.socket_acks] == [envelope_id]
        assert commands.calls == [("digest", ["08:30"], "C_NEWS", "U_MEMBER", None)]
        assert fake_slack.responses[0]["text"] == "Subscribed to 08:30 &lt;b&gt; &amp; co"
    finally:
        await adapter.stop()


async def test_a_failing_command_still_gets_an_answer(fake_slack: FakeSlack) -> None:
    async def broken(command: Command) -> Reply:
        raise RuntimeError("boom")

    adapter = adapter_for(fake_slack, signing_secret=SECRET, http_host="127.0.0.1", http_port=0)
    await adapter.start()
    await adapter.listen(broken)
    try:
        assert (
            await post_signed(adapter.http_url or "", payload(fake_slack), timestamp=int(time.time())) == 200
        )
        await wait_for(lambda: fake_slack.responses)
        assert (
            fake_slack.responses[0]["text"] == "Sorry, /subscribe failed on my side. Please try again later."
        )
    finally:
        await adapter.stop()


async def test_an_empty_post_sends_nothing_and_a_bare_link_is_one_message(fake_slack: FakeSlack) -> None:
    adapter = adapter_for(fake_slack)
    assert await adapter.send(Address("slack", "C_NEWS"), Post(title=None)) == []
    assert (
        len(await adapter.send(Address("slack", "C_NEWS"), Post(title=None, url="javascript:alert(1)"))) == 1
    )
    [message] = fake_slack.messages
    assert message.blocks == [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "javascript:alert(1)", "verbatim": True}]}
    ]
