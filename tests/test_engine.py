"""End to end through the engine: the seed article and our own sample articles."""

from pathlib import Path

import pytest

from bot.settings import DEFAULT_MAX_BULLETS, DEFAULT_PIPELINES
from briefings.engine import BriefingError, LocalEngine
from briefings.loading import load_path
from briefings.models import Article, Briefing, Claim
from briefings.render import claim_bullet

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine(pipelines=DEFAULT_PIPELINES, max_bullets=DEFAULT_MAX_BULLETS)


@pytest.fixture(scope="module")
def seed(engine: LocalEngine) -> Briefing:
    return engine.brief(load_path(SEEDS / "2023-10-lavrov-pyongyang.fr.txt"))


def claims_by(briefing: Briefing, speaker: str) -> list[str]:
    return [c.text for c in briefing.claims if c.speaker == speaker]


def test_seed_language_and_key_actors(seed: Briefing) -> None:
    top = [a.name for a in seed.actors[:8]]
    assert seed.article.lang == "fr"
    for name in [
        "Sergueï Lavrov",
        "Corée du Nord",
        "Russie",
        "Kim Jong Un",
        "Vladimir Poutine",
        "États-Unis",
    ]:
        assert name in top, (name, top)


@pytest.mark.parametrize(
    ("speaker", "fragment"),
    [
        ("John Kirby", "1 000 conteneurs"),
        ("Dmitri Peskov", "les détails de la visite de Poutine"),
        ("Siegfried Hecker", "réacteur expérimental"),
        ("Rachel Minyoung Lee", "La crise actuelle au Moyen-Orient"),
        ("Sergueï Lavrov", "les deux dirigeants discuteraient"),
    ],
)
def test_seed_claims_are_credited_to_their_speakers(seed: Briefing, speaker: str, fragment: str) -> None:
    assert any(fragment in text for text in claims_by(seed, speaker)), claims_by(seed, speaker)


def test_seed_roles_and_evidence_offsets(seed: Briefing) -> None:
    peskov = next(a for a in seed.actors if a.name == "Dmitri Peskov")
    assert peskov.role == "porte-parole du Kremlin"
    for claim in seed.claims:
        assert seed.article.text[claim.start : claim.end] == claim.text


def test_seed_bullets(seed: Briefing) -> None:
    assert 3 <= len(seed.bullets) <= 6
    assert all(len(b) <= 280 for b in seed.bullets)
    assert seed.bullets[-1].startswith("Acteurs : Sergueï Lavrov")


def test_denial_and_quote_in_our_english_sample(engine: LocalEngine) -> None:
    briefing = engine.brief(load_path(SEEDS / "2026-11-harbour-bridge-vote.en.txt"))
    kinds = {(c.speaker, c.kind) for c in briefing.claims}
    assert briefing.article.lang == "en"
    assert ("Helen Darcy", "quote") in kinds
    assert ("Harbour Voices", "denial") in kinds
    assert ("Daniel Okafor", "quote") in kinds
    assert briefing.bullets[-1].startswith("Key actors: ")


def test_unsupported_language_is_refused_with_the_available_ones(engine: LocalEngine) -> None:
    article = Article(
        text="Der Minister sagte am Montag, dass die Regierung die Steuern senken werde.", source="de.txt"
    )
    with pytest.raises(BriefingError) as caught:
        engine.brief(article)
    assert str(caught.value) == "de.txt: language 'de' is not supported (available: en, fr)"


def test_language_is_read_further_before_an_article_is_refused(engine: LocalEngine) -> None:
    figures = "12,5 % | 3 400 | 17:45 | 2026-11-25 | " * 12  # an opening that names no language
    text = figures + "Le gouvernement a annoncé lundi que la réforme des retraites serait votée en mars."
    assert engine.with_language(Article(text=text, source="chiffres.txt")).lang == "fr"


def test_max_bullets_is_respected(engine: LocalEngine) -> None:
    article = load_path(SEEDS / "2026-11-greve-des-controleurs.fr.txt")
    assert len(engine.brief(article, max_bullets=2).bullets) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a campaign, aides or a group named after a person are not that person
        (
            "Senator Paul Mercer toured Ohio on Friday. The Mercer campaign said that the senator would "
            "debate twice in October.",
            [("Mercer campaign", "the senator would debate twice in October")],
        ),
        # a plural demonym speaks as a group, not as the union its singular names
        (
            "The European Union opened talks with Canada. Europeans especially say the treaty will lower "
            "food standards.",
            [("Europeans", "the treaty will lower food standards")],
        ),
        # a role description resolved to the person with that role, however far back
        (
            "Green co-leader Ada Brennan toured the port on Monday. The dockers met the council. The "
            "council met the dockers. The port lost money. The mayor was absent. The ships were late. "
            "The cranes were idle. The rain fell. The wind rose. The tide turned. The Green co-leader said "
            "the harbour would be dredged next year.",
            [("Ada Brennan", "the harbour would be dredged next year")],
        ),
    ],
)
def test_speakers_resolve_to_actors_or_stay_descriptions(
    engine: LocalEngine, text: str, expected: list[tuple[str, str]]
) -> None:
    briefing = engine.brief(Article(text=text, source="sample.txt", lang="en"))
    assert [(c.speaker, c.text) for c in briefing.claims] == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("we will go to court", "en", "Ann Lee (mayor): “we will go to court”"),
        ("nous irons en justice", "fr", "Ann Lee (mayor) : « nous irons en justice »"),
        # a partial quote inside reported speech keeps its own marks, never wrapped in a second pair
        (
            'the bridge would "cut commuting times in half"',
            "en",
            'Ann Lee (mayor): the bridge would "cut commuting times in half"',
        ),
        (
            "le pont « divisera par deux » les trajets",
            "fr",
            "Ann Lee (mayor) : le pont « divisera par deux » les trajets",
        ),
    ],
)
def test_quote_bullets_are_wrapped_in_marks_once(text: str, lang: str, expected: str) -> None:
    claim = Claim(
        speaker="Ann Lee", cue="said", text=text, kind="quote", start=0, end=len(text), speaker_role="mayor"
    )
    assert claim_bullet(claim, lang=lang) == expected
