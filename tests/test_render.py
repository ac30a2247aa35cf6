"""Bullets from briefings built by hand: every side heard, answers kept, a whole lead, neutral text.

The articles, names and sentences here are invented for these tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from briefings.actors import load_gazetteer
from briefings.models import Actor, Article, Briefing, Claim
from briefings.render import condense, first_sentence, make_bullets

LEAD = "The town council of Eastwick voted on Tuesday to close the old ferry pier."


def briefing(
    body: str,
    claims: Sequence[tuple[str, str, str]],
    *,
    actors: Sequence[tuple[str, float]] = (),
    lang: str = "en",
) -> Briefing:
    """A briefing of ``LEAD`` + ``body``: claims as (speaker, kind, text), each text found in the body."""
    text = f"{LEAD}\n\n{body}"
    return Briefing(
        article=Article(text=text, lang=lang, source="test"),
        actors=tuple(Actor(name=n, kind="person", salience=s) for n, s in actors),
        claims=tuple(
            Claim(
                speaker=who,
                cue="said",
                text=what,
                kind=kind,  # type: ignore[arg-type]
                start=text.index(what),
                end=text.index(what) + len(what),
            )
            for who, kind, what in claims
        ),
    )


def speakers_of(bullets: Sequence[str], names: Sequence[str]) -> list[list[str]]:
    """For each claim bullet (between the lead and the actors line), the names it starts or carries."""
    return [[n for n in names if n in b] for b in bullets[1:-1]]


# Ann Ray speaks four times, the three others once each: all four are heard in the four claim bullets.
MANY = briefing(
    "Ann Ray said the pier had been unsafe for years. She said repairs would cost far more than a new one. "
    "She added that the ferry would move to the north quay next month. Ray said the council had no other choice. "
    "Bo Lind said the closure would ruin the fish market on the waterfront. "
    "Cy Moss said the quay could not take the larger boats. Di Park said the vote broke a promise made in 2020.",
    [
        ("Ann Ray", "statement", "the pier had been unsafe for years"),
        ("Ann Ray", "statement", "repairs would cost far more than a new one"),
        ("Ann Ray", "statement", "the ferry would move to the north quay next month"),
        ("Ann Ray", "statement", "the council had no other choice"),
        ("Bo Lind", "statement", "the closure would ruin the fish market on the waterfront"),
        ("Cy Moss", "statement", "the quay could not take the larger boats"),
        ("Di Park", "statement", "the vote broke a promise made in 2020"),
    ],
    actors=[("Ann Ray", 1.0), ("Bo Lind", 0.6), ("Cy Moss", 0.5), ("Di Park", 0.4)],
)


def test_each_speaker_is_heard_once_before_anyone_twice() -> None:
    bullets = make_bullets(MANY)
    heard = speakers_of(bullets, ["Ann Ray", "Bo Lind", "Cy Moss", "Di Park"])
    assert sorted(n for names in heard for n in names) == ["Ann Ray", "Bo Lind", "Cy Moss", "Di Park"]


def test_one_speakers_claims_share_their_bullet_when_they_fit() -> None:
    ray = next(b for b in make_bullets(MANY) if b.startswith("Ann Ray"))
    assert ray == (
        "Ann Ray: the pier had been unsafe for years; repairs would cost far more than a new one; "
        "the ferry would move to the north quay next month; the council had no other choice"
    )


@pytest.mark.parametrize("max_bullets", range(0, 9))
def test_no_more_bullets_than_asked(max_bullets: int) -> None:
    bullets = make_bullets(MANY, max_bullets=max_bullets)
    assert (len(bullets) <= max_bullets, all(len(b) <= 280 for b in bullets)) == (True, True)


def test_a_denial_is_kept_with_the_accusation_it_answers() -> None:
    """The accused is the least salient speaker; the denial still makes the cut, in the accusation's bullet."""
    article = briefing(
        "Ann Ray said the pier had been unsafe for years. Bo Lind said the fish market would suffer. "
        "Cy Moss said the quay could not take the larger boats. Di Park said the vote broke a promise. "
        "Eve Hart accused the harbour firm of hiding the pier's state from the council. "
        "The harbour firm denied hiding anything.",
        [
            ("Ann Ray", "statement", "the pier had been unsafe for years"),
            ("Bo Lind", "statement", "the fish market would suffer"),
            ("Cy Moss", "statement", "the quay could not take the larger boats"),
            ("Di Park", "statement", "the vote broke a promise"),
            ("Eve Hart", "accusation", "the harbour firm of hiding the pier's state from the council"),
            ("harbour firm", "denial", "hiding anything"),
        ],
        actors=[("Ann Ray", 1.0), ("Bo Lind", 0.9), ("Cy Moss", 0.8), ("Di Park", 0.7), ("Eve Hart", 0.6)],
    )
    bullets = make_bullets(article)
    assert (
        "Eve Hart accuses: the harbour firm of hiding the pier's state from the council — Harbour firm denies: hiding anything"
        in bullets
    )


def test_a_denial_answers_the_claim_before_it_when_no_one_accuses() -> None:
    """With room for one claim bullet, the exchange takes it; the mayor's other claim joins her side."""
    article = briefing(
        "Ann Ray said the pier had been unsafe for years. Bo Lind said the vote had been rushed. "
        "Ray rejected the criticism.",
        [
            ("Ann Ray", "statement", "the pier had been unsafe for years"),
            ("Bo Lind", "statement", "the vote had been rushed"),
            ("Ann Ray", "denial", "the criticism"),
        ],
        actors=[("Ann Ray", 1.0), ("Bo Lind", 0.3)],
    )
    assert (
        make_bullets(article, max_bullets=3)[1]
        == "Bo Lind: the vote had been rushed — Ann Ray: the pier had been unsafe for years; denies: the criticism"
    )


def test_the_leads_own_claim_is_not_repeated_and_its_speaker_counts_as_heard() -> None:
    article = Briefing(
        article=Article(
            text="Ann Ray said the old ferry pier would close in May.\n\nRay said the pier was unsafe. "
            "Bo Lind said the fish market would suffer. Cy Moss said boats would wait longer.",
            lang="en",
        ),
        actors=(
            Actor("Ann Ray", "person", salience=1.0),
            Actor("Bo Lind", "person", salience=0.5),
            Actor("Cy Moss", "person", salience=0.4),
        ),
        claims=(
            Claim("Ann Ray", "said", "the old ferry pier would close in May", "statement", 13, 50),
            Claim("Ann Ray", "said", "the pier was unsafe", "statement", 62, 81),
            Claim("Bo Lind", "said", "the fish market would suffer", "statement", 93, 121),
            Claim("Cy Moss", "said", "boats would wait longer", "statement", 131, 154),
        ),
    )
    # one claim bullet left: Ann Ray, heard in the lead, gives way to Bo Lind
    assert make_bullets(article, max_bullets=3) == [
        "Ann Ray said the old ferry pier would close in May.",
        "Bo Lind: the fish market would suffer",
        "Key actors: Ann Ray, Bo Lind, Cy Moss",
    ]


@pytest.mark.parametrize("pronoun", ["he", "him", "il.-", "-t-elle", "ce dernier"])
def test_a_speaker_left_as_a_pronoun_gets_no_bullet(pronoun: str) -> None:
    article = briefing(
        "Ann Ray said the pier had been unsafe for years. He said nothing would change.",
        [
            ("Ann Ray", "statement", "the pier had been unsafe for years"),
            (pronoun, "statement", "nothing would change"),
        ],
        actors=[("Ann Ray", 1.0)],
    )
    assert make_bullets(article)[1:] == ["Ann Ray: the pier had been unsafe for years", "Key actors: Ann Ray"]


def test_bullets_are_platform_neutral_text() -> None:
    """Nothing is escaped or marked up for a chat platform: adapters do that."""
    article = briefing(
        'Ann Ray said "costs < 5 % & falling" was *not* true.',
        [("Ann Ray", "quote", "costs < 5 % & falling")],
        actors=[("Ann Ray", 1.0)],
    )
    assert make_bullets(article)[1] == "Ann Ray: “costs < 5 % & falling”"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("M. Rey a parlé. Puis il est parti.", "fr", "M. Rey a parlé."),  # a title's period ends nothing
        ("Le maire, M. Rey, a parlé. Puis il est parti.", "fr", "Le maire, M. Rey, a parlé."),
        ("J. K. Oduya resigned on Friday. More follows.", "en", "J. K. Oduya resigned on Friday."),
        ("The vote was close.Nobody expected it.", "en", "The vote was close."),  # a lost space
        ('Elle a dit "assez".Le débat a repris.', "fr", 'Elle a dit "assez".'),
        ("EASTWICK, 3 May (Coast Wire) — The pier closed. Boats wait.", "en", "The pier closed."),
        ("Who pays? Nobody knows.", "en", "Who pays?"),
    ],
)
def test_first_sentence(text: str, lang: str, expected: str) -> None:
    found = first_sentence(text, lang=lang)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("sentence", "limit", "expected"),
    [
        (  # short: untouched, whatever the limit
            "The council voted to close the pier.",
            200,
            "The council voted to close the pier.",
        ),
        (  # parentheses go first
            "The council of Eastwick (a town of 9,000 people on the north coast, best known for its fish market "
            "and its ferry to the islands) voted on Tuesday to close the old ferry pier after a long debate.",
            120,
            "The council of Eastwick voted on Tuesday to close the old ferry pier after a long debate.",
        ),
        (  # the apposition after the opening name
            "Ann Ray, the mayor who fought for the new quay through two elections and a court case, said on "
            "Tuesday that the old ferry pier would close in May after a vote that split the council in two.",
            120,
            "Ann Ray said on Tuesday that the old ferry pier would close in May after a vote that split the "
            "council in two.",
        ),
        (  # a trailing participle clause
            "Le conseil municipal d'Eastwick a voté mardi la fermeture de la vieille jetée du bac, mettant fin à "
            "deux ans de débats entre la mairie, les pêcheurs et les habitants du front de mer qui craignent "
            "pour leurs commerces.",
            120,
            "Le conseil municipal d'Eastwick a voté mardi la fermeture de la vieille jetée du bac.",
        ),
        (  # no cut inside a quotation
            'The mayor said the pier was "unsafe, costly, and beyond repair, as every report since 2019 has '
            'said, and as the engineers told us again this spring", while fishermen asked for more time to '
            "move their boats to the north quay before the winter storms.",
            220,
            'The mayor said the pier was "unsafe, costly, and beyond repair, as every report since 2019 has '
            'said, and as the engineers told us again this spring".',
        ),
    ],
)
def test_the_lead_is_a_whole_shortened_sentence(sentence: str, limit: int, expected: str) -> None:
    assert condense(sentence, limit=limit) == expected


def test_french_labels_and_typography() -> None:
    article = briefing(
        "Ann Ray a démenti toute faute. Bo Lind accuse la mairie de mentir.",
        [("Bo Lind", "accusation", "la mairie de mentir"), ("Ann Ray", "denial", "toute faute")],
        actors=[("Ann Ray", 1.0), ("Bo Lind", 0.5)],
        lang="fr",
    )
    assert make_bullets(article)[1:] == [
        "Bo Lind accuse : la mairie de mentir — Ann Ray dément : toute faute",
        "Acteurs : Ann Ray, Bo Lind",
    ]


def test_a_huge_comma_spliced_first_sentence_is_read_in_bounded_time() -> None:
    """Hostile input: a first 'sentence' of half a megabyte, commas and quote marks all through it."""
    text = 'Ann Ray, "the mayor", said ' + "that the pier, the quay, and the market would close, " * 10_000
    article = briefing(text, [], actors=[("Ann Ray", 1.0)])
    lead = make_bullets(
        Briefing(article=replace(article.article, text=text), actors=article.actors, claims=())
    )[0]
    assert (len(lead) <= 280, lead.startswith("Ann Ray")) == (True, True)


def test_a_key_actor_speaks_before_an_unnamed_source() -> None:
    """Bo Lind is among the key actors, however little salient: heard before "the report"."""
    article = briefing(
        "Ann Ray said the pier had been unsafe for years. The report said repairs would cost millions. "
        "Bo Lind said the fishermen had not been asked.",
        [
            ("Ann Ray", "statement", "the pier had been unsafe for years"),
            ("report", "statement", "repairs would cost millions"),
            ("Bo Lind", "statement", "the fishermen had not been asked"),
        ],
        actors=[("Ann Ray", 1.0), ("Bo Lind", 0.1)],
    )
    assert make_bullets(article, max_bullets=4)[1:3] == [
        "Ann Ray: the pier had been unsafe for years",
        "Bo Lind: the fishermen had not been asked",
    ]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_language_lexicon_holds_the_word_sets_of_the_bullets(lang: str) -> None:
    grammar = load_gazetteer(lang).grammar
    needed = {"clause_openers", "conjunctions", "articles", "pronouns", "participle_suffix"}
    assert {name for name in needed if grammar.get(name)} == needed
