"""Quote structure (issue 9, item 3): own sentences -> expected (speaker, kind, content); each row fails
without the rule its comment names."""

from __future__ import annotations

from typing import Any

import pytest

from briefings.claims.text import quote_spans
from tests.claim_tables import table


def quoted(text: str) -> list[str]:
    return [text[s + 1 : e] for s, e in quote_spans(text)]


SPANS = [
    # a stray closing mark (its opening one lost) is skipped, not paired with the next opening one
    (
        'Le maire parlait de travaux urgents". Il a ensuite promis "une école neuve" et "un parc" au quartier.',
        ["une école neuve", "un parc"],
    ),
    # a quote left open at a paragraph break and reopened in the next paragraph: one per paragraph
    (
        'She said: "We will rebuild the bridge.\n\n"It will take two years."',
        ["We will rebuild the bridge.", "It will take two years."],
    ),
    # an opening mark while a quotation is open, with no sentence end before it: the first was stray
    (
        'Le club parle d\'un "accord et le joueur dément "toute signature" avec Lyon.',
        ["toute signature"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), SPANS)
def test_quote_pairing(text: str, expected: list[str]) -> None:
    assert quoted(text) == expected


CASES = [
    # a stray closing mark no longer shifts every later pairing: the quote keeps its own speaker
    (
        "fr",
        'Le chantier a pris du retard". La maire Claire Dubois a déclaré : "Nous tiendrons les délais '
        'de livraison". Le préfet Jean Moreau a répondu que "rien ne presse pour les riverains".',
        [
            ("Claire Dubois", "quote", "Nous tiendrons les délais de livraison"),
            ("Jean Moreau", "quote", "rien ne presse pour les riverains"),
        ],
    ),
    # a quote reopened in each paragraph stays with its speaker, one claim per paragraph
    (
        "en",
        'Mayor Ann Lee told reporters: "We will rebuild the old bridge this year.\n\n'
        '"The work will take two full years and cost far less than the new road."',
        [
            ("Mayor Ann Lee", "quote", "We will rebuild the old bridge this year."),
            (
                "Mayor Ann Lee",
                "quote",
                "The work will take two full years and cost far less than the new road.",
            ),
        ],
    ),
]


CASES += [
    # a run of quotations linked by punctuation or linking words is one speaker's, whose cue ends the run
    (
        "fr",
        '"Nous irons jusqu\'au bout", même si "la négociation sera longue", a affirmé la ministre Claire Dubois.',
        [
            ("Claire Dubois", "quote", "Nous irons jusqu'au bout"),
            ("Claire Dubois", "quote", "la négociation sera longue"),
        ],
    ),
    (
        "en",
        'The talks collapsed on Monday. "We are not afraid of a long strike." "We will fight for every job," '
        "union leader Ann Lee said.",
        [
            ("union leader Ann Lee", "quote", "We are not afraid of a long strike."),
            ("union leader Ann Lee", "quote", "We will fight for every job,"),
        ],
    ),
    # a headline's attribution: a paragraph opening with a name and a colon before the quotation
    (
        "fr",
        "La grève continue.\nPaul Martin : « Nous ne céderons rien sur les salaires »",
        [("Paul Martin", "quote", "Nous ne céderons rien sur les salaires")],
    ),
    (
        "en",
        'Union leader Ann Lee: "We will strike until the plant stays open"',
        [("Union leader Ann Lee", "quote", "We will strike until the plant stays open")],
    ),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_quote_structure(
    nlps: dict[str, Any], lang: str, text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert table(nlps, lang, text) == expected
