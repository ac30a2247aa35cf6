"""The local spaCy briefing engine (the `BriefingEngine` contract is in `bot.protocols`)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING

from briefings.actors import ENTS_KEY, TEXT_KEY, ActorTable, extract_actors, load_gazetteer, plural_word
from briefings.claims import Attribution, extract_attributions, load_cues
from briefings.language import detect_language
from briefings.models import Article, Briefing, Claim
from briefings.regex_cache import cached_regexes
from briefings.render import make_bullets

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Language detection reads the first DETECT_CHARS characters (its time grows with the sample: 400 take
# 0.8 ms, 1,000 take 1.9 ms), and the first DETECT_RETRY_CHARS before refusing an article.
DETECT_CHARS = 400
DETECT_RETRY_CHARS = 1000


@cache
def load_pipeline(name: str) -> Language:
    """An installed spaCy pipeline package, loaded once per process (its longest regular expressions
    compiled from `briefings.regex_cache`)."""
    import spacy

    try:
        with cached_regexes():
            nlp = spacy.load(name)
            _split_elided_quotes(nlp)
    except OSError:
        raise BriefingError(
            f"spaCy pipeline '{name}' is not installed (pip install it; nothing is downloaded)"
        ) from None
    if not spacy.language.Language.has_factory(PARAGRAPHS):
        spacy.language.Language.component(PARAGRAPHS, func=_paragraph_breaks)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS, before="parser")
    return nlp


PARAGRAPHS = "newsbrief_paragraphs"
# an opening quote mark glued to an elided word (« a affirmé qu'"aucun risque" n'existait », « l'auteur
# d'"Orléans" »): the tokenizer kept « qu'"aucun » as one token, so the clause lost its « que » and the
# quotation its first word
ELIDED_QUOTE = r"(?<=\w['’])[«\"“‹„]"


def _split_elided_quotes(nlp: Language) -> None:
    """Make the quote mark after an elided word a token of its own (an infix of the tokenizer)."""
    tokenizer = nlp.tokenizer
    found = getattr(tokenizer, "infix_finditer", None)
    pattern = getattr(getattr(found, "__self__", None), "pattern", None)
    if isinstance(pattern, str) and ELIDED_QUOTE not in pattern:
        tokenizer.infix_finditer = re.compile(f"{pattern}|{ELIDED_QUOTE}").finditer  # type: ignore[union-attr]


def _paragraph_breaks(doc: Doc) -> Doc:
    """A paragraph break always starts a sentence (the parser otherwise glues paragraphs together)."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text):
            token.is_sent_start = True
    return doc


class BriefingError(Exception):
    """An article the engine refuses; ``str(error)`` is one line naming the article and the reason."""


@dataclass
class LocalEngine:
    """Rule-based engine over spaCy pipelines: one installed pipeline package per language.

    Safe to share between threads (the poller's batches and a chat user's ``/brief`` run in worker
    threads): one batch is parsed at a time, since spaCy documents no thread safety for a pipeline's
    shared vocabulary. ``pipelines`` and ``max_bullets`` come from the operator's settings (where their
    defaults are); a call may ask for another ``max_bullets`` (a chat's own).
    """

    pipelines: Mapping[str, str]
    max_bullets: int
    batch_size: int = 16
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.pipelines))

    def nlp(self, lang: str) -> Language:
        """The pipeline for ``lang``, loaded on first use (never downloaded)."""
        return load_pipeline(self.pipelines[lang])

    def with_language(self, article: Article) -> Article:
        """The article with its language set (detected when missing); refused when we have no pipeline."""
        lang = (article.lang or detect_language(article.text[:DETECT_CHARS]) or "").lower()
        if lang not in self.pipelines and not article.lang and len(article.text) > DETECT_CHARS:
            lang = (detect_language(article.text[:DETECT_RETRY_CHARS]) or "").lower()  # a longer look first
        if lang not in self.pipelines:
            shown = lang or "unknown"
            available = ", ".join(self.languages)
            raise BriefingError(
                f"{article.source}: language '{shown}' is not supported (available: {available})"
            )
        return article if lang == article.lang else replace(article, lang=lang)

    def brief(self, article: Article, *, max_bullets: int | None = None) -> Briefing:
        result = next(self.brief_many([article], max_bullets=max_bullets))
        if isinstance(result, BriefingError):
            raise result
        return result

    def brief_many(
        self, articles: Iterable[Article], *, max_bullets: int | None = None
    ) -> Iterator[Briefing | BriefingError]:
        max_bullets = self.max_bullets if max_bullets is None else max_bullets
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.batch_size * 4:
                yield from self._run(batch, max_bullets=max_bullets)
                batch = []
        if batch:
            yield from self._run(batch, max_bullets=max_bullets)

    def _run(self, articles: list[Article], *, max_bullets: int) -> Iterator[Briefing | BriefingError]:
        with self._lock:
            results = self._analyse_all(articles, max_bullets=max_bullets)
        for result in results:
            assert result is not None
            yield result

    def _analyse_all(
        self, articles: list[Article], *, max_bullets: int
    ) -> list[Briefing | BriefingError | None]:
        results: list[Briefing | BriefingError | None] = [None] * len(articles)
        by_lang: dict[str, list[tuple[int, Article]]] = {}
        for i, article in enumerate(articles):
            try:
                ready = self.with_language(article)
            except BriefingError as err:
                results[i] = err
                continue
            by_lang.setdefault(ready.lang or "", []).append((i, ready))
        for lang, items in by_lang.items():
            docs = self.nlp(lang).pipe((a.text for _, a in items), batch_size=self.batch_size)
            for (i, article), doc in zip(items, docs, strict=True):
                results[i] = analyse(doc, article=article, max_bullets=max_bullets)
        return results


def analyse(doc: Doc, *, article: Article, max_bullets: int) -> Briefing:
    """The briefing of one parsed article: actors, attributed claims resolved to actors, bullets."""
    lang = article.lang or "en"
    doc.user_data.setdefault(TEXT_KEY, article.text)  # the parsed text: spaCy need not rebuild it
    table = extract_actors(doc, lang=lang, title=article.title, gazetteer=load_gazetteer(lang))
    claims = _dedupe(_claim(a, table) for a in extract_attributions(doc, cues=load_cues(lang)))
    doc.user_data.pop(ENTS_KEY, None)  # cached spans point back to the doc: let it be freed at once
    speakers = Counter(c.speaker for c in claims)
    actors = tuple(table.ranked(speaker_counts=speakers))
    briefing = Briefing(article=article, actors=actors, claims=tuple(claims))
    return replace(briefing, bullets=tuple(make_bullets(briefing, max_bullets=max_bullets)))


def _claim(attribution: Attribution, table: ActorTable) -> Claim:
    speaker = table.resolve(attribution.speaker)
    if speaker is None or (plural_word(attribution.speaker) and len(speaker.split()) > 1):
        speaker = _describe(attribution.speaker)  # "Europeans say" is a group, not the European Union
    return Claim(
        speaker=speaker,
        speaker_role=table.role_of(speaker),
        cue=attribution.cue,
        text=attribution.text,
        kind=attribution.kind,  # type: ignore[arg-type]
        start=attribution.start,
        end=attribution.end,
    )


def _describe(speaker: str) -> str:
    """An unnamed speaker as a description, spelt as in the article: "les médias d’État" -> "médias d’État",
    "The agency" -> "agency"."""
    text = " ".join(speaker.split())
    return re.sub(r"^(?:(?:le|la|les|the|a|an|un|une|des)\s+|l['’])", "", text, flags=re.IGNORECASE) or text


def _dedupe(claims: Iterable[Claim]) -> list[Claim]:
    """Claims in text order; of two overlapping spans by the same speaker, the longer is kept."""
    kept: list[Claim] = []
    for claim in sorted(claims, key=lambda c: (c.start, -(c.end - c.start))):
        if any(k.speaker == claim.speaker and k.start <= claim.start < k.end for k in kept):
            continue
        kept.append(claim)
    return kept
