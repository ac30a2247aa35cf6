"""Actor name keys (briefings/names.py): tables of names and the keys they must (not) share."""

from __future__ import annotations

import pytest

from briefings.models import Actor, Article, Briefing, Claim
from briefings.names import (
    KEY_ACTORS,
    MAX_NAME_CHARS,
    Mention,
    actor_key,
    actor_keys,
    mentions,
    spelling,
    surname,
)

SAME_KEY = [
    # accents, case, punctuation
    ("Sergueï Lavrov", "SERGUEI LAVROV"),
    ("Jean-Luc Mélenchon", "jean luc melenchon"),
    ("Recep Tayyip Erdoğan", "Recep Tayyip Erdogan"),
    ("O’Neill", "O'Neill"),
    ("Łukasz Müller", "lukasz muller"),
    ("Straße", "strasse"),
    # titles and lower-case determiners
    ("M. Lavrov", "Lavrov"),
    ("Mme Le Pen", "Le Pen"),
    ("le Kremlin", "Kremlin"),
    ("l'Élysée", "Elysée"),
    # transliteration endings (rules, not the table)
    ("Lavrow", "Lavrov"),
    ("Ivan Romanoff", "Ivan Romanov"),
    ("Pavel Popow", "Pavel Popov"),
    ("Pavel Sokoloff", "Pavel Sokolov"),
    ("Ivan Gurjew", "Ivan Gurjev"),
    ("Oleksandr Kovalskyy", "Oleksandr Kovalski"),
    ("Petro Kovalskyj", "Petro Kovalsky"),
    ("Sergey Ivanov", "Sergej Ivanov"),
    ("Dmitriy Ivanov", "Dmitrij Ivanov"),
    # the shipped table
    ("Poutine", "Vladimir Putin"),
    ("Wladimir Putin", "Vladimir Poutine"),
    ("Sergueï Lavrov", "Sergei Lavrov"),
    ("Lavrov", "Sergej Lawrow"),
    ("Zelensky", "Zelenskyy"),
    ("Zelenski", "Volodymyr Selenskyj"),
    ("Xi", "Xi Jinping"),
    ("Erdogan", "Recep Tayyip Erdoğan"),
    ("Kadhafi", "Muammar Gaddafi"),
    ("Le Kremlin", "the Kremlin"),
]

DIFFERENT_KEYS = [
    ("Le Pen", "Pen"),  # a capitalised "Le" is part of the name
    ("Marine Le Pen", "Jean-Marie Le Pen"),
    ("Poutine", "Macron"),
    ("Lavrov", "Peskov"),
    ("Ivanov", "Ivanova"),
]


@pytest.mark.parametrize(("a", "b"), SAME_KEY)
def test_same_key(a: str, b: str) -> None:
    assert actor_key(a) == actor_key(b)
    assert actor_key(a) != ""


@pytest.mark.parametrize(("a", "b"), DIFFERENT_KEYS)
def test_different_keys(a: str, b: str) -> None:
    assert actor_key(a) != actor_key(b)


KEYS = [
    ("Sergueï Lavrov", "sergei lavrov"),
    ("Jean-Luc Mélenchon", "jean luc melenchon"),
    ("Ursula von der Leyen", "ursula von der leyen"),
    ("  Kim   Jong-un ", "kim jong un"),
    ("le chef de la diplomatie russe", "chef de la diplomatie russe"),
    ("", ""),
    (" … !? ", ""),
    ("le", "le"),  # a determiner alone is a name
]


@pytest.mark.parametrize(("name", "expected"), KEYS)
def test_key(name: str, expected: str) -> None:
    assert actor_key(name) == expected


SURNAMES = [
    ("Sergueï Lavrov", "Lavrov"),
    ("Marine Le Pen", "Le Pen"),
    ("Ursula von der Leyen", "von der Leyen"),
    ("Charles de Gaulle", "de Gaulle"),
    ("Mohammed bin Salman", "bin Salman"),
    ("Lavrov", None),
]


@pytest.mark.parametrize(("name", "expected"), SURNAMES)
def test_surname(name: str, expected: str | None) -> None:
    assert surname(name) == expected


ACTOR_KEYS = [
    (
        Actor(
            name="Sergueï Lavrov", kind="person", aliases=("Lavrov",), role="le chef de la diplomatie russe"
        ),
        {"sergei lavrov", "chef de la diplomatie russe"},
    ),
    (
        Actor(name="Anne Roy", kind="person", aliases=("Mme Roy",), role="porte-parole du Parti X"),
        {"anne roy", "roy", "porte parole du parti x"},
    ),
    (Actor(name="Marine Le Pen", kind="person"), {"marine le pen", "le pen"}),
    (
        Actor(name="Banque de France", kind="organization", aliases=("la Banque",)),
        {"banque de france", "banque"},
    ),
    (Actor(name="Moscou", kind="place"), {"moscou"}),
    (
        Actor(name="Dmitri Peskov", kind="person", role="porte-parole du Kremlin"),
        {"dmitry peskov", "porte parole du kremlin"},
    ),
]


@pytest.mark.parametrize(("actor", "expected"), ACTOR_KEYS)
def test_actor_keys(actor: Actor, expected: set[str]) -> None:
    assert actor_keys(actor) == frozenset(expected)


def test_hostile_name_is_bounded() -> None:
    assert len(spelling("é" * 100_000)) == MAX_NAME_CHARS
    assert actor_key("a" * 10_000) == "a" * MAX_NAME_CHARS


def test_mentions_index_speakers_and_key_actors_not_backdrop_mentions() -> None:
    lavrov = Actor(name="Sergueï Lavrov", kind="person", aliases=("Lavrov",), mentions=3)
    kim = Actor(name="Kim Jong-un", kind="person", mentions=1)  # named once, says nothing
    report = Claim(speaker="le rapport", cue="indique", text="c", kind="statement", start=0, end=1)
    said = Claim(speaker="Lavrov", cue="a démenti", text="d", kind="denial", start=0, end=1)
    briefing = Briefing(article=Article(text=""), actors=(lavrov, kim), claims=(said, report))

    assert mentions(briefing) == (
        Mention("sergei lavrov", "key_actor", "Sergueï Lavrov", None),
        Mention("sergei lavrov", "speaker", "Sergueï Lavrov", 0),
        Mention("rapport", "speaker", "le rapport", 1),
    )


def test_key_actors_are_the_renders_actors_line() -> None:
    from briefings.render import KEY_ACTORS as RENDERED

    assert KEY_ACTORS == RENDERED
