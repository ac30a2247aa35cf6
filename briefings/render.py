"""Briefing → neutral bullets (plain strings), and the plain text / Markdown / JSON views of the CLI.

Chat adapters format bullets for their platform themselves; nothing here escapes for a platform.
"""

from __future__ import annotations

import json
import re

from briefings.models import Briefing, Claim

BULLET_MAX = 280

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "actors": "Acteurs",
        "colon": " : ",
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
_SENTENCE_END = re.compile(r"(?<=[.!?…])[»”\"]?\s+(?=[«“\"A-ZÀ-Ý0-9])")


def labels(lang: str | None) -> dict[str, str]:
    return LABELS.get(lang or "en", LABELS["en"])


def shorten(text: str, limit: int = BULLET_MAX) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis when longer than ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"


def gist(briefing: Briefing) -> str | None:
    """The lead sentence, without its dateline."""
    text = briefing.article.text.strip()
    if not text:
        return None
    lead = _DATELINE.sub("", text.split("\n", 1)[0])
    first = _SENTENCE_END.split(lead, maxsplit=1)[0]
    return shorten(first)


def claim_bullet(claim: Claim, *, lang: str | None) -> str:
    """ "Speaker (role) : content", with the stance verb for denials, accusations, promises, warnings."""
    lab = labels(lang)
    who = claim.speaker[:1].upper() + claim.speaker[1:]
    if claim.speaker_role:
        who += f" ({claim.speaker_role})"
    verb = lab.get(claim.kind)
    head = f"{who} {verb}" if verb else who
    content = claim.text.strip().rstrip(".,;:")
    if claim.kind == "quote" and not _QUOTE_MARKS.intersection(content):  # its own marks: already a quote
        opening, closing = _QUOTES.get(lang or "en", _QUOTES["en"])
        content = f"{opening}{content}{closing}"
    return shorten(f"{head}{lab['colon']}{content}")


def key_claims(briefing: Briefing, *, limit: int) -> list[Claim]:
    """Up to ``limit`` claims: salient speakers and strong stances first, at most two per speaker,
    then put back in text order."""
    if limit <= 0:
        return []
    salience = {a.name: a.salience for a in briefing.actors}
    stance_bonus = {"statement": 0.0, "quote": 0.1, "estimate": 0.1}

    def score(item: tuple[int, Claim]) -> float:
        i, c = item
        words = len(c.text.split())
        length = 0.15 if 5 <= words <= 45 else 0.0
        return salience.get(c.speaker, 0.05) + stance_bonus.get(c.kind, 0.2) + length - 0.01 * i

    chosen: list[tuple[int, Claim]] = []
    per_speaker: dict[str, int] = {}
    for i, c in sorted(enumerate(briefing.claims), key=score, reverse=True):
        if per_speaker.get(c.speaker, 0) >= 2 or len(c.text.split()) < 3:
            continue
        per_speaker[c.speaker] = per_speaker.get(c.speaker, 0) + 1
        chosen.append((i, c))
        if len(chosen) == limit:
            break
    return [c for _, c in sorted(chosen, key=lambda item: item[0])]


def make_bullets(briefing: Briefing, *, max_bullets: int = 6) -> list[str]:
    """The gist of the lead, the key claims as "Speaker (role) : claim", then a line of key actors."""
    lang = briefing.article.lang
    lab = labels(lang)
    bullets: list[str] = []
    lead = gist(briefing)
    actors = [a.name for a in briefing.actors[:8]]
    reserve = (1 if lead else 0) + (1 if actors else 0)
    if lead and max_bullets >= 1:
        bullets.append(lead)
    room = max(0, max_bullets - reserve)
    bullets.extend(claim_bullet(c, lang=lang) for c in key_claims(briefing, limit=room))
    if actors and len(bullets) < max_bullets:
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
