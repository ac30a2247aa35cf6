"""Briefing → neutral bullets (plain strings), and the plain text / Markdown / JSON views of the CLI.

The bullets of a briefing are its lead, its voices and a line of key actors:

- the lead is the article's first sentence, whole: when it is long it loses its parentheses, an opening
  apposition, then its trailing clauses, cut at a clause boundary outside quotes, and still ends as a
  sentence (`condense`);
- a voice is one speaker (an actor under any of its names) with the claims of theirs that fit in one
  bullet. Voices are picked so that every side is heard: each distinct speaker once, the most salient
  first, before anyone a second time; a speaker the lead already names with their claim has been heard
  once, and a speaker left as a bare pronoun is not shown. A denial and the claim it answers go first,
  side by side in one bullet when they fit ("X accuse : A — Y dément : B") (`pick_voices`);
- the actors line names the eight most salient actors.

Chat adapters format bullets for their platform themselves; nothing here escapes for a platform.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from briefings.actors import load_gazetteer, norm
from briefings.models import Actor, Briefing, Claim

BULLET_MAX = 280
# A lead longer than this is shortened to a whole sentence (below BULLET_MAX: the lead is read first).
LEAD_MAX = 220
# The lead is looked for in the first LEAD_SCAN characters only.
LEAD_SCAN = 2000
# The key actors: the first of the actors' ranking, named in the actors line.
KEY_ACTORS = 8
# A speaker nobody resolved to an actor ("a spokeswoman", "the report") weighs as an actor of this salience.
UNNAMED_SALIENCE = 0.3

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "actors": "Acteurs",
        "colon": " : ",
        "and": " ; ",
        "denial": "dément",
        "accusation": "accuse",
        "promise": "promet",
        "warning": "avertit",
        "estimate": "estime",
        "no_claims": "Aucune déclaration attribuée.",
    },
    "en": {
        "actors": "Key actors",
        "colon": ": ",
        "and": "; ",
        "denial": "denies",
        "accusation": "accuses",
        "promise": "promises",
        "warning": "warns",
        "estimate": "estimates",
        "no_claims": "No attributed claims.",
    },
}
_QUOTES = {"fr": ("« ", " »"), "en": ("“", "”")}
_QUOTE_MARKS = frozenset('"«»“”„')
# "PARIS, 3 mai (Reuters) — " / "date 2023-10 (Bloomberg) — " / "WASHINGTON (AP) -" at the start of a lead
_DATELINE = re.compile(r"^[^\n.!?]{0,60}?\([A-Z][\w .&-]{1,30}\)\s*[—–-]+\s*")
# The end of a sentence: final punctuation, maybe a closing quote, then a space and a capital, a quote or a
# digit — or, glued by a lost space, a lowercase word's period right before a capitalised word ("fin.Le").
_SENTENCE_END = re.compile(
    r"[.!?…][»”\"]?(?=\s+[«“\"A-ZÀ-Ý0-9])|(?<=[a-zà-ÿ])[»”\"]?[.!?](?=[A-ZÀ-Ý][a-zà-ÿ'’])"
)
_LAST_WORD = re.compile(r"(\S+)$")
_PARENTHESES = re.compile(r"\s*\([^()]*\)")


def labels(lang: str | None) -> dict[str, str]:
    return LABELS.get(lang or "en", LABELS["en"])


def shorten(text: str, limit: int = BULLET_MAX) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis when longer than ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"


# -------------------------------------------------------------------------------------------------- lead


def first_sentence(text: str, *, lang: str | None = None) -> tuple[str, int] | None:
    """The first sentence of ``text``'s first paragraph, without its dateline, and the offset in ``text``
    where it ends. A period after a title or an initial ("M.", "Dr.", "J.") ends no sentence. Only the
    first ``LEAD_SCAN`` characters are read (hostile input: one sentence of a megabyte)."""
    head = text[:LEAD_SCAN]
    start = len(head) - len(head.lstrip())
    paragraph = head[start:].split("\n", 1)[0]
    dateline = _DATELINE.match(paragraph)
    skip = dateline.end() if dateline else 0
    abbreviations = {t for t in load_gazetteer(lang or "en").titles if len(t.rstrip(".")) <= 4}
    end = len(paragraph)
    for match in _SENTENCE_END.finditer(paragraph, skip):
        word = _LAST_WORD.search(paragraph, 0, match.start())
        last = word.group(1).lstrip('«“"(') if word else ""
        if re.fullmatch(r"(?:[A-ZÀ-Ý]\.-?)*[A-ZÀ-Ý]", last) or norm(last) in abbreviations:
            continue
        end = match.end()
        break
    sentence = paragraph[skip:end].strip()
    return (sentence, start + end) if sentence else None


def condense(sentence: str, *, limit: int = LEAD_MAX, lang: str | None = None) -> str:
    """``sentence`` on one line, still a whole sentence. When longer than ``limit`` it loses, until it
    fits: its parentheses; the apposition after a name that opens it ("Jean Dupont, un ancien maire,
    a dit" -> "Jean Dupont a dit"); its trailing clauses, cut where a clause or an adjunct starts (a
    semicolon, a dash, or a comma before a conjunction, a relative or a participle), outside quotes. It
    ends with its own final punctuation or a period. A sentence with no such place is kept whole up to
    ``BULLET_MAX``; beyond, it is cut at such a place, else before its last "and", else at its last comma,
    and only with none of these at a word, with an ellipsis. The words that open clauses, conjunctions and
    articles are the ``lang`` lexicon's [grammar] sets (every language's when ``lang`` is None)."""
    words = _words(lang)
    text = " ".join(sentence.split())
    if len(text) <= limit:
        return text
    text = _PARENTHESES.sub("", text)
    text = words.opening_apposition.sub(r"\1", text, count=1) if len(text) > limit else text
    if len(text) <= limit:
        return text
    ending = text[-1] if text[-1] in ".!?" else "."
    for pattern, most in (
        (words.clause_start, limit),
        (None, BULLET_MAX),
        (words.clause_start, BULLET_MAX),
        (words.conjunction, BULLET_MAX),
        (_ANY_BREAK, BULLET_MAX),
    ):
        if pattern is None:
            if len(text) <= most:
                return text
            continue
        cuts = [m.start() for m in pattern.finditer(text, 0, most) if _outside_quotes(text[: m.start()])]
        cuts = [c for c in cuts if len(text[:c].split()) >= 6]
        if cuts:
            return text[: cuts[-1]].rstrip(" ,;:—–-") + ending
    return shorten(text)


@dataclass(frozen=True, slots=True)
class _Words:
    """A language's word sets of the bullets (lexicon [grammar]), as patterns."""

    opening_apposition: re.Pattern[str]  # a name opening a sentence, then an apposition in commas
    clause_start: re.Pattern[str]  # where a trailing clause or adjunct may be dropped
    conjunction: re.Pattern[str]  # before a coordinating conjunction
    pronoun: re.Pattern[str]  # a bare pronoun (fullmatch on a normalised speaker)


LANGS = ("fr", "en")


@cache
def _words(lang: str | None) -> _Words:
    """The bullets' patterns for ``lang``, or for every language when None."""
    sets: dict[str, set[str]] = {}
    for code in (lang,) if lang in LANGS else LANGS:
        for name, ws in load_gazetteer(code).grammar.items():
            sets.setdefault(name, set()).update(ws)

    def alternation(name: str, *, normalised: bool = False) -> str:
        ws = sorted((norm(w) if normalised else w for w in sets.get(name, ())), key=len, reverse=True)
        return "|".join(re.escape(w).replace("'", "['’]") for w in ws) or "(?!)"

    participle = (
        rf"(?!(?:{alternation('not_participles')})\b)[a-zà-ÿ]{{3,}}(?:{alternation('participle_suffix')})\b"
    )
    gerund = rf"(?:{alternation('gerund_marker')}) \w+(?:{alternation('participle_suffix')})\b"
    inverted = rf".*-(?:t-)?(?:{alternation('subject_pronouns')})\W*"
    return _Words(
        opening_apposition=re.compile(
            r"^((?:[A-ZÀ-Ý][\w'’.-]*\s){0,3}[A-ZÀ-Ý][\w'’.-]*),\s"
            rf"(?:{alternation('articles')})\b[^,;«»“”\"()]{{2,120}},(?=\s)"
        ),
        clause_start=re.compile(
            r"\s*(?:[;:]|\s[—–])\s+|,\s+(?=(?:"
            + "|".join([alternation("clause_openers"), gerund, participle])
            + r")\b)"
        ),
        conjunction=re.compile(rf"\s(?=(?:{alternation('conjunctions')})\s)"),
        pronoun=re.compile(
            rf"(?:{inverted}|{alternation('pronouns', normalised=True)})",
            re.IGNORECASE,
        ),
    )


_ANY_BREAK = re.compile(r"\s*(?:[,;:]|\s[—–-])\s+")


def _outside_quotes(text: str) -> bool:
    """Whether the end of ``text`` lies outside any quotation and parenthesis."""
    straight = text.count('"') % 2 == 0
    return (
        straight
        and text.count("«") <= text.count("»")
        and text.count("“") <= text.count("”")
        and text.count("(") <= text.count(")")
    )


# ------------------------------------------------------------------------------------------------ voices


@dataclass(frozen=True, slots=True)
class Voice:
    """One speaker in a bullet: the name shown, its role, and the claims of theirs it carries (text order)."""

    speaker: str
    role: str | None
    claims: tuple[Claim, ...]


def claim_bullet(claim: Claim, *, lang: str | None) -> str:
    """ "Speaker (role) : content", with the stance verb for denials, accusations, promises, warnings."""
    return voice_bullet([Voice(claim.speaker, claim.speaker_role, (claim,))], lang=lang)


def voice_bullet(voices: Sequence[Voice], *, lang: str | None) -> str:
    """One bullet of one or more voices: "Speaker (role) dément : A ; B ; accuse : C" — a speaker's
    claims with the stance verb said again only where it changes — and an answer after a dash:
    "X accuse : A — Y dément : B"."""
    return shorten(_bullet_text(voices, lang=lang))


def _bullet_text(voices: Sequence[Voice], *, lang: str | None) -> str:
    return _SIDES.join(_voice_text(v, lang=lang) for v in voices)


_SIDES = " — "


def _voice_text(voice: Voice, *, lang: str | None) -> str:
    lab = labels(lang)
    who = voice.speaker[:1].upper() + voice.speaker[1:]
    if voice.role:
        who += f" ({voice.role})"
    parts: list[str] = []
    previous: str | None = None
    for claim in voice.claims:
        verb = lab.get(claim.kind) if claim.kind in _VERB_KINDS else None
        content = _content(claim, lang=lang)
        if not parts:
            parts.append(f"{f'{who} {verb}' if verb else who}{lab['colon']}{content}")
        elif verb and verb != previous:
            parts.append(f"{verb}{lab['colon']}{content}")
        else:
            parts.append(content)
        previous = verb
    return lab["and"].join(parts)


_VERB_KINDS = frozenset({"denial", "accusation", "promise", "warning", "estimate"})


def _content(claim: Claim, *, lang: str | None) -> str:
    content = claim.text.strip().rstrip(".,;:")
    if claim.kind == "quote" and not _QUOTE_MARKS.intersection(content):  # its own marks: already a quote
        opening, closing = _QUOTES.get(lang or "en", _QUOTES["en"])
        content = f"{opening}{content}{closing}"
    return content


def pick_voices(
    briefing: Briefing, *, limit: int, carried: Collection[Claim] = ()
) -> list[tuple[Voice, ...]]:
    """Up to ``limit`` bullets of voices, in text order, so that every side is heard.

    Speakers are taken by salience (the actors' ranking: the key actors of the actors line first, then
    other actors, an unresolved speaker weighing ``UNNAMED_SALIENCE``), each with their best claim, so
    that a distinct speaker is heard once before
    any is heard twice; the speakers of ``carried`` claims (those the lead already carries, left out
    here) count as heard once. A denial and the claim it answers (see `answers`) go first, heard
    together in one bullet when it fits. A speaker's later claim
    joins their bullet when it fits, else takes a bullet of its own in a later round. A speaker's best
    claim is a strong stance, of a readable length, early in the article. Claims too short to say anything
    (see `_usable`) and claims by a bare pronoun are left out."""
    if limit <= 0:
        return []
    lang = briefing.article.lang
    place = {c: i / max(len(briefing.claims), 1) for i, c in enumerate(briefing.claims)}
    usable = [c for c in briefing.claims if c not in carried and _usable(c)]
    groups = _by_speaker(briefing.actors, usable, lang=lang)
    speaker = {c: name for name, claims in groups.items() for c in claims}
    queues = {name: sorted(cs, key=lambda c: _claim_rank(c, place=place[c])) for name, cs in groups.items()}
    weight = {name: _salience(name, briefing.actors) for name in queues}
    rounds = {name: 1 for name in _by_speaker(briefing.actors, list(carried), lang=lang)}
    pairs = _pairs(answers(usable, speaker=speaker), weight=weight, speaker=speaker, heard=rounds)
    bullets: list[list[Voice]] = []
    own: dict[str, int] = {}  # speaker -> index of their first bullet
    while pending := [n for n, q in queues.items() if q]:
        name = min(pending, key=lambda n: (rounds.get(n, 0), n not in pairs, -weight[n]))
        claims = pairs.pop(name, None) or [queues[name][0]]
        for claim in claims:
            pairs.pop(speaker[claim], None)
            queues[speaker[claim]].remove(claim)
            rounds[speaker[claim]] = rounds.get(speaker[claim], 0) + 1
        if len(bullets) >= limit and not any(speaker[c] in own for c in claims):
            continue  # no bullet left to take them, nor one of their speakers' own to join
        voices = [_voice(speaker[c], [c]) for c in claims]
        if len(_bullet_text(voices, lang=lang)) > BULLET_MAX:  # a pair too long for one bullet
            for voice in voices:
                _place([voice], bullets=bullets, own=own, limit=limit, lang=lang)
        else:
            _place(voices, bullets=bullets, own=own, limit=limit, lang=lang)
    return sorted((tuple(b) for b in bullets), key=lambda b: min(c.start for v in b for c in v.claims))


def _place(
    voices: list[Voice], *, bullets: list[list[Voice]], own: dict[str, int], limit: int, lang: str | None
) -> None:
    """Put ``voices`` in one bullet: a lone voice joins its speaker's bullet when it fits there, else a
    new bullet is taken while fewer than ``limit``."""
    if len(voices) == 1 and voices[0].speaker in own:
        name = voices[0].speaker
        if _joined(bullets[own[name]], name, voices[0].claims[0], lang=lang):
            return
    if len(bullets) < limit:
        for voice in voices:
            own.setdefault(voice.speaker, len(bullets))
        bullets.append(voices)


def answers(claims: Sequence[Claim], *, speaker: Mapping[Claim, str]) -> dict[Claim, Claim]:
    """Each denial -> the claim it answers: the nearest accusation by someone else (before it, else
    after it), else the last claim before it by someone else ("Y said the vote was rushed. X rejected
    the criticism")."""
    answered: dict[Claim, Claim] = {}
    for claim in claims:
        if claim.kind != "denial":
            continue
        others = [c for c in claims if speaker[c] != speaker[claim]]
        before = [c for c in others if c.start < claim.start]
        after = [c for c in others if c.start > claim.start and c.kind == "accusation"]
        accusations = [c for c in before if c.kind == "accusation"]
        found = accusations[-1:] or after[:1] or before[-1:]
        if found:
            answered[claim] = found[0]
    return answered


def _pairs(
    answered: Mapping[Claim, Claim],
    *,
    weight: Mapping[str, float],
    speaker: Mapping[Claim, str],
    heard: Collection[str],
) -> dict[str, list[Claim]]:
    """Speaker -> [claim, its denial], for the speakers of both; each speaker in one pair at most (the
    pair of the most salient speakers first), and none already heard."""
    pairs: dict[str, list[Claim]] = {}
    ranked = sorted(answered.items(), key=lambda da: -max(weight[speaker[da[0]]], weight[speaker[da[1]]]))
    for denial, claim in ranked:
        names = (speaker[claim], speaker[denial])
        if not any(n in pairs or n in heard for n in names):
            pairs.update({n: [claim, denial] for n in names})
    return pairs


def _joined(bullet: list[Voice], name: str, claim: Claim, *, lang: str | None) -> bool:
    """Add ``claim`` to ``name``'s voice in ``bullet`` when the bullet still fits; whether it did."""
    i = next(i for i, v in enumerate(bullet) if v.speaker == name)
    voices = [*bullet[:i], _voice(name, [*bullet[i].claims, claim]), *bullet[i + 1 :]]
    if len(_bullet_text(voices, lang=lang)) > BULLET_MAX:
        return False
    bullet[:] = voices
    return True


_NOT_WORD = re.compile(r"[^\w' -]+")


def _usable(claim: Claim) -> bool:
    """A claim worth a bullet: three words or more (two for a denial: "denies: any wrongdoing"), by a
    speaker who is more than a bare pronoun (of any language: a quoted speaker may be in another)."""
    words = len(claim.text.split())
    bare = _NOT_WORD.sub("", norm(claim.speaker)).strip(" -")
    return words >= (2 if claim.kind == "denial" else 3) and not _words(None).pronoun.fullmatch(bare)


def _by_speaker(
    actors: Sequence[Actor], claims: Sequence[Claim], *, lang: str | None = None
) -> dict[str, list[Claim]]:
    """Claims grouped by who speaks: a speaker named by an actor's name or alias, by a longer form
    holding an actor's full name ("Jean Dupont, maire de X"), or by a description whose head noun is an
    unnamed actor ("the regional agency" and "the agency"; « l'agence régionale » and « l'agence »),
    goes with that actor."""
    names = {norm(a): actor.name for actor in actors for a in (actor.name, *actor.aliases)}
    full = [(set(norm(a.name).split()), a.name) for a in actors if len(a.name.split()) > 1]
    nouns = {norm(a.name): a.name for a in actors if a.name.islower() and len(a.name.split()) == 1}
    groups: dict[str, list[Claim]] = {}
    for claim in claims:
        key = norm(claim.speaker)
        said = re.findall(r"[\w'-]+", key)
        name = (
            names.get(key)
            or next((n for ws, n in full if ws <= set(said)), None)
            or (nouns.get(_head(said, lang=lang)) if claim.speaker[:1].islower() else None)
            or claim.speaker
        )
        groups.setdefault(name, []).append(claim)
    return groups


def _head(words: Sequence[str], *, lang: str | None) -> str:
    """The head noun of a short description: its first word in French, its last in English (with no
    "of" phrase after it); "" when there is no telling."""
    if not words or len(words) > 3:
        return ""
    if lang == "fr":
        return words[0]
    return words[-1] if "of" not in words else ""


def _salience(name: str, actors: Sequence[Actor]) -> float:
    """A speaker's weight: a key actor's (one of the actors line) above 1, another actor's its salience in
    [0, 1], an unresolved speaker's ("the report", "a spokeswoman") ``UNNAMED_SALIENCE``."""
    rank = next((i for i, a in enumerate(actors) if a.name == name), None)
    if rank is None:
        return UNNAMED_SALIENCE
    return actors[rank].salience + (1.0 if rank < KEY_ACTORS else 0.0)


def _claim_rank(claim: Claim, *, place: float) -> float:
    """Lower is better: a strong stance, a readable length, an early place."""
    words = len(claim.text.split())
    rank = place - (0.3 if claim.kind in _VERB_KINDS else 0.1 if claim.kind == "quote" else 0.0)
    return rank - (0.3 if 5 <= words <= 45 else 0.0)


def _voice(name: str, claims: list[Claim]) -> Voice:
    claims = sorted(claims, key=lambda c: c.start)
    role = next((c.speaker_role for c in claims if c.speaker_role), None)
    return Voice(name, None if role and norm(role) in norm(name) else role, tuple(claims))


# ----------------------------------------------------------------------------------------------- bullets


def lead_claims(lead: str, claims: Iterable[Claim], *, before: int) -> list[Claim]:
    """The claims (starting before offset ``before``) that ``lead`` carries: it names their speaker and
    holds at least half the words of what they said."""
    said = set(re.findall(r"\w+", norm(lead)))
    carried: list[Claim] = []
    for claim in claims:
        name = re.findall(r"\w+", norm(claim.speaker))
        content = re.findall(r"\w+", norm(claim.text))
        if claim.start < before and name and set(name) <= said and content:
            if sum(w in said for w in content) * 2 >= len(content):
                carried.append(claim)
    return carried


def make_bullets(briefing: Briefing, *, max_bullets: int = 6) -> list[str]:
    """The lead, the voices as "Speaker (role) : claim ; claim", then a line of key actors; at most
    ``max_bullets`` in all."""
    lang = briefing.article.lang
    lab = labels(lang)
    first = first_sentence(briefing.article.text, lang=lang)
    lead = condense(first[0], lang=lang) if first else None
    actors = [a.name for a in briefing.actors[:KEY_ACTORS]]
    room = max(0, max_bullets - (1 if lead else 0) - (1 if actors else 0))
    carried = lead_claims(lead, briefing.claims, before=first[1]) if lead and first else []
    bullets = [lead] if lead else []
    bullets += [voice_bullet(b, lang=lang) for b in pick_voices(briefing, limit=room, carried=carried)]
    if actors:
        bullets.append(shorten(f"{lab['actors']}{lab['colon']}{', '.join(actors)}"))
    return bullets[:max_bullets]


def as_text(briefing: Briefing) -> str:
    head = briefing.article.title or briefing.article.source
    return "\n".join([head, *(f"• {b}" for b in briefing.bullets)])


def as_markdown(briefing: Briefing) -> str:
    title = briefing.article.title or briefing.article.source
    link = f" ([source]({briefing.article.url}))" if briefing.article.url else ""
    return "\n".join([f"### {title}{link}", "", *(f"- {b}" for b in briefing.bullets)])


def as_json(briefing: Briefing) -> str:
    return json.dumps(briefing.to_json(), ensure_ascii=False)
