"""The Telegram adapter, through the real python-telegram-bot client, against the local fake Bot API."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, RetryAfter

from bot.adapters.telegram import (
    Limits,
    Pacer,
    TelegramAdapter,
    command_from_update,
    render_post,
    secret_token_matches,
    utf16_len,
)
from bot.models import Address, Command, Post
from bot.outbox import Outbox
from bot.protocols import DeliveryError
from bot.storage.repository import SqlRepository
from tests.clocks import FastClock, ManualClock
from tests.fake_telegram import FakeTelegram, ParseError, parse_html

# PTB 22 itself reads RetryAfter.retry_after while building the exception and warns about its future type.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

DATA = Path(__file__).parent / "data" / "telegram"


@pytest.fixture
def clock() -> FastClock:
    return FastClock()


@pytest.fixture
async def adapter(fake_telegram: FakeTelegram, clock: FastClock) -> AsyncIterator[TelegramAdapter]:
    adapter = TelegramAdapter(fake_telegram.token, base_url=fake_telegram.base_url, clock=clock)
    await adapter.start()
    yield adapter
    await adapter.stop()


def plain(post: Post) -> list[str]:
    """The lines a reader should see for ``post`` (title, bullets, link label)."""
    return [post.title or "", *(f"• {b}" for b in post.bullets), *(["example.org"] if post.url else [])]


# -- rendering and escaping ------------------------------------------------------------------------------

HOSTILE = Post(
    title="<script>alert('x')</script> & Co — «Lavrov» says",
    bullets=(
        "*_[]~ `code` and <b>not bold</b> &amp; stays literal",
        "Émoji 🇺🇦👍🏽 et 中文「引用」 and a ZWJ 👩‍👩‍👧",
        "He said \"quoted\" & 'single' > < &#169;",
    ),
    url='https://www.example.org/a?b=1&c=<2>"',
)


async def test_hostile_text_is_delivered_intact(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    ids = await adapter.send(Address("telegram", "42"), HOSTILE)

    assert ids == ["1"]
    [message] = fake_telegram.messages
    assert message.text == "\n".join(plain(HOSTILE))
    assert "<script>" not in message.raw_text
    title_length = utf16_len(HOSTILE.title or "")
    assert message.entities[0] == {"type": "bold", "offset": 0, "length": title_length}
    assert message.entities[-1]["type"] == "text_link"
    assert message.entities[-1]["url"] == HOSTILE.url
    assert message.parse_mode == "HTML"


def test_render_splits_by_utf16_units_not_code_points() -> None:
    bullet = "😀中" * 200  # 400 code points, 600 UTF-16 units
    post = Post(title="Long", bullets=(bullet,) * 8)
    assert sum(map(len, post.bullets)) < 4096 < sum(map(utf16_len, post.bullets))

    parts = render_post(post)

    assert len(parts) == 2
    lines = [line for part in parts for line in parse_html(part)[0].split("\n")]
    assert lines == plain(post)
    assert all(utf16_len(parse_html(part)[0]) <= 4096 for part in parts)


async def test_long_post_is_split_at_bullets_and_every_part_accepted(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    post = Post(
        title="Сводка: 中文 & <emoji> 🌍",
        bullets=tuple(f"{i}. " + "Лавров 说 «🙂» & <b> " * 40 for i in range(20)),
        url="https://example.org/x",
    )

    ids = await adapter.send(Address("telegram", "-1001", thread="3"), post)

    assert len(ids) == len(fake_telegram.messages) > 1
    assert ids == [str(m.message_id) for m in fake_telegram.messages]
    assert fake_telegram.rejected == []
    assert [line for m in fake_telegram.messages for line in m.text.split("\n")] == plain(post)
    assert all(utf16_len(m.text) <= 4096 for m in fake_telegram.messages)
    assert {m.message_thread_id for m in fake_telegram.messages} == {3}


async def test_a_bullet_longer_than_a_message_is_cut(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    post = Post(title="One huge bullet", bullets=("🙂 & " * 2000, "next"))

    await adapter.send(Address("telegram", "42"), post)

    first, second, third = (m.text for m in fake_telegram.messages)
    assert first == "One huge bullet"
    assert second.startswith("• 🙂 & 🙂") and second.endswith("…")
    assert utf16_len(second) <= 4096
    assert third == "• next"


async def test_an_empty_post_is_a_permanent_error(adapter: TelegramAdapter) -> None:
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(Address("telegram", "42"), Post(title=None))
    assert caught.value.permanent


# -- message options ---------------------------------------------------------------------------------------


async def test_thread_id_and_disabled_link_previews(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    await adapter.send(
        Address("telegram", "-1009876543210", thread="7"), Post(title="t", url="https://example.org")
    )
    await adapter.send(Address("telegram", "42"), Post(title="u"))

    topic, private = fake_telegram.messages
    assert (topic.chat_id, topic.message_thread_id) == (-1009876543210, 7)
    assert private.message_thread_id is None
    assert topic.link_preview_options == {"is_disabled": True}
    assert private.link_preview_options == {"is_disabled": True}


# -- errors --------------------------------------------------------------------------------------------------


async def test_429_is_waited_out_and_the_message_sent_once(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, clock: FastClock
) -> None:
    fake_telegram.rate_limit(2, retry_after=1)

    ids = await adapter.send(Address("telegram", "42"), Post(title="after the flood"))

    assert ids == ["1"]
    assert [m.text for m in fake_telegram.messages] == ["after the flood"]
    assert [r[1] for r in fake_telegram.rejected] == [429, 429]
    assert clock.waits.count(1.0) >= 2  # retry_after honoured (in accelerated time)


async def test_endless_429_becomes_a_transient_error(fake_telegram: FakeTelegram) -> None:
    adapter = TelegramAdapter(
        fake_telegram.token, base_url=fake_telegram.base_url, clock=FastClock(), limits=Limits(attempts=3)
    )
    fake_telegram.rate_limit(100)
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(Address("telegram", "42"), Post(title="never"))
    assert not caught.value.permanent
    assert len(fake_telegram.rejected) == 3
    await adapter.stop()


async def test_blocked_chat_is_a_permanent_error(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.block(42)
    with pytest.raises(DeliveryError, match="blocked") as caught:
        await adapter.send(Address("telegram", "42"), Post(title="hello"))
    assert caught.value.permanent
    assert fake_telegram.messages == []


async def test_chat_not_found_is_permanent(adapter: TelegramAdapter) -> None:
    # issue 10: a chat that does not exist is refused for good, like a blocked one (502s: tests/test_outbox.py)
    with pytest.raises(DeliveryError, match=r"(?i)chat not found") as caught:
        await adapter.send(Address("telegram", "not-a-chat"), Post(title="hello"))
    assert caught.value.permanent


@pytest.mark.parametrize("address", [Address("slack", "C1"), Address("telegram", "42", thread="general")])
async def test_unusable_addresses_are_permanent_errors(adapter: TelegramAdapter, address: Address) -> None:
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(address, Post(title="x"))
    assert caught.value.permanent


# -- pacing --------------------------------------------------------------------------------------------------


async def test_a_burst_is_paced_and_delivered_once_in_order(fake_telegram: FakeTelegram) -> None:
    adapter = TelegramAdapter(
        fake_telegram.token, base_url=fake_telegram.base_url, clock=FastClock(), limits=Limits(attempts=12)
    )
    fake_telegram.rate_limit(fraction=0.1)  # a 429 now and then, waited out and resent
    chats = ["42", "-1001", "-1009"]
    posts = [(chats[i % 3], Post(title=f"post {i // 3} for {chats[i % 3]}")) for i in range(30)]

    results = await asyncio.gather(*(adapter.send(Address("telegram", chat), post) for chat, post in posts))

    assert all(len(ids) == 1 for ids in results)
    assert len(fake_telegram.messages) == 30
    for chat in chats:
        assert [m.text for m in fake_telegram.sent_to(chat)] == [f"post {n} for {chat}" for n in range(10)]
    await adapter.stop()


async def test_pacer_schedule_for_a_group_and_a_private_chat() -> None:
    clock = ManualClock()
    pacer = Pacer(Limits(), clock)
    group_times = []
    for _ in range(22):
        pacer.finished(await pacer.wait_turn("-100", group=True))
        group_times.append(clock.now())

    gaps = [b - a for a, b in itertools.pairwise(group_times)]
    assert min(gaps) >= 1.0  # one message per second per chat
    assert group_times[20] - group_times[0] >= 60.0  # twenty per minute per group
    assert group_times[21] - group_times[1] >= 60.0


async def test_pacer_global_limit() -> None:
    clock = ManualClock()
    pacer = Pacer(Limits(), clock)
    times = []
    for chat in range(61):  # different chats: only the global limit applies
        pacer.finished(await pacer.wait_turn(str(chat), group=False))
        times.append(clock.now())

    assert times[29] == times[0]  # thirty go out at once …
    assert times[30] - times[0] >= 1.0  # … the thirty-first waits for the window
    assert times[60] - times[30] >= 1.0


# -- admins, webhooks, polling --------------------------------------------------------------------------------


async def test_is_admin_via_get_chat_member(adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    for user, status in [(1, "creator"), (2, "administrator"), (3, "member"), (4, "left")]:
        fake_telegram.set_member(-1001, user, status)

    answers = [await adapter.member_is_admin("-1001", user) for user in (1, 2, 3, 4, 5)]

    assert answers == [True, True, False, False, False]  # 5 is unknown: fails closed


async def test_set_webhook_and_secret_check(adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    await adapter.set_webhook("https://bot.example.org/telegram", secret_token="s3cret-T0ken")
    assert fake_telegram.webhook == {
        "url": "https://bot.example.org/telegram",
        "secret_token": "s3cret-T0ken",
    }

    body = json.loads((DATA / "private_brief.json").read_text())
    assert adapter.update_from_webhook(body, secret_header="wrong", secret_token="s3cret-T0ken") is None
    update = adapter.update_from_webhook(body, secret_header="s3cret-T0ken", secret_token="s3cret-T0ken")
    assert update is not None and update.update_id == body["update_id"]


@pytest.mark.parametrize(
    ("header", "secret", "expected"),
    [("abc", "abc", True), ("abd", "abc", False), (None, "abc", False), ("", "", False), ("é", "é", True)],
)
def test_secret_token_matches(header: str | None, secret: str, expected: bool) -> None:
    assert secret_token_matches(header, secret) == expected


def as_tuple(command: Command | None) -> tuple | None:
    """(name, args, chat, user, topic): what a command says, compact enough for a table."""
    if command is None:
        return None
    return (command.name, list(command.args), command.chat, command.user, command.thread)


async def test_long_polling_delivers_commands(adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    received: asyncio.Queue = asyncio.Queue()

    async def on_command(command: Command) -> None:
        await received.put(as_tuple(command))

    for name in ("private_brief", "other_bot", "plain_text", "group_subscribe"):
        fake_telegram.push_update(json.loads((DATA / f"{name}.json").read_text()))

    await adapter.start_polling(on_command)
    first = await asyncio.wait_for(received.get(), 10)
    second = await asyncio.wait_for(received.get(), 10)
    await adapter.stop_polling()
    await adapter.start_polling(
        on_command
    )  # a restart neither replays confirmed updates nor doubles handlers
    fake_telegram.push_update(json.loads((DATA / "forum_topic.json").read_text()))
    third = await asyncio.wait_for(received.get(), 10)
    await adapter.stop_polling()

    assert first == ("brief", ["Lavrov"], "42", "42", None)
    assert second == ("subscribe", ["https://x/feed"], "-1001234567890", "42", None)
    assert third == ("brief", ["Zelensky", "Kyiv"], "-1009876543210", "77", "7")
    assert received.empty()


# -- command_from_update on captured payloads ------------------------------------------------------------------

COMMANDS = [
    ("private_brief", ("brief", ["Lavrov"], "42", "42", None)),
    ("group_subscribe", ("subscribe", ["https://x/feed"], "-1001234567890", "42", None)),
    ("forum_topic", ("brief", ["Zelensky", "Kyiv"], "-1009876543210", "77", "7")),
    ("group_reply_thread", ("feeds", [], "-1001234567890", "43", None)),  # a reply thread, not a topic
    ("channel_post", ("digest", ["07:30"], "-1005550001111", "", None)),  # the channel itself speaks
    ("anonymous_admin", ("unsubscribe", ["1"], "-1001234567890", "", None)),
    ("other_bot", None),
    ("plain_text", None),
    ("edited_command", None),
]


@pytest.mark.parametrize(("name", "expected"), COMMANDS)
def test_command_from_update(name: str, expected: tuple | None) -> None:
    update = Update.de_json(json.loads((DATA / f"{name}.json").read_text()), None)
    command = command_from_update(update, bot_username="newsbrief_bot")
    assert as_tuple(command) == expected
    if command is not None:  # groups and channels have negative ids; the chat itself speaks as an admin
        assert (command.is_group, command.is_admin) == (command.chat.startswith("-"), command.user == "")


def test_command_for_another_bot_counts_when_our_name_is_unknown() -> None:
    update = Update.de_json(json.loads((DATA / "other_bot.json").read_text()), None)
    assert as_tuple(command_from_update(update)) == ("brief", ["Lavrov"], "-1001234567890", "43", None)


# -- the fake itself ---------------------------------------------------------------------------------------------

PARSES = [
    ("<b>a</b> &amp; <i>b</i>", "a & b"),
    ("<strong>s</strong><em>e</em><u>u</u><ins>i</ins><s>s</s><strike>k</strike><del>d</del>", "seuiskd"),
    ('<a href="https://x/?a=1&amp;b=2">x</a> <code>c</code> <pre>p</pre>', "x c p"),
    ('<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span><blockquote>q</blockquote>', "stq"),
    ("&lt;&gt;&quot;&#39;&#x1F600; 1 > 0", "<>\"'😀 1 > 0"),
]
REJECTS = [
    "<script>x</script>",
    "a < b",
    "Tom & Jerry",
    "<b><i>x</b></i>",
    "<b>x",
    "x</b>",
    "&nbsp;",
    "<span>x</span>",
]


@pytest.mark.parametrize(("markup", "text"), PARSES)
def test_fake_parses_telegram_html(markup: str, text: str) -> None:
    assert parse_html(markup)[0] == text


@pytest.mark.parametrize("markup", REJECTS)
def test_fake_rejects_what_telegram_rejects(markup: str) -> None:
    with pytest.raises(ParseError):
        parse_html(markup)


async def test_fake_answers_like_the_bot_api(fake_telegram: FakeTelegram) -> None:
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        assert bot.username == "newsbrief_bot"
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(chat_id=42, text="1 < 2 <script>", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(chat_id=42, text="😀" * 2049)  # 2,049 code points, 4,098 UTF-16 units
        assert (await bot.send_message(chat_id=42, text="😀" * 2048)).message_id == 1
        fake_telegram.rate_limit(1, retry_after=1)
        with pytest.raises(RetryAfter):
            await bot.send_message(chat_id=42, text="x")
        message = await bot.send_message(
            chat_id=42, text="<b>ok</b>", parse_mode="HTML", disable_web_page_preview=True
        )
        assert (message.message_id, message.text, message.chat.id) == (2, "ok", 42)
        assert fake_telegram.messages[-1].link_preview_options == {"is_disabled": True}  # PTB converts it

        fake_telegram.push_update(json.loads((DATA / "private_brief.json").read_text()))
        fake_telegram.push_update(json.loads((DATA / "group_subscribe.json").read_text()))
        first = await bot.get_updates()
        assert [u.update_id for u in first] == [730001001, 730001002]
        rest = await bot.get_updates(offset=730001002)
        assert [u.update_id for u in rest] == [730001002]
        assert await bot.get_updates(offset=730001003, timeout=0) == ()


async def test_fake_error_bodies_and_json_requests(fake_telegram: FakeTelegram) -> None:
    url = f"{fake_telegram.base_url}{fake_telegram.token}/sendMessage"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"chat_id": 42, "text": "a & b", "parse_mode": "HTML"}) as response:
            assert response.status == 400
            body = await response.json()
        assert body["ok"] is False and body["error_code"] == 400
        assert body["description"].startswith("Bad Request: can't parse entities: ")

        fake_telegram.block(42)
        async with http.post(url, json={"chat_id": 42, "text": "x"}) as response:
            assert (response.status, await response.json()) == (
                403,
                {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
            )

        fake_telegram.rate_limit(1, retry_after=1)
        async with http.post(url, json={"chat_id": 7, "text": "x"}) as response:
            assert (response.status, await response.json()) == (
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
            )

        payload = {"chat_id": 7, "text": "x", "disable_web_page_preview": True, "message_thread_id": 3}
        async with http.post(url, json=payload) as response:
            result = (await response.json())["result"]
        assert (result["message_id"], result["text"], result["chat"]["id"]) == (1, "x", 7)
        [sent] = fake_telegram.messages
        assert (sent.disable_web_page_preview, sent.message_thread_id) == (True, 3)


async def test_a_split_post_interrupted_midway_resumes_after_the_parts_sent(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, repository: SqlRepository
) -> None:
    channel = await repository.upsert_channel("telegram", "-1001")
    post = Post(title="Long", bullets=tuple(f"{i}. " + "word & <b> " * 200 for i in range(6)))
    parts = render_post(post)
    assert len(parts) >= 3
    data = {"title": post.title, "bullets": list(post.bullets)}
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert await repository.enqueue_digest(channel.id, digest_key="long", data=data, now=now)
    clock = [now]
    outbox = Outbox(repo=repository, adapters={"telegram": adapter}, clock=lambda: clock[0])

    fake_telegram.fail_once(after=1)  # part 1 goes out, part 2 meets a 502
    assert await outbox.flush() == 0
    [pending] = await repository.pending_deliveries()
    clock[0] += timedelta(hours=1)  # past the channel's backoff
    assert await outbox.flush() == 1

    texts = [m.text for m in fake_telegram.messages]
    assert len(texts) == len(parts) == len(set(texts))  # every part once: part 1 was not sent again
    assert len(pending.sent_parts) == 1 and pending.attempts == 1
    assert await repository.pending_deliveries() == []
