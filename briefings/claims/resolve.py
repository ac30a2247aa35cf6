"""Resolution: each raw claim gets its speaker (a floating quote the last speaker's, a pronoun its
antecedent, a role description its named holder), claims that only restate part of another are dropped,
and the rest come out as `Attribution` records in text order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from briefings.claims.document import Ctx, Raw
from briefings.claims.documents import document_author
from briefings.claims.pronouns import (
    Antecedent,
    adverbial_antecedent,
    antecedents,
    former_antecedent,
    latter_antecedent,
    latter_phrase,
    pronoun_gender,
    resolve_pronoun,
)
from briefings.claims.roles import Resolved, described

FLOAT_SENTENCES = 2  # a quote with no cue inherits a speaker at most this many sentences back


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attributed claim: ``speaker`` said ``text`` (``doc.text[start:end]``) through ``cue``."""

    speaker: str
    speaker_start: int
    speaker_end: int
    cue: str
    kind: str
    start: int
    end: int
    text: str


class _Pronouns:
    """Antecedent candidates, built the first time a pronoun speaker needs them."""

    def __init__(self, ctx: Ctx, raws: list[Raw]) -> None:
        self.ctx, self.raws = ctx, raws
        self.ants: list[Antecedent] | None = None
        self.keys: list[int] = []
        self.memo: dict[int, tuple[int, int] | None] = {}

    def candidates(self) -> list[Antecedent]:
        if self.ants is None:
            self.ants = antecedents(self.ctx, self.raws)
            self.keys = [a.at for a in self.ants]
        return self.ants

    def latter(self, span: tuple[int, int]) -> tuple[int, int] | None:
        return latter_antecedent(self.ctx, span, self.candidates())

    def resolve(self, raw: Raw, span: tuple[int, int]) -> tuple[int, int] | None:
        ctx = self.ctx
        pron = ctx.doc[span[0]]
        word = ctx.cues.pronoun_word(pron.text)
        gender = pronoun_gender(ctx, word)
        found = adverbial_antecedent(ctx, pron, gender) if word in ctx.cues.singular else None
        if found is not None:
            return found
        if span[0] not in self.memo:  # one antecedent per pronoun, never inside anything it says
            said = [(r.start, r.end) for r in self.raws if r.speaker == span] or [(raw.start, raw.end)]
            said += _reported(ctx, self.raws, pron.idx)
            self.memo[span[0]] = resolve_pronoun(ctx, word, pron.idx, self.candidates(), self.keys, said)
        return self.memo[span[0]]


def _reported(ctx: Ctx, raws: list[Raw], at: int) -> list[tuple[int, int]]:
    """What the speaker named just before char ``at`` reported in their own sentence, in indirect speech
    ("X said he could not explain what made Y quit. He added: …"): someone named inside it is what X
    spoke about, not the he/she who speaks next, which is X."""
    before = [r for r in raws if r.speaker is not None and not r.quote and r.end <= at]
    last = max(before, key=lambda r: r.end, default=None)
    if last is None or last.speaker is None or last.speaker[1] > ctx.token_at(last.start):
        return []
    return [(last.start, last.end)]


def finish(ctx: Ctx, raws: list[Raw]) -> Iterator[Attribution]:
    """The attributions of ``raws``, speakers resolved, nested and repeated claims dropped."""
    cues = ctx.cues
    pronouns = _Pronouns(ctx, raws)
    pronoun_words = cues.pronouns
    resolved: Resolved = []
    holders: dict[tuple[int, int], tuple[int, int]] = {}  # role descriptions already resolved to a name
    cued = {_words(ctx, r) for r in raws if r.quote and r.speaker is not None}
    raws = _cut_at_relative_sources(ctx, raws)
    for raw in sorted(raws, key=lambda r: r.start):
        span = raw.speaker
        if span is None:
            if _words(ctx, raw) in cued:
                continue  # a pull quote or a sub-heading repeating a quotation its speaker says elsewhere
            floated = _floating(ctx, raw, raws, resolved)
            if floated is not None:
                resolved.append(floated)
            continue
        word = cues.pronoun_word(ctx.doc[span[0]].text)
        if span[1] - span[0] == 1 and word in pronoun_words:
            span = pronouns.resolve(raw, span)
            if span is None:
                continue
        elif latter_phrase(ctx, span[0]) == span:
            span = pronouns.latter(span)
            if span is None:
                continue
        elif latter_phrase(ctx, span[0], ctx.g.former_of_two) == span:
            span = former_antecedent(ctx, span)
            if span is None:
                continue
        elif span[1] - span[0] == 1 and word in ctx.g.non_speakers:
            continue
        span = _named(ctx, raw, span, resolved, holders)
        resolved.append((raw, span))
    resolved = [(r, sp) for r, sp in resolved if not _nested(ctx, r, sp, resolved)]
    yield from _output(ctx, resolved)


def _cut_at_relative_sources(ctx: Ctx, raws: list[Raw]) -> list[Raw]:
    """Claims that run over a source inside a relative clause (« X a accusé Y de soutenir Z, qui est, selon
    lui, P ») end before that relative: what follows is the source's own claim."""
    bounds = [(r.bound, r.at) for r in raws if r.bound >= 0]
    if not bounds:
        return raws
    out = []
    for raw in raws:
        cut = min((b for b, at in bounds if raw.start < b and at < raw.end and not raw.source), default=-1)
        if cut >= 0:
            end = cut
            while end > raw.start and (ctx.text[end - 1].isspace() or ctx.text[end - 1] in ",;:"):
                end -= 1
            raw = replace(raw, end=end)
        out.append(raw)
    return out


def _named(
    ctx: Ctx,
    raw: Raw,
    span: tuple[int, int],
    resolved: Resolved,
    holders: dict[tuple[int, int], tuple[int, int]],
) -> tuple[int, int]:
    """The name a role description or a document stands for (``span`` itself when none); a description
    resolved once stays resolved when a pronoun later points back at it (« …, a ajouté le député. Il a
    estimé … »)."""
    found = holders.get(span) or described(ctx, span, resolved, _continued(ctx, raw))
    if found is not None:
        holders[span] = found
        return found
    return document_author(ctx, span) or span


def _continued(ctx: Ctx, raw: Raw) -> bool:
    """Whether ``raw``'s cue says its speaker has spoken before (« a ajouté », "added")."""
    return raw.at >= 0 and ctx.lemmas[ctx.token_at(raw.at)] in ctx.cues.continuations


def _words(ctx: Ctx, raw: Raw) -> str:
    """A quotation's words, without case, punctuation or spacing."""
    return " ".join(
        "".join(c for c in ctx.text[raw.start : raw.end].lower() if c.isalnum() or c.isspace()).split()
    )


def _floating(ctx: Ctx, raw: Raw, raws: list[Raw], resolved: Resolved) -> tuple[Raw, tuple[int, int]] | None:
    """A quotation with no cue of its own, or a participle cue after a quote, with the last speaker."""
    if any(r.start <= raw.start and raw.end <= r.end + 1 for r in raws if not r.quote and r is not raw):
        return None  # a quoted fragment of a reported clause: the clause is the claim
    prev = resolved[-1] if resolved else None
    qs = ctx.sent[ctx.token_at(raw.start)]
    if prev is None or qs - ctx.sent[ctx.token_at(prev[0].end - 1)] > FLOAT_SENTENCES:
        return None
    if raw.cue and (prev[0].at < 0 or ctx.sent[ctx.token_at(raw.at)] != ctx.sent[ctx.token_at(prev[0].at)]):
        return None  # a participle inherits only from a cue of its own sentence
    if not raw.cue and _narrated(ctx, raw, prev[1]):
        return None
    return replace(raw, cue=raw.cue or prev[0].cue), prev[1]


def _narrated(ctx: Ctx, raw: Raw, last_speaker: tuple[int, int]) -> bool:
    """Whether a quotation with no cue is a term quoted in the journalist's sentence ("The group studied
    chemicals with a "high risk of harm to children"", « L'association a retenu 800 analyses "ayant
    révélé …" »): its sentence's main verb lies outside it, with a subject of its own that is a noun, not
    the last speaker — whose words it then cannot be said to be."""
    doc, g = ctx.doc, ctx.g
    first, last = ctx.token_at(raw.start), ctx.token_at(max(raw.start, raw.end - 1))
    lo, hi = ctx.sentence_bounds(first)
    root = next((t for t in doc[lo:hi] if t.head.i == t.i or not lo <= t.head.i < hi), None)
    if root is None or first <= root.i <= last:
        return False
    return any(
        c.dep_ in g.subjects
        and c.pos_ in ("NOUN", "PROPN")
        and not first <= c.i <= last
        and not last_speaker[0] <= c.i < last_speaker[1]
        for c in root.children
    )


def _output(ctx: Ctx, resolved: Resolved) -> Iterator[Attribution]:
    doc = ctx.doc
    seen: list[tuple[str, int, int]] = []
    for raw, span in sorted(resolved, key=lambda r: (r[0].start, r[0].start - r[0].end)):
        s, e = doc[span[0]].idx, doc[span[1] - 1].idx + len(doc[span[1] - 1])
        speaker = ctx.text[s:e]
        if any(k == speaker and ks <= raw.start and raw.end <= ke for k, ks, ke in seen):
            continue
        seen.append((speaker, raw.start, raw.end))
        yield Attribution(speaker, s, e, raw.cue, raw.kind, raw.start, raw.end, ctx.text[raw.start : raw.end])


def _nested(ctx: Ctx, raw: Raw, span: tuple[int, int], resolved: Resolved) -> bool:
    """Whether ``raw`` only restates part of another claim: a cue inside the content of a claim by the
    same speaker ("X accused Y of lying and attacking Z"), or a thing that "shows" inside what someone
    argues ("X argued that the documents show P": X argues, the documents say nothing). A source phrase
    around another attribution ("Selon son avocat, X a répondu que …") is kept: the source reports it."""
    doc = ctx.doc
    thing = (
        raw.at >= 0
        and doc[ctx.token_at(raw.at)].lemma_.lower() in ctx.cues.evidence_verbs
        and not any(t.ent_type_ or t.pos_ in ("PROPN", "PRON") for t in doc[span[0] : span[1]])
    )
    for other, other_span in resolved:
        if other is raw or other.at < 0:
            continue
        inside = not raw.source and not raw.quote and other.start <= raw.at < other.end
        if inside and (other_span == span or (thing and not other.source and not other.quote)):
            return True
    return False
