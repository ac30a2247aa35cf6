"""Pass 1, direct quotes: each quotation found on its marks, attributed to a reporting verb after it
(« … », a déclaré X) or before it (X said: "…"); a quotation with no cue floats, to inherit the last
speaker (see `resolve`)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import TYPE_CHECKING

from briefings.claims.content import content
from briefings.claims.document import Ctx, Raw
from briefings.claims.speakers import after_subject, speaker_span, subject
from briefings.claims.stance import stance
from briefings.claims.syntax import gerund
from briefings.claims.text import MIN_QUOTE_WORDS, SENTENCE_END, is_title

if TYPE_CHECKING:
    from spacy.tokens import Token

AFTER_WINDOW = 10  # tokens searched for a cue after a quotation
BEFORE_WINDOW = 30  # and before it
RUN_QUOTES = 4  # quotations after the first looked at for a run's cue
HEADLINE_NAME = 8  # tokens of a name (and its role) before a headline's colon


def quote_claims(ctx: Ctx, used: set[int]) -> Iterator[Raw]:
    """Quotations of at least `MIN_QUOTE_WORDS` words that are not titles; the cue verbs they take are
    added to ``used`` so that the reported-speech pass does not take them again."""
    text = ctx.text
    for n, (qs, qe) in enumerate(ctx.quotes):
        start, end = qs + 1, qe
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if len(text[start:end].split()) < MIN_QUOTE_WORDS or is_title(text[start:end]):
            continue
        first, last = ctx.token_at(qs), ctx.token_at(qe)
        found = _quote_cue(ctx, first, last) or _run_cue(ctx, n)
        if found is None:
            headline = _headline(ctx, first)
            if headline is not None:
                sp, cue = headline
                yield Raw(sp, cue, "quote", start, end, ctx.doc[first].idx, quote=True)
            else:
                yield Raw(None, "", "quote", start, end, quote=True)
            continue
        v, speaker, kind = found
        if v.i < first:
            span, inverted = content(ctx, v)
            if span is not None and span[0] <= qs < span[1]:
                continue  # X said most regions grew at a "modest pace": the reported clause is the claim
            if span is not None and inverted and _reports_before(ctx, v, first):
                yield Raw(None, "", "quote", start, end, quote=True)  # the quotation floats to its speaker
                continue
        elif _fragment_of(ctx, v, first, last):
            continue  # « P … qui ne "jouent pas le jeu" …, a plaidé X »: the clause around it is the claim
        used.add(v.i)
        kind = "quote" if kind == "statement" else kind
        yield Raw(speaker_span(speaker, ctx.cues), ctx.cue_text(v), kind, start, end, v.idx, quote=True)


def _after(ctx: Ctx, last: int) -> list[int]:
    """Tokens after a quotation's closing mark ``last`` where its cue may be, up to the sentence end."""
    doc = ctx.doc
    after: list[int] = []
    i = last + 1
    ended = last > 0 and doc[last - 1].text in SENTENCE_END  # "… Wales." The Lib Dems accuse: no cue
    if ended and i < len(doc) and doc[i].text[:1].isupper():
        return after
    while (
        i < len(doc)
        and len(after) < AFTER_WINDOW
        and not ctx.in_quote[i]
        and ctx.sent[i] <= ctx.sent[last] + 1
    ):
        stray_stop = i == last + 1 and i + 1 < len(doc) and doc[i + 1].text[:1].islower()
        if "\n" in doc[i].text or (doc[i].text in SENTENCE_END and not stray_stop):
            break  # « … ». a déclaré X: a stray full stop before a lower-case cue goes on
        after.append(i)
        i += 1
    return after


def _before(ctx: Ctx, first: int) -> list[int]:
    """Tokens before a quotation's opening mark ``first``, nearest first, back to the sentence start."""
    doc = ctx.doc
    before: list[int] = []
    i = first - 1
    while (
        i >= 0 and len(before) < BEFORE_WINDOW and not ctx.in_quote[i] and ctx.sent[i] >= ctx.sent[first] - 1
    ):
        if doc[i].text in SENTENCE_END or "\n" in doc[i].text:
            break
        before.append(i)
        i -= 1
    return before


def _reports_before(ctx: Ctx, v: Token, first: int) -> bool:
    """Whether a finite cue before quotation ``first`` reports the clause before itself (« P, a estimé X,
    selon qui "Q" »), with no « que » / "that" between it and the quotation: Q is not its content."""
    g = ctx.g
    return not gerund(v, g) and not any(ctx.lowers[i] in g.content_marks for i in range(v.i + 1, first))


FRAGMENT_WORDS = 3  # words of the journalist's before a quotation that make it a fragment of the clause


def _fragment_of(ctx: Ctx, v: Token, first: int, last: int) -> bool:
    """Whether the quotation on tokens [``first``, ``last``] is a fragment inside the clause cue ``v`` after
    it reports: that clause has words of its own before the quotation (not only the links of a run of
    quotations, « "Q1", même si "Q2" », nor a sub-heading glued before it) and after it."""
    if first - ctx.sentence_bounds(first)[0] < FRAGMENT_WORDS or not any(
        not ctx.in_quote[t.i] and not t.is_punct for t in ctx.doc[last + 1 : v.i]
    ):
        return False  # (asked first: `content` is the costly question)
    span, inverted = content(ctx, v)
    if span is None or not inverted or span[0] >= ctx.doc[first].idx:
        return False
    lo = ctx.token_at(span[0])
    own = [
        t
        for t in ctx.doc[lo:first]
        if not ctx.in_quote[t.i] and not t.is_punct and ctx.lowers[t.i] not in ctx.cues.quote_links
    ]
    return len(own) >= FRAGMENT_WORDS


def _says_more(v: Token) -> bool:
    """Whether a cue after a quotation reports a clause of its own ("…", saying that Q): then it is not
    the quotation's cue."""
    return any(c.dep_ == "ccomp" and c.i > v.i for c in v.children)


def _run_cue(ctx: Ctx, n: int) -> tuple[Token, Token, str] | None:
    """The cue of the quotation run quotation ``n`` opens: the next quotations in the same paragraph, with
    nothing but punctuation and linking words between (« "Q1", même si "Q2", a affirmé X », '"Q1." "Q2,"
    X said'), are one speaker's — the cue of the first that has one. The run opens its sentence, and its
    quotations are apart (two glued together are a sub-heading and the text after it)."""
    doc, quotes = ctx.doc, ctx.quotes
    first = ctx.token_at(quotes[n][0])
    if first > 0 and ctx.sent[first - 1] == ctx.sent[first]:
        return None  # « Pour X, "Q1." "Q2", ajoute Y »: a run opens its sentence
    run = quotes[n : n + RUN_QUOTES + 1]  # bounded: a hostile page of quotes glued by commas stays linear
    for (_, prev_end), (qs, qe) in pairwise(run):
        between = doc[ctx.token_at(prev_end) + 1 : ctx.token_at(qs)]
        gap = ctx.text[prev_end + 1 : qs]
        if (
            not gap
            or "\n" in gap
            or not all(t.is_punct or t.is_space or ctx.lowers[t.i] in ctx.cues.quote_links for t in between)
        ):
            return None
        found = _quote_cue(ctx, ctx.token_at(qs), ctx.token_at(qe))
        if found is not None:
            return found
    return None


def _headline(ctx: Ctx, first: int) -> tuple[tuple[int, int], str] | None:
    """« Paul Martin : "…" » / 'Union leader Ann Lee: "…"': a paragraph opening with a name and a colon
    right before the quotation (a headline's attribution) — the name's span and the colon."""
    doc = ctx.doc
    colon = first - 1
    if colon < 1 or doc[colon].text != ":":
        return None
    lo = colon
    while lo > 0 and colon - lo < HEADLINE_NAME and not ctx.in_quote[lo - 1] and "\n" not in doc[lo - 1].text:
        lo -= 1
    if lo > 0 and "\n" not in doc[lo - 1].text and "\n" not in doc[lo - 1].whitespace_:
        return None  # not at a paragraph's start
    words = doc[lo:colon]
    if not words or not all(t.pos_ in ("PROPN", "NOUN", "ADJ", "DET") for t in words):
        return None
    names = [t for t in words if t.pos_ == "PROPN"]
    if not names:
        return None
    return speaker_span(names[-1], ctx.cues), doc[colon].text


def _quote_cue(ctx: Ctx, first: int, last: int) -> tuple[Token, Token, str] | None:
    """The reporting verb, speaker and stance of the quotation whose marks are tokens ``first`` and ``last``."""
    doc, cues, g = ctx.doc, ctx.cues, ctx.g
    for window, after in ((_after(ctx, last), True), (_before(ctx, first), False)):
        for j in window:
            tok = doc[j]
            found = stance(tok, cues)
            if found is None or (after and _says_more(tok)):
                continue
            speaker = subject(tok, cues)
            if (
                speaker is None
                or ctx.in_quote[speaker.i]
                or (after and speaker.i < first and not gerund(tok, g))
            ):
                # an incise after the quotation (« "…", a déclaré à l'AFP M. X ») is said by its own inverted
                # subject, not by the subject of the clause the parser hung it under
                speaker = after_subject(tok, cues, len(doc)) or speaker
            speaker = ctx.past_dateline(speaker)
            if speaker is not None and not ctx.in_quote[speaker.i]:
                return tok, speaker, found
    return None
