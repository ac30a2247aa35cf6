"""Turning raw input (plain text, HTML, JSON) into an `Article`: the one place text enters the engine.

Every failure is a `LoadError` whose message names the input; callers print it on one line.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path

from briefings.claims.lexicon import languages, load_grammar
from briefings.models import Article

MAX_BYTES = 5 * 1024 * 1024
_TITLE_MAX = 200


class LoadError(Exception):
    """An input that cannot become an article; ``str(error)`` is a one-line message naming it."""


# Page furniture that scrapers and copy-paste leave in article bodies (both languages).
_BOILERPLATE = re.compile(
    r"""^(?:
        (?:les\s+)?plus\s+lus?\b.* | most\s+read\b.* | read\s+more\b.* | lire\s+(?:aussi|plus|la\s+suite)\b.*
      | (?:©|\(c\)|copyright)\s*\d{4}.* | .*\ball\s+rights\s+reserved\b.* | .*\btous\s+droits\s+réservés\b.*
      | .*\bnewsletter\b.* | (?:inscrivez|abonnez)-vous\b.* | sign\s+up\b.* | subscribe\b.*
      | (?:publicité|advertisement|advertising|sponsored|annonce)\.? | (?:partager|share)(?:\s+(?:on|sur)\b.*)?
      | (?:photo|crédit\s+photo|image|getty\s+images|afp\s+photo)\s*[:©].*
      | (?:à\s+lire\s+aussi|see\s+also|related|sur\s+le\s+même\s+sujet)\b.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_GLUED = re.compile(
    # every case below follows a stop or a closing quote glued to a capital or an opening quote: checked
    # first, so that the rest is tried only there (not at each character of a long text)
    r"(?<=[.!?»”])(?=[A-ZÀ-Ý\"«“])(?:"
    r"(?<=[a-zà-ÿ]{2}[.!?])(?=[A-ZÀ-Ý](?:[a-zà-ÿ]|['’][^\W\d_]{2}))"  # "fin.Le", "fin.L'avocat"
    r"|(?<=[\d%)»”\"][.!?])(?=[A-ZÀ-Ý](?:[a-zà-ÿ]|['’][^\W\d_]{2}))"  # « 12%.Le », « (AFP).Le », « jeu".Il »
    r"|(?<=[\w)%»”\"][.!?])(?=[\"«“][A-ZÀ-Ý])"  # « fin."Nous », « dit ".« Le »: the next quote opens
    r"|(?<=[»”])(?=[A-ZÀ-Ý][a-zà-ÿ])"  # « … »Il a dit
    r")"
)


APOSTROPHES = "'’"


@cache
def _glued_opener() -> re.Pattern[str]:
    """A capitalised paragraph opener of any language's grammar (``paragraph_openers``) glued to the word
    before it: a whole word followed by a space and a word (« Son avocat »), or an elided one by a word of
    two letters or more (« L'avocat »; not the possessive of "BBC's")."""
    openers = {w.replace("’", "'") for lang in languages() for w in load_grammar(lang).paragraph_openers}
    words = sorted((w[:1].upper() + w[1:] for w in openers if w[-1:] != "'"), key=len, reverse=True)
    elided = sorted((w[:1].upper() + w[1:-1] for w in openers if w[-1:] == "'"), key=len, reverse=True)
    alternatives = [f"(?:{'|'.join(map(re.escape, words))})\\s+\\w"] if words else []
    if elided:
        alternatives.append(f"(?:{'|'.join(map(re.escape, elided))})[{APOSTROPHES}]\\w\\w")  # not "BBC's"
    if not alternatives:
        return re.compile("(?!)")
    # the opener's first letter is checked before the alternatives, which are tried only there
    first = "".join(sorted({re.escape(w[:1]) for w in [*words, *elided]}))
    return re.compile(f"(?<=[^\\W_])(?=[{first}])(?=(?:{'|'.join(alternatives)}))")


def _glued_after(text: str, i: int) -> bool:
    """Whether the word ending at ``i`` can end a paragraph glued to the next: it ends in two lower-case
    letters ("secrète"), is an acronym or a heading in capitals ("BFMTV", "HARCÈLEMENT") or a number
    ("2016"). One lower-case letter after a capital is a name's shape ("McIlroy", "DeVos"), not glue."""
    last = text[i - 1]
    if last.isdigit():
        return True
    start = i
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    word = text[start:i]
    return len(word) >= 2 and (word[-2:].islower() or word.isupper())


def unglue(text: str) -> str:
    """``text`` with a paragraph break where scraped text glued a paragraph to the one before it with no
    space or stop: « …la réunion secrèteLa justice s'intéresse… », « …ouverte en 2016Le parquet… »,
    "…the plant closedThe union…" — the capitalised opener of the next paragraph right after a word's
    lower-case end, a number or a word in capitals. Names keep their inner capitals ("LinkedIn",
    "McIlroy", "DeVos"): the opener must be a whole word of the grammars' ``paragraph_openers``."""
    pattern = _glued_opener()
    if not pattern.search(text):
        return text
    out, last = [], 0
    for m in pattern.finditer(text):
        if _glued_after(text, m.start()):
            out += [text[last : m.start()], "\n\n"]
            last = m.start()
    return "".join([*out, text[last:]])


def clean_text(text: str) -> str:
    """Normalise newlines, drop boilerplate lines, and unglue sentences scraped without a space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "")
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in block.split("\n")]
        kept = [ln for ln in lines if ln and not (len(ln) < 120 and _BOILERPLATE.match(ln))]
        if kept:
            paragraphs.append(_GLUED.sub(" ", unglue(" ".join(kept))))
    return "\n\n".join(paragraphs)


def drop_headline(text: str, title: str | None) -> str:
    """``text`` without the headline a page repeats at its start: a first line with the words of ``title``
    (or of its start, before a " - Site name"), or those words glued to the first sentence."""
    words = re.findall(r"\w+", (title or "").casefold())
    text = text.lstrip()
    first, newline, rest = text.partition("\n")
    found = [(m.group().casefold(), m.end()) for m in re.finditer(r"\w+", first)]
    line = [w for w, _ in found]
    if len(words) < 2 or len(line) < 2:
        return text
    if line == words or (len(line) >= 3 and words[: len(line)] == line):  # the headline, or its start
        return rest.lstrip()
    if line[: len(words)] == words:  # the headline, then more: a suffix, or the first sentence glued on
        tail = first[found[len(words) - 1][1] :].lstrip(" \t:-–—|.")
        short_suffix = len(line) - len(words) <= 6 and not first.rstrip().endswith((".", "!", "?", "»", '"'))
        if short_suffix:
            return rest.lstrip()
        if not tail[:1].islower():  # a new sentence after the headline, not the headline's words going on
            return tail + newline + rest
    return text


def split_title(text: str) -> tuple[str | None, str]:
    """A first line followed by a blank line is a title when it reads like one (short, no final period)."""
    head, _sep, rest = text.lstrip("\ufeff\n").partition("\n")
    if rest.startswith("\n") or rest.startswith("\r\n"):
        line = head.strip()
        if line and len(line) <= _TITLE_MAX and not line.endswith((".", ":", ";", ",")):
            return line, rest.strip("\r\n")
    return None, text


def _decode(data: bytes, *, source: str) -> str:
    if not data.strip():
        raise LoadError(f"{source}: empty input")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(f"{source}: binary file, not an article")
    for encoding in (
        ("utf-8-sig", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",)
    ):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes  # trafilatura's dependency; only for non-UTF-8 input

    best = from_bytes(data).best()
    if best is None:
        raise LoadError(f"{source}: undecodable text (not UTF-8 and no other encoding fits)")
    return str(best)


def _from_html(html: str, *, source: str, url: str | None) -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_recall=True)
    if isinstance(doc, dict):  # only with as_dict=True, which is not asked for
        raise TypeError("trafilatura returned a dict")
    body = doc.text if doc is not None else None
    if doc is None or not body:
        raise LoadError(f"{source}: no article text found in the HTML page")
    published = _parse_date(doc.date) if doc.date else None
    return Article(
        text=clean_text(drop_headline(body, doc.title)),
        title=doc.title,
        url=url or doc.url,
        published=published,
        source=source,
    )


def _from_json(raw: str, *, source: str) -> Article:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{source}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or not obj["text"].strip():
        raise LoadError(f'{source}: JSON input needs an object with a non-empty "text"')
    title = obj.get("title") if isinstance(obj.get("title"), str) else None
    lang = obj.get("lang") if isinstance(obj.get("lang"), str) else None
    published = _parse_date(obj["published"]) if isinstance(obj.get("published"), str) else None
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    return Article(
        text=clean_text(obj["text"]), title=title, url=url, lang=lang, published=published, source=source
    )


def _parse_date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def article_from_bytes(
    data: bytes, *, source: str, content_type: str | None = None, url: str | None = None
) -> Article:
    """Build an article from raw bytes: JSON (title/text/url), HTML (main text via trafilatura) or text."""
    if len(data) > MAX_BYTES:
        raise LoadError(f"{source}: larger than {MAX_BYTES // (1024 * 1024)} MB, not an article")
    raw = _decode(data, source=source)
    kind = (content_type or "").lower()
    head = raw.lstrip()[:512].lower()
    if "json" in kind or (not kind and head.startswith("{")):
        return _from_json(raw, source=source)
    if "html" in kind or head.startswith(("<!doctype html", "<html")) or "<body" in head:
        return _from_html(raw, source=source, url=url)
    title, body = split_title(raw)
    body = clean_text(body)
    if not body:
        raise LoadError(f"{source}: empty input")
    return Article(text=body, title=title, url=url, source=source)


def load_path(path: Path, *, source: str | None = None) -> Article:
    """Read one file; the extension picks the format when it is .json/.html/.htm, else the content does."""
    name = source or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MB, not an article")
        data = path.read_bytes()
    except FileNotFoundError:
        raise LoadError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise LoadError(f"{name}: is a directory") from None
    except OSError as exc:
        raise LoadError(f"{name}: cannot read ({exc.strerror})") from None
    suffix = path.suffix.lower()
    content_type = {".json": "application/json", ".html": "text/html", ".htm": "text/html"}.get(suffix)
    return article_from_bytes(data, source=name, content_type=content_type)


def expand_inputs(inputs: list[str]) -> list[str]:
    """Directories become their article files (sorted, hidden files skipped); other inputs stay as given."""
    out: list[str] = []
    for item in inputs:
        path = Path(item)
        if "://" not in item and path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            out.extend(
                str(p) for p in files if p.suffix.lower() in {".txt", ".json", ".html", ".htm", ".md", ""}
            )
        else:
            out.append(item)
    return out
