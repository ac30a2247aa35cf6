"""Keyword filters (`briefings.keywords`): parsing, matching and refusals as tables; the filters of a
subscription applied when a feed's article is queued, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.slack import command_from_payload
from bot.app import build_context, build_engine
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from briefings.keywords import MAX_PHRASE_WORDS, MAX_TERM_CHARS, MAX_TERMS, FilterError, parse, words
from handlers import register_all
from handlers.router import Router

SETTINGS = Settings()
ENGINE = build_engine(SETTINGS)  # loads no pipeline until it briefs: /filter briefs nothing

WORDS = [
    ("L'Élysée, lundi", ["l", "elysee", "lundi"]),
    ("Œuvre ÉCOLOGIQUE", ["oeuvre", "ecologique"]),
    ("Kyiv's mayor", ["kyiv", "s", "mayor"]),
    ("Сергей Лавров", ["сергеи", "лавров"]),  # accents go, other scripts stay
    ("snake_case 2026", ["snake", "case", "2026"]),
]


@pytest.mark.parametrize(("text", "expected"), WORDS)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


CANONICAL = [
    ('+word -"a phrase"', '+word -"a phrase"'),
    ("word", "+word"),
    ("  +Lavrov   +Lavrov  -Kim ", "+Lavrov -Kim"),  # a repeat counts once
    ("-«mer Noire» +“gaz russe”", '-"mer Noire" +"gaz russe"'),
    ("+aujourd'hui", '+"aujourd\'hui"'),  # two words once normalised: a phrase
    ('+"  spaced   out "', '+"spaced out"'),
]


@pytest.mark.parametrize(("text", "expected"), CANONICAL)
def test_parse_canonical_form(text: str, expected: str) -> None:
    parsed = parse(text)
    assert (str(parsed), parse(str(parsed))) == (expected, parsed)


MATCHES = [
    # filter, title, briefing text, passes
    ("+Lavrov", "Moscou répond", "Sergueï LAVROV a déclaré…", True),
    ("+lavrov", "Moscow replies", "The minister declined to comment", False),
    ("+oil", "Toil and trouble", "", False),  # words, not substrings
    ("+Kyiv", "Kyiv's mayor speaks", "", True),
    ("+Elysee", "", "Réunion à l'Élysée", True),
    ("+élysée", "", "Meeting at the ELYSEE palace", True),
    ('+"mer Noire"', "", "les ports de la mer noire", True),
    ('+"mer Noire"', "", "la mer, noire de monde", True),  # punctuation is not a word
    ('+"mer Noire"', "la mer", "noire", False),  # a phrase does not span the title and the text
    ('+"mer Noire"', "", "noire mer", False),
    ("-sport", "Cup final tonight", "The sport minister said", False),
    ("-sport", "Budget vote", "", True),  # only excludes: everything else passes
    ('+budget -"football club"', "Budget of the football club", "", False),  # an exclude wins
    ("+budget +vote", "Vote tonight", "", True),  # includes: any one of them
]


@pytest.mark.parametrize(("spec", "title", "text", "passes"), MATCHES)
def test_matches(spec: str, title: str, text: str, passes: bool) -> None:
    assert parse(spec).matches(title, text) == passes


REFUSED = [
    ('+word -"a phrase', 'unbalanced quote in: -"a phrase'),
    ('+wo"rd', 'unbalanced quote in: +wo"rd'),
    ("+«mer Noire", "unbalanced quote in: +«mer Noire"),
    ("+", "empty term: + has no letters or digits"),
    ("-!!!", "empty term: -!!! has no letters or digits"),
    ("", "no terms: write +word to keep, -word to leave out"),
    ('+"a b"c', 'missing space after the phrase: +"a b"c'),
    ("+" + "x" * (MAX_TERM_CHARS + 1), f"term too long (at most {MAX_TERM_CHARS} characters): "),
    ('+"' + " ".join(["w"] * (MAX_PHRASE_WORDS + 1)) + '"', f"phrase too long (at most {MAX_PHRASE_WORDS}"),
    (" ".join(f"+w{i}" for i in range(MAX_TERMS + 1)), f"too many terms (at most {MAX_TERMS})"),
]


@pytest.mark.parametrize(("spec", "error"), REFUSED)
def test_refused(spec: str, error: str) -> None:
    with pytest.raises(FilterError) as raised:
        parse(spec)
    assert str(raised.value).startswith(error) == True  # noqa: E712 - the message names the input


def test_a_long_filter_on_a_long_text_is_correct() -> None:
    """A thousand terms and a 10,000-word text (speed: bench/filters.py)."""
    spec = " ".join(f"+term{i}" for i in range(999)) + ' -"stop here"'
    text = " ".join(f"word{i}" for i in range(10_000))
    parsed = parse(spec)
    actual = (
        parsed.matches("", text),
        parsed.matches("", text + " term998"),
        parsed.matches("", text + " term998 stop here"),
    )
    assert actual == (False, True, False)


# -- applied at queueing time, on a real database ------------------------------------------------------


def briefing(title: str, bullets: list[str]) -> dict[str, Any]:
    return {"source": "feed", "lang": "en", "title": title, "actors": [], "claims": [], "bullets": bullets}


async def test_a_subscriptions_filter_decides_what_is_queued(repository: Any) -> None:
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    feed = await repository.add_feed("https://news.test/feed.xml")
    plain = await repository.upsert_channel("telegram", "1")
    picky = await repository.upsert_channel("telegram", "2")
    for channel in (plain, picky):
        await repository.subscribe(channel.id, feed.id)
    assert await repository.set_filter(picky.id, feed.id, '+budget -"football club"') == True  # noqa: E712
    articles = [
        ("Budget vote tonight", ["The council votes on the budget."]),
        ("Cup final", ["The football club won."]),
        ("Club news", ["The football club's budget doubles."]),
    ]
    queued = []
    for i, (title, bullets) in enumerate(articles):
        row = {"feed_id": feed.id, "entry_id": f"e{i}", "url": f"https://news.test/{i}", "title": title}
        row |= {"content_hash": None, "published": None, "error": None}
        _, deliveries = await repository.add_briefed_article(row, briefing(title, bullets), now=now)
        queued.append(len(deliveries))
    assert queued == [2, 1, 1]
    assert await repository.subscription_filters(picky.id) == {feed.id: '+budget -"football club"'}
    assert await repository.set_filter(picky.id, feed.id, None) == True  # noqa: E712
    assert await repository.subscription_filters(picky.id) == {}
    assert await repository.set_filter(picky.id, feed.id + 1, "+x") == False  # noqa: E712 - not subscribed


# -- /filter on Slack: its shell-like quoting takes the quotes off a phrase ------------------------------

SLACK = [
    ('1 +budget -"football club"', '+budget -"football club"'),
    ("1 +budget -'football club'", '+budget -"football club"'),
    ('1 "+Lavrov" +"mer Noire"', '+Lavrov +"mer Noire"'),
]


@pytest.mark.parametrize(("text", "expected"), SLACK)
async def test_slack_arguments_keep_their_phrases(repository: Any, text: str, expected: str) -> None:
    feed = await repository.add_feed("https://news.test/feed.xml")
    channel = await repository.upsert_channel("slack", "D1")
    await repository.subscribe(channel.id, feed.id)
    body = {"command": "/filter", "text": text, "channel_id": "D1", "user_id": "U1"}
    async with Fetcher(local_files=False) as fetcher:
        ctx = build_context(repo=repository, engine=ENGINE, fetcher=fetcher, settings=SETTINGS)
        reply = await register_all(Router()).dispatch(command_from_payload(body), ctx)
    assert (reply.text, await repository.subscription_filters(channel.id)) == (
        f"Filter on https://news.test/feed.xml: {expected}",
        {feed.id: expected},
    )
