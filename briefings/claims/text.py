"""Sentences and quotations read from the text itself: quote marks, sentence ends, datelines.

Language-neutral: these work on characters and token texts, before any parse is trusted.
"""

from __future__ import annotations

import re

OPENERS = {"«": "»", "“": "”", "‹": "›", "„": "“", '"': '"'}
QUOTE_PAIRS = frozenset(k + v for k, v in OPENERS.items())
QUOTE_MARKS = re.compile(r'[«»“”‹›„"]|\n')
SENTENCE_END = frozenset({".", "!", "?", "…", "...", "?!"})
EDGE_PUNCT = frozenset({",", ".", ";", ":", "—", "–", "-", "!", "?", "…", "(", ")"})
CLOSERS = frozenset({"»", "”", "›"})
MARKS = frozenset("«»“”‹›„\"'")
# a dateline opening a paragraph: "WASHINGTON (AP) — ", "Washington (AFP) – ", "PARIS, 12 mai (Reuters) - "
DATELINE = re.compile(
    r"(?m)^[ \t]*(?:[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+)*(?:,\s*[\w.]+(?:\s+[\w.]+)?)?\s*(?:\([^()\n]{1,25}\))?"
    r"|[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+)*(?:,\s*[\w.]+(?:\s+[\w.]+)?)?\s*\([A-Z][^()\n]{0,24}\))\s*[—–-]{1,2}\s+"
)
MIN_QUOTE_WORDS = 4


def sentence_ids(texts: list[str], spaced: list[int]) -> list[int]:
    """Sentence number of each token (``texts``, ``spaced``: its text and whether a space follows it):
    breaks after . ! ? (and closing marks after them) and at newlines.

    Deliberately ignores spaCy's own boundaries, which split at « and at commas before inverted verbs.
    """
    ids, n, last = [0] * len(texts), 0, len(texts) - 1
    for i, text in enumerate(texts):
        ids[i] = n
        if i == last:
            break
        nxt = texts[i + 1]
        if "\n" in text or (not nxt.strip() and "\n" in nxt):
            n += 1
        elif text in SENTENCE_END or (text in CLOSERS and i and texts[i - 1] in SENTENCE_END):
            if (
                nxt not in CLOSERS
                and not (nxt == '"' and not spaced[i])
                and nxt not in EDGE_PUNCT
                and not nxt[:1].islower()
            ):
                n += 1
    return ids


def quote_spans(text: str) -> list[tuple[int, int]]:
    """(opening mark, closing mark) char offsets of outer quotations; unmatched marks are ignored, a
    quotation still open at a paragraph break ends there (a quote reopened in each paragraph: 'said: "S1.'
    ¶ '"S2.' is one quotation per paragraph).

    A straight mark is read by its side: with a space before and a word after it can only open, glued to
    a word with a space or punctuation after it only close. So a stray closing mark with no quotation
    open is skipped, and an opening one while a quotation is open starts the next, rather than every
    later pairing being shifted by one."""
    spans: list[tuple[int, int]] = []
    open_at, want = -1, ""
    for m in QUOTE_MARKS.finditer(text):
        ch, i = m.group(), m.start()
        if ch == "\n":
            if open_at >= 0 and i - open_at > 1 and (want != '"' or opens(text, open_at)):
                spans.append((open_at, i))
            open_at = -1
        elif ch == '"' and open_at < 0 and closes(text, i):
            continue  # a stray closing mark: its opening one was lost
        elif open_at >= 0 and ch == want == '"' and opens(text, i):
            # "First sentence. "Second one" — a new paragraph-style quotation opens: the first ends here
            # (at its last sentence end; a mark left open with no sentence end was stray)
            if text[i - 2 : i - 1] in SENTENCE_END or text[i - 1 : i] in SENTENCE_END:
                spans.append((open_at, i - 1))
            open_at = i
        elif open_at >= 0 and ch == want:
            spans.append((open_at, i))
            open_at = -1
        elif ch in OPENERS and (open_at < 0 or ch == text[open_at]):
            open_at, want = i, OPENERS[ch]
    return spans


def opens(text: str, i: int) -> bool:
    """Whether the straight quote mark at ``i`` can only open a quotation (space before, a word after)."""
    return (i == 0 or text[i - 1].isspace()) and i + 1 < len(text) and text[i + 1].isalnum()


def closes(text: str, i: int) -> bool:
    """Whether the straight quote mark at ``i`` can only close a quotation (glued to the word before it,
    a space, punctuation or the end after it)."""
    before = text[i - 1 : i]
    after = text[i + 1 : i + 2]
    return bool(before) and not before.isspace() and before not in "([" and (not after or not after.isalnum())


def is_title(quoted: str) -> bool:
    """Whether quoted text is a title in title case ("Failure to Adjust: How Americans Got Left Behind")."""
    words = [w for w in quoted.split() if len(w) > 3]
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.7 * len(words)


def unquote(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``text[start:end]`` without a stray opening mark, and without quote marks that enclose all of it."""
    if text[start] in OPENERS and not any(text[start] + c in QUOTE_PAIRS for c in text[start + 1 : end]):
        start += 1  # a stray opening mark
        while start < end and text[start].isspace():
            start += 1
    if (
        text[start] in MARKS
        and text[end - 1] in MARKS
        and not any(q in text[start + 1 : end - 1] for q in '«»“”"')
    ):
        start, end = start + 1, end - 1
    return (start, end) if end > start else None
