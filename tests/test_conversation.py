"""A whole conversation per platform: the real runtime (`open_runtime(listen=True)`), a feed on a local
HTTP server, a real database, and the real python-telegram-bot / slack-bolt clients against the fakes.

subscribe → a new article appears → its briefing is posted once → /brief returns it → /unsubscribe →
nothing more is posted. The adapters are the ones the settings build (`build_adapters`), their pacing
on an accelerated clock (`tests.clocks.FastClock`), so the tests do not wait out Telegram's and Slack's
one message a second per chat.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier

from bot.app import build_adapters, open_runtime, run_once
from bot.protocols import ChatAdapter
from bot.settings import Settings
from handlers import register_all
from handlers.router import Router
from tests.clocks import FastClock
from tests.fake_slack import FakeSlack
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.localhttp import STORIES, FeedServer, serving_feed

SIGNING_SECRET = "conversation-signing-secret"
USER = {"id": 42, "is_bot": False, "first_name": "Ada"}


def adapters_for(settings: Settings) -> dict[str, ChatAdapter]:
    """The adapters of the settings, as `open_runtime` builds them, pacing on accelerated time."""
    return build_adapters(settings, commands=register_all(Router()).commands, clock=FastClock())


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    with serving_feed() as server:
        yield server


async def wait_for(condition: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)
    return value


# -- Telegram --------------------------------------------------------------------------------------------


def telegram_message(chat: dict[str, Any], text: str, *, user: dict[str, Any] = USER) -> dict[str, Any]:
    command = text.split()[0]
    return {
        "message": {
            "message_id": int(time.time() * 1000) % 1_000_000,
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
            "entities": [{"offset": 0, "length": len(command), "type": "bot_command"}],
        }
    }


async def test_telegram_conversation(
    feed: FeedServer, fake_telegram: FakeTelegram, database_url: str, database_connect_args: dict
) -> None:
    private = {"id": 42, "type": "private", "first_name": "Ada"}
    group = {"id": -100777, "type": "supergroup", "title": "Desk"}
    fake_telegram.set_member(-100777, 42, "member")
    feed.add(1)
    settings = Settings(
        database_url=database_url,
        platforms=["telegram"],
        telegram_token=SecretStr(TOKEN),
        telegram_api_url=fake_telegram.base_url,
        allow_private_networks=True,
    )

    def texts(chat: int) -> list[str]:
        return [m.text for m in fake_telegram.sent_to(chat)]

    async def say(chat: dict[str, Any], text: str) -> str:
        before = len(fake_telegram.sent_to(chat["id"]))
        fake_telegram.push_update(telegram_message(chat, text))
        await wait_for(lambda: len(fake_telegram.sent_to(chat["id"])) > before)
        return fake_telegram.sent_to(chat["id"])[before].text

    async with open_runtime(
        settings, connect_args=database_connect_args, adapters=adapters_for(settings), listen=True
    ) as runtime:
        assert (await say(private, f"/subscribe {feed.url}")).startswith("Subscribed to Local news")
        # a group member who is not an admin cannot change the group's subscriptions
        assert "admin" in await say(group, f"/subscribe {feed.url}")

        await run_once(runtime)  # the new feed's entry is announced
        feed.add(1)  # a new article appears
        await run_once(runtime)
        await run_once(runtime)  # nothing new: nothing posted again
        posted = [t.splitlines()[0] for t in texts(42)[1:]]
        assert posted == [STORIES[0][0], STORIES[1][0]]

        await say(private, "/brief")
        await wait_for(lambda: len(texts(42)) >= 5)  # the reply's posts: both briefings, newest first
        assert [t.splitlines()[0] for t in texts(42)[3:5]] == [STORIES[1][0], STORIES[0][0]]

        assert (await say(private, "/unsubscribe 1")).startswith("Unsubscribed from Local news")
        count = len(texts(42))
        feed.add(1)
        await run_once(runtime)
        await asyncio.sleep(0.3)
        assert len(texts(42)) == count
        assert len(texts(-100777)) == 1  # the group got the refusal, never a briefing

        # in a channel only admins can post, so its commands need no admin check
        channel = {"id": -100555, "type": "channel", "title": "Veille"}
        post = telegram_message(channel, "/digest 07:30")
        post["channel_post"] = {**post.pop("message"), "sender_chat": channel}
        del post["channel_post"]["from"]
        fake_telegram.push_update(post)
        [answer] = await wait_for(lambda: fake_telegram.sent_to(-100555))
        assert answer.text == "Daily digest at 07:30 (UTC)."
    assert fake_telegram.rejected == []


# -- Slack -----------------------------------------------------------------------------------------------


async def slash(url: str, fake: FakeSlack, command: str, text: str, *, user: str = "U_ADMIN") -> int:
    body = urlencode(
        {
            "team_id": "T_FAKE",
            "channel_id": "C_NEWS",
            "user_id": user,
            "command": command,
            "text": text,
            "response_url": fake.response_url(command.strip("/")),
        }
    )
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": SignatureVerifier(SIGNING_SECRET).generate_signature(
            timestamp=timestamp, body=body
        ),
    }
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status


async def test_slack_conversation(
    feed: FeedServer, fake_slack: FakeSlack, database_url: str, database_connect_args: dict
) -> None:
    feed.add(1)
    settings = Settings(
        database_url=database_url,
        platforms=["slack"],
        slack_bot_token=SecretStr(fake_slack.token),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=fake_slack.api_url,
        slack_listen_host="127.0.0.1",
        slack_listen_port=0,
        allow_private_networks=True,
    )

    def headers() -> list[str]:
        return [m.blocks[0]["text"]["text"] for m in fake_slack.messages if m.blocks]

    async def say(command: str, text: str = "", *, user: str = "U_ADMIN") -> str:
        before = len(fake_slack.responses)
        assert await slash(url, fake_slack, command, text, user=user) == 200
        await wait_for(lambda: len(fake_slack.responses) > before)
        return fake_slack.responses[before]["text"]

    async with open_runtime(
        settings, connect_args=database_connect_args, adapters=adapters_for(settings), listen=True
    ) as runtime:
        url = runtime.adapters["slack"].http_url  # type: ignore[attr-defined]
        assert "admin" in await say("/subscribe", feed.url, user="U_MEMBER")
        assert (await say("/subscribe", feed.url)).startswith("Subscribed to Local news")

        await run_once(runtime)
        feed.add(1)
        await run_once(runtime)
        await run_once(runtime)
        assert headers() == [STORIES[0][0], STORIES[1][0]]

        before = len(fake_slack.messages)
        assert await slash(url, fake_slack, "/brief", "") == 200
        await wait_for(lambda: len(fake_slack.messages) >= before + 2)
        assert headers()[before:] == [STORIES[1][0], STORIES[0][0]]

        assert (await say("/unsubscribe", "1")).startswith("Unsubscribed from Local news")
        count = len(fake_slack.messages)
        feed.add(1)
        await run_once(runtime)
        await asyncio.sleep(0.3)
        assert len(fake_slack.messages) == count


async def test_telegram_webhook_mode_checks_the_secret_and_answers(
    fake_telegram: FakeTelegram, database_url: str, database_connect_args: dict
) -> None:
    settings = Settings(
        database_url=database_url,
        platforms=["telegram"],
        telegram_token=SecretStr(TOKEN),
        telegram_api_url=fake_telegram.base_url,
        telegram_webhook_url="https://bot.example.org/hook/telegram",
        telegram_webhook_secret=SecretStr("hook-secret"),
        telegram_listen_host="127.0.0.1",
        telegram_listen_port=0,
    )
    update = {"update_id": 5001, **telegram_message({"id": 42, "type": "private"}, "/help")}

    async def post(secret: str | None, body: Any) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(hook, json=body, headers=headers) as response,
        ):
            return response.status

    async with open_runtime(
        settings, connect_args=database_connect_args, adapters=adapters_for(settings), listen=True
    ) as runtime:
        host, port = runtime.adapters["telegram"].webhook_address  # type: ignore[attr-defined]
        hook = f"http://{host}:{port}/hook/telegram"
        assert fake_telegram.webhook == {"url": settings.telegram_webhook_url, "secret_token": "hook-secret"}

        assert await post(None, update) == 403
        assert await post("wrong", update) == 403
        assert await post("hook-secret", ["not", "an", "update"]) == 400
        assert await post("hook-secret", update) == 200
        assert await post("hook-secret", update) == 200  # Telegram resending the same update

        [reply] = await wait_for(lambda: fake_telegram.sent_to(42))
        await asyncio.sleep(0.3)
        assert reply.text.startswith("Commands:")
        assert len(fake_telegram.sent_to(42)) == 1
