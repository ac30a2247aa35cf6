"""Stories: clustering the fixture corpus (tests/data/stories/) briefed by the real engine, merging, ranking."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.settings import DEFAULT_MAX_BULLETS, DEFAULT_PIPELINES
from briefings.engine import LocalEngine
from briefings.models import Briefing
from briefings.stories import Story, StoryClusterer, merge_story, rank_stories, terms
from tests.stories_corpus import load_corpus, purity_completeness, stored_briefings

NOW = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return load_corpus()


@pytest.fixture(scope="module")
def stored(corpus: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return stored_briefings(LocalEngine(pipelines=DEFAULT_PIPELINES, max_bullets=DEFAULT_MAX_BULLETS), corpus)


@pytest.fixture(scope="module")
def clusters(stored: list[dict[str, Any]]) -> list[list[str]]:
    clusterer = StoryClusterer()
    for data in stored:
        clusterer.add(data["url"], data)
    return clusterer.stories()


# ---------------------------------------------------------------------------------------------- the corpus


def test_corpus_is_what_the_issue_asks_for(corpus: list[dict[str, Any]]) -> None:
    outlets: dict[str, set[str]] = defaultdict(set)
    for article in corpus:
        assert 120 <= len(article["text"].split()) <= 300, article["url"]
        outlets[article["story"]].add(article["outlet"])
    assert len(corpus) >= 30
    assert len(outlets) >= 8
    assert all(2 <= len(o) <= 5 for o in outlets.values()), outlets
    assert {a["lang"] for a in corpus} == {"en", "fr"}
    assert len({a["url"] for a in corpus}) == len(corpus)


# ---------------------------------------------------------------------------------------------- clustering


def test_clustering_purity_and_completeness(corpus: list[dict[str, Any]], clusters: list[list[str]]) -> None:
    gold = {a["url"]: a["story"] for a in corpus}
    purity, completeness = purity_completeness(clusters, gold)
    assert purity >= 0.9, clusters
    assert completeness >= 0.9, clusters


@pytest.mark.parametrize(
    ("story", "other", "shared"),
    [
        ("rail-strike", "brackley-runway", "James Whitlock"),
        ("chip-plant", "rates-hold", "Anita Kapoor"),
        ("greve-infirmiers", "vaccination-grippe", "Claire Dumont"),
        ("inondations-gard", "plan-gendarmerie", "Julien Roche"),
    ],
)
def test_stories_sharing_a_minister_stay_apart(
    corpus: list[dict[str, Any]],
    stored: list[dict[str, Any]],
    clusters: list[list[str]],
    story: str,
    other: str,
    shared: str,
) -> None:
    gold = {a["url"]: a["story"] for a in corpus}
    for s in (story, other):  # the shared actor is really a key actor of both stories
        assert any(a["name"] == shared for d in stored if gold[d["url"]] == s for a in d["actors"][:5])
    assert not any({story, other} <= {gold[k] for k in cluster} for cluster in clusters)


def test_adding_a_key_again_keeps_its_story(stored: list[dict[str, Any]]) -> None:
    clusterer = StoryClusterer()
    first = clusterer.add("a", stored[0])
    assert clusterer.add("a", stored[1]) == first
    assert clusterer.stories() == [["a"]]


def test_normalisation_drops_stop_words_accents_and_punctuation() -> None:
    assert terms("L’Élysée a déclaré : « Les grèves continueront. »") == [
        "elysee",
        "declare",
        "greve",
        "continueront",
    ]


# ---------------------------------------------------------------------------------------------- merging


def stored_dict(
    url: str,
    *,
    actors: Sequence[tuple[str, str, float]] = (),
    claims: Sequence[tuple[str, str]] = (),
    published: str = "2026-11-25T08:00:00+00:00",
    lang: str = "fr",
    title: str = "Titre",
    bullets: Sequence[str] = ("Le fait principal de l'article.",),
) -> dict[str, Any]:
    """A small stored briefing: actors as (name, kind, salience), claims as (speaker, text)."""
    return {
        "source": url,
        "lang": lang,
        "title": title,
        "actors": [
            {"name": n, "kind": k, "aliases": [], "role": None, "mentions": 2, "salience": s}
            for n, k, s in actors
        ],
        "claims": [
            {
                "speaker": speaker,
                "speaker_role": None,
                "cue": "a déclaré",
                "text": text,
                "kind": "statement",
                "evidence": {"start": 0, "end": len(text)},
            }
            for speaker, text in claims
        ],
        "bullets": list(bullets),
        "url": url,
        "published": published,
        "feed": url.split("/")[2],
    }


WORDS = [f"w{n}" for n in range(60)]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        (WORDS[:40], {"a"}),  # the same words
        ([*WORDS[:38], "x", "y"], {"a"}),  # Jaccard 0.90: no band in common once in 0.18**-32
        (WORDS[40:], {"b"}),  # the other set's words
        (
            [f"other{n}" for n in range(40)],
            set(),
        ),  # no word in common: no band in common (hash collisions aside)
    ],
)
def test_the_lsh_index_finds_sets_sharing_most_of_their_words(query: list[str], found: set[str]) -> None:
    from briefings.stories import _BandIndex

    index = _BandIndex(num_perm=64, bands=32)
    index.insert("a", index.bands(WORDS[:40]))
    index.insert("b", index.bands(WORDS[40:]))
    assert index.query(_BandIndex(num_perm=64, bands=32).bands(query)) == found  # the same hashes anywhere


def test_empty_word_sets_share_their_bands() -> None:
    from briefings.stories import _BandIndex

    index = _BandIndex(num_perm=64, bands=32)
    index.insert("empty", index.bands([]))
    assert index.query(index.bands([])) == {"empty"}
    assert index.query(index.bands(WORDS[:5])) == set()


def test_merge_story_merges_aliases_and_keeps_each_source_of_a_repeated_claim() -> None:
    first = stored_dict(
        "https://un.example/a",
        actors=[("Sergueï Lavrov", "person", 1.0), ("Corée du Nord", "country", 0.6)],
        claims=[("Sergueï Lavrov", "la Russie soutiendra Pyongyang face aux sanctions")],
        published="2026-11-25T09:00:00+00:00",
    )
    second = stored_dict(
        "https://deux.example/b",
        actors=[("Lavrov", "person", 0.8), ("Corée du Nord", "country", 0.9)],
        claims=[
            ("Lavrov", "la Russie soutiendra toujours Pyongyang face aux sanctions"),
            ("Corée du Nord", "la visite renforcera les liens entre les deux pays"),
        ],
        published="2026-11-25T07:00:00+00:00",
    )
    story = merge_story([first, second], max_bullets=DEFAULT_MAX_BULLETS)
    actors = {a.name: a for a in story.briefing.actors}
    assert sorted(actors) == ["Corée du Nord", "Sergueï Lavrov"]
    assert actors["Sergueï Lavrov"].aliases == ("Lavrov",)
    assert actors["Sergueï Lavrov"].salience == pytest.approx(0.9)
    assert [(c.speaker, c.text) for c in story.briefing.claims] == [
        ("Sergueï Lavrov", "la Russie soutiendra toujours Pyongyang face aux sanctions"),
        ("Corée du Nord", "la visite renforcera les liens entre les deux pays"),
    ]
    assert [s.url for s in story.sources] == [
        "https://deux.example/b",
        "https://un.example/a",
    ]  # oldest first
    assert story.claim_sources == ((0, 1), (0,))
    assert story.published == datetime(2026, 11, 25, 9, tzinfo=UTC)
    assert story.id == "https://un.example/a"


def test_merge_story_keeps_different_claims_and_different_speakers_apart() -> None:
    text = "le gouvernement ne reculera pas sur la réforme"
    story = merge_story(
        [
            stored_dict("https://un.example/a", claims=[("Julien Roche", text)]),
            stored_dict(
                "https://deux.example/b",
                claims=[("Claire Dumont", text), ("Julien Roche", "aucun village ne sera oublié par l'État")],
            ),
        ],
        max_bullets=DEFAULT_MAX_BULLETS,
    )
    assert [c.speaker for c in story.briefing.claims] == ["Julien Roche", "Claire Dumont", "Julien Roche"]
    assert story.claim_sources == ((0,), (1,), (1,))


def test_merged_corpus_story(corpus: list[dict[str, Any]], stored: list[dict[str, Any]]) -> None:
    items = [d for d, a in zip(stored, corpus, strict=True) if a["story"] == "greve-infirmiers"]
    story = merge_story(items, max_bullets=DEFAULT_MAX_BULLETS)
    top = [a.name for a in story.briefing.actors[:6]]
    assert len(story.sources) == 4
    assert {"Nadia Benali", "Claire Dumont", "Bernard Lefort"} <= set(top), top
    assert not any("Dépêche" in name for name in top)  # the outlet of a dateline is not an actor
    assert 3 <= len(story.briefing.bullets) <= 6
    assert not story.briefing.bullets[0].startswith("LYON")  # no dateline in the lead
    assert story.briefing.bullets[-1].startswith("Acteurs : ")
    assert len(story.claim_sources) == len(story.briefing.claims)


# ---------------------------------------------------------------------------------------------- ranking


def one_story(name: str, *, lead: str, sources: int, hours_ago: float) -> Story:
    published = (NOW - timedelta(hours=hours_ago)).isoformat()
    return merge_story(
        [
            stored_dict(f"https://o{i}.example/{name}", actors=[(lead, "person", 1.0)], published=published)
            for i in range(sources)
        ],
        max_bullets=DEFAULT_MAX_BULLETS,
    )


def test_rank_prefers_more_sources_then_recency() -> None:
    stories = [
        one_story("old", lead="A Un", sources=3, hours_ago=20),
        one_story("big", lead="B Deux", sources=4, hours_ago=2),
        one_story("small", lead="C Trois", sources=1, hours_ago=1),
        one_story("fresh", lead="D Quatre", sources=3, hours_ago=1),
    ]
    ranked = rank_stories(stories, now=NOW)
    assert [s.id.rsplit("/", 1)[1] for s in ranked] == ["big", "fresh", "old", "small"]
    assert len(rank_stories(stories, now=NOW, limit=2)) == 2


def test_rank_does_not_let_one_actor_fill_the_digest() -> None:
    roche = [one_story(f"roche{i}", lead="Julien Roche", sources=4, hours_ago=i) for i in range(4)]
    other = one_story("dumont", lead="Claire Dumont", sources=2, hours_ago=6)
    ranked = [s.id.rsplit("/", 1)[1] for s in rank_stories([*roche, other], now=NOW, limit=3)]
    assert ranked == ["roche0", "roche1", "dumont"]
    unlimited = rank_stories([*roche, other], now=NOW, limit=3, max_per_actor=3)
    assert [s.id.rsplit("/", 1)[1] for s in unlimited] == ["roche0", "roche1", "roche2"]
    assert len(rank_stories([*roche, other], now=NOW, limit=5)) == 5  # penalised, not dropped


def test_briefing_from_json_reads_back_to_json(stored: list[dict[str, Any]]) -> None:
    for data in stored:
        briefing = Briefing.from_json(data)
        assert briefing.to_json() == {k: data[k] for k in briefing.to_json()}
        assert briefing.article.published == datetime.fromisoformat(data["published"])
