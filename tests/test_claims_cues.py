"""Cue coverage (issue 9, item 2): own sentences -> expected (speaker, kind, content); each row fails
without the rule its comment names."""

from __future__ import annotations

import pytest

from briefings.claims import load_cues
from tests.claim_tables import table

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
    # « faire savoir que P » / « faire valoir que P »: a two-word cue reports P, not « savoir que P »
    (
        "fr",
        "Le colonel Jean Morel, chef de la base aérienne de Tours où travaillait le soldat, a fait savoir qu'il "
        "n'avait « jamais reçu la moindre plainte ».",
        [("Jean Morel", "quote", "il n'avait « jamais reçu la moindre plainte »")],
    ),
    (
        "fr",
        "La directrice Claire Dumas a fait valoir que le budget était tenu.",
        [("Claire Dumas", "statement", "le budget était tenu")],
    ),
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
