"""A Slack command's answer reaches the user wherever it was typed: the real Slack client and Bolt's HTTP
endpoint against the local fake Web API, whose ``chat.postMessage`` answers ``not_in_channel`` for a
channel the bot was not invited to (``C_OUT``).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from xml.sax.saxutils import escape

import pytest

from bot.adapters.slack import SlackAdapter, render
from bot.app import build_context, build_engine
from bot.dispatch import Dispatcher
from bot.models import Command, Post, Reply
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from handlers import register_all
from handlers.router import Router
from tests.fake_slack import FakeSlack
from tests.localhttp import STORIES, serving
from tests.test_slack import SECRET, adapter_for, payload, post_signed, wait_for

BRIEFING = Post(
    title="Port workers end strike",
    bullets=("Union leader Mark Hale said the new contract protected every job.", "Key actors: Mark Hale"),
    url="https://news.example.org/strike",
    lang="en",
)


class Answers:
    """The injected command callback: answers every command with ``reply``."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.calls: list[Command] = []

    async def __call__(self, command: Command) -> Reply:
        self.calls.append(command)
        return self.reply


@pytest.fixture
async def briefing_bot(fake_slack: FakeSlack) -> AsyncIterator[SlackAdapter]:
    adapter = adapter_for(fake_slack, signing_secret=SECRET, http_host="127.0.0.1", http_port=0)
    await adapter.start()
    await adapter.listen(Answers(Reply(posts=(BRIEFING,))))
    try:
        yield adapter
    finally:
        await adapter.stop()


async def test_a_brief_typed_where_the_bot_cannot_post_arrives_through_the_response_url(
    fake_slack: FakeSlack, briefing_bot: SlackAdapter
) -> None:
    body = payload(fake_slack, command="/brief", text="https://news.example.org/strike", channel_id="C_OUT")
    assert await post_signed(briefing_bot.http_url or "", body, timestamp=int(time.time())) == 200

    await wait_for(lambda: fake_slack.responses)
    [(text, blocks)] = render(BRIEFING)
    assert fake_slack.responses == [
        {"name": "r1", "text": text, "blocks": blocks, "response_type": "in_channel"}
    ]
    assert fake_slack.messages == []  # chat.postMessage answered not_in_channel


async def test_in_a_channel_the_bot_is_in_the_briefing_is_posted_there(
    fake_slack: FakeSlack, briefing_bot: SlackAdapter
) -> None:
    body = payload(fake_slack, command="/brief", text="https://news.example.org/strike", channel_id="C_NEWS")
    assert await post_signed(briefing_bot.http_url or "", body, timestamp=int(time.time())) == 200

    await wait_for(lambda: fake_slack.messages)
    [(text, blocks)] = render(BRIEFING)
    [message] = fake_slack.messages
    assert (message.channel, message.text, message.blocks) == ("C_NEWS", text, blocks)
    assert fake_slack.responses == []


async def test_the_real_brief_command_from_a_channel_without_the_bot_arrives_through_the_response_url(
    fake_slack: FakeSlack, repository: Any
) -> None:
    """`/brief <url>` through Bolt, the dispatcher, the router and the engine, of a page on 127.0.0.1."""
    title, text = STORIES[2]
    paragraphs = "".join(f"<p>{escape(text)} It was said on day {n}.</p>" for n in range(6))
    page = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>"

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    settings = Settings(allow_private_networks=True)
    adapter = adapter_for(fake_slack, signing_secret=SECRET, http_host="127.0.0.1", http_port=0)
    with serving(Page) as base:
        async with Fetcher(allow_private_networks=True, local_files=False) as fetcher:
            context = build_context(
                repo=repository, engine=build_engine(settings), fetcher=fetcher, settings=settings
            )
            dispatcher = Dispatcher(router=register_all(Router()), ctx=context)
            await adapter.start()
            await adapter.listen(dispatcher.on_command(adapter))
            try:
                body = payload(fake_slack, command="/brief", text=f"{base}/rail.html", channel_id="C_OUT")
                assert await post_signed(adapter.http_url or "", body, timestamp=int(time.time())) == 200
                await wait_for(lambda: fake_slack.responses, timeout=60)
            finally:
                await adapter.stop()
    [response] = fake_slack.responses
    assert response["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": title}}
    assert "Tom Reyes" in response["text"]
    assert fake_slack.messages == []
