"""Keyword filters: ``+word -"a phrase"`` parsed into a frozen `KeywordFilter`, matched in linear time.

A subscription's filter decides which of its feed's articles a chat receives (``/filter``). Grammar, one
term per whitespace-separated word or quoted phrase:

- ``+word`` or ``word``: an include term; ``-word``: an exclude term.
- ``+"a phrase"`` / ``-"a phrase"``: a phrase, its words in order and adjacent. Straight quotes, “curly”
  ones and « guillemets » (what phones type) are all quotes.
- An article passes when no exclude term occurs in it and, if there are include terms, at least one does.

Matching is on words, never on substrings: the title and the briefing's text and each term are
casefolded, stripped of accents (``Élysée`` = ``elysee``, ``œ`` = ``oe``) and cut into words at every
character that is not a letter or a digit, so ``+oil`` does not match "toil" and ``+Kyiv`` matches
"Kyiv's". No user input is ever a regular expression: the only patterns here are this module's own
fixed ones. An article's text is normalised once; each phrase length present in the filter is one pass
over its words (phrases have at most `MAX_PHRASE_WORDS` words), and each term is then one set lookup —
linear in the text, plus the number of terms.

Errors are `FilterError` with one line naming the faulty input (unbalanced quote, empty term, too many
or too long terms).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_TERMS = 1000
MAX_TERM_CHARS = 100
MAX_PHRASE_WORDS = 8
MAX_FILTER_CHARS = 50_000

_QUOTES = {'"': '"', "“": "”", "”": "”", "«": "»", "„": "“"}  # opening quote -> its closing quote
_CLOSERS = frozenset({'"', "”", "“", "»"})
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_NOT_WORD = re.compile(r"[\W_]+")
_NO_QUOTES = str.maketrans(dict.fromkeys([*_QUOTES, *_CLOSERS], " "))
_LIGATURES = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}  # letters NFKD keeps whole
_LIGATURE = re.compile("[" + "".join(_LIGATURES) + "]")


class FilterError(ValueError):
    """A filter that cannot be parsed; the message is one line naming the faulty input. ``code`` says
    which rule it breaks (for a translated message): ``unbalanced_quote``, ``space_after_phrase``,
    ``empty_term``, ``no_terms``, ``term_too_long``, ``phrase_too_long``, ``too_many_terms`` or
    ``filter_too_long``; ``value`` is the faulty input (shortened) or the limit broken."""

    def __init__(self, code: str, message: str, *, value: str | int = "") -> None:
        super().__init__(message)
        self.code = code
        self.value = value


def words(text: str) -> list[str]:
    """``text`` as the filter sees it: casefolded, without accents, cut into words at anything that is
    not a letter or a digit (``"L'Élysée, lundi"`` -> ``["l", "elysee", "lundi"]``)."""
    text = text.casefold()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        if _LIGATURE.search(text):
            text = _LIGATURE.sub(lambda m: _LIGATURES[m[0]], text)
    return _NOT_WORD.sub(" ", text).split()


@dataclass(frozen=True, slots=True)
class Term:
    """One term: ``text`` as typed (for display), ``words`` normalised (see `words`), ``exclude``."""

    text: str
    words: tuple[str, ...]
    exclude: bool = False

    def __str__(self) -> str:
        shown = f'"{self.text}"' if len(self.text.split()) > 1 or len(self.words) > 1 else self.text
        return ("-" if self.exclude else "+") + shown


@dataclass(frozen=True, slots=True)
class KeywordFilter:
    """A parsed filter (see the module docstring); ``str(f)`` is its canonical text, which `parse` reads
    back to an equal filter."""

    terms: tuple[Term, ...]
    _include: dict[int, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)
    _exclude: dict[int, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for target, exclude in ((self._include, False), (self._exclude, True)):
            grouped: dict[int, set[str]] = {}
            for term in self.terms:
                if term.exclude == exclude:
                    grouped.setdefault(len(term.words), set()).add(" ".join(term.words))
            target.update({n: frozenset(g) for n, g in grouped.items()})

    @property
    def include(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.exclude)

    @property
    def exclude(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.exclude)

    def __str__(self) -> str:
        return " ".join(map(str, self.terms))

    def matches(self, *texts: str) -> bool:
        """Whether an article whose title and briefing are ``texts`` passes the filter."""
        tokens: list[str] = []
        for text in texts:
            tokens += words(text)
            tokens.append("")  # ends each text: no phrase spans two
        if _found(tokens, self._exclude):
            return False
        return not self._include or _found(tokens, self._include)


def _found(tokens: list[str], wanted: dict[int, frozenset[str]]) -> bool:
    """Whether any run of ``n`` adjacent tokens, joined by spaces, is in ``wanted[n]``."""
    for n, terms in wanted.items():
        runs = tokens if n == 1 else map(" ".join, zip(*(tokens[k:] for k in range(n)), strict=False))
        if not terms.isdisjoint(runs):
            return True
    return False


def parse(text: str) -> KeywordFilter:
    """The filter written ``text`` (see the module docstring); raises `FilterError` when it is empty,
    has an unbalanced quote, an empty term, more than `MAX_TERMS` terms, a term longer than
    `MAX_TERM_CHARS` characters or a phrase of more than `MAX_PHRASE_WORDS` words."""
    if len(text) > MAX_FILTER_CHARS:
        raise FilterError(
            "filter_too_long",
            f"filter too long: {len(text)} characters (at most {MAX_FILTER_CHARS})",
            value=MAX_FILTER_CHARS,
        )
    terms: list[Term] = []
    for raw, exclude in _split(text):
        if len(terms) >= MAX_TERMS:
            raise FilterError("too_many_terms", f"too many terms (at most {MAX_TERMS})", value=MAX_TERMS)
        terms.append(_term(raw, exclude=exclude))
    if not terms:
        raise FilterError("no_terms", "no terms: write +word to keep, -word to leave out")
    return KeywordFilter(tuple(_unique(terms)))


def _split(text: str) -> Iterable[tuple[str, bool]]:
    """(term as typed, exclude) for each term of ``text``; an opening quote must be closed."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        exclude = text[i] == "-"
        if text[i] in "+-":
            i += 1
        if i < n and text[i] in _QUOTES:
            close = text.find(_QUOTES[text[i]], i + 1)
            if close < 0:
                close = next((j for j in range(i + 1, n) if text[j] in _CLOSERS), -1)
            if close < 0:
                raise _unbalanced(text[start:])
            yield text[i + 1 : close], exclude
            i = close + 1
            if i < n and not text[i].isspace():
                raise FilterError(
                    "space_after_phrase",
                    f"missing space after the phrase: {_excerpt(text[start:])}",
                    value=_excerpt(text[start:]),
                )
            continue
        while i < n and not text[i].isspace():
            if text[i] in _QUOTES or text[i] in _CLOSERS:
                raise _unbalanced(text[start:])
            i += 1
        yield text[start + (1 if text[start] in "+-" else 0) : i], exclude


def _term(raw: str, *, exclude: bool) -> Term:
    shown = " ".join(raw.translate(_NO_QUOTES).split())
    if len(shown) > MAX_TERM_CHARS:
        raise FilterError(
            "term_too_long",
            f"term too long (at most {MAX_TERM_CHARS} characters): {_excerpt(shown)}",
            value=MAX_TERM_CHARS,
        )
    normal = tuple(words(shown))
    if not normal:
        term = ("-" if exclude else "+") + (_excerpt(raw) or "")
        raise FilterError("empty_term", f"empty term: {term} has no letters or digits", value=term)
    if len(normal) > MAX_PHRASE_WORDS:
        raise FilterError(
            "phrase_too_long",
            f"phrase too long (at most {MAX_PHRASE_WORDS} words): {_excerpt(shown)}",
            value=MAX_PHRASE_WORDS,
        )
    return Term(text=shown, words=normal, exclude=exclude)


def _unique(terms: list[Term]) -> list[Term]:
    """The terms less repeats (the same words with the same sign), in order."""
    seen: set[tuple[tuple[str, ...], bool]] = set()
    kept = []
    for term in terms:
        if (term.words, term.exclude) not in seen:
            seen.add((term.words, term.exclude))
            kept.append(term)
    return kept


def _unbalanced(text: str) -> FilterError:
    return FilterError("unbalanced_quote", f"unbalanced quote in: {_excerpt(text)}", value=_excerpt(text))


def _excerpt(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
