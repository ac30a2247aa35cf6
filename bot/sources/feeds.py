"""Feeds at the edge: bytes in, frozen records out.

`parse_feed` is the one normalisation point for RSS 0.9x/1.0/2.0 and Atom (via feedparser) into
`FeedEntry`; `entry_to_article` is the one place an entry becomes a `briefings.models.Article`.
Nothing outside this module sees a feedparser dict. Text fields are plain text: HTML is stripped
here, so renderers escape for their platform and never receive markup from a feed.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from briefings.loading import clean_text, drop_headline
from briefings.models import Article

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid"})
MIN_EXTRACTED_WORDS = 40
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLOCKS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr section article header footer figure "
    "figcaption hr dd dt dl aside".split()
)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed item, normalised. ``summary`` and ``content`` are plain text ("" when absent);
    ``url`` is absolute (resolved against the feed URL) but not canonicalised; ``published`` is UTC."""

    entry_id: str
    url: str | None
    title: str | None
    summary: str
    content: str
    published: datetime | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed. ``error`` (one line naming the URL) means it is not a feed and there are no
    entries; ``warning`` means the feed was broken but its entries could still be read."""

    title: str | None
    link: str | None
    entries: tuple[FeedEntry, ...]
    error: str | None = None
    warning: str | None = None


def parse_feed(body: bytes, *, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse RSS or Atom bytes; ``headers`` (the HTTP response's) supply the charset and base URL."""
    import feedparser

    response_headers = None
    if headers:
        response_headers = {k.lower(): v for k, v in headers.items()}
        response_headers.setdefault("content-location", url)
    # A BytesIO, never the bytes themselves: feedparser tries to open a bytes argument as a file name.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers)
    reason = _bozo_reason(parsed.get("bozo_exception")) if parsed.bozo else None
    if not parsed.entries and not parsed.get("version"):
        why = _not_a_feed(body, response_headers or {}) or reason or "no RSS or Atom root element"
        return ParsedFeed(title=None, link=None, entries=(), error=f"{url}: not a feed ({why})")
    entries = tuple(_entry(e, base=url) for e in parsed.entries)
    return ParsedFeed(
        title=_text(parsed.feed, "title") or None,
        link=_link(parsed.feed.get("link"), base=url),
        entries=entries,
        warning=f"{url}: broken feed, entries read anyway ({reason})" if reason else None,
    )


def _not_a_feed(body: bytes, headers: Mapping[str, str]) -> str | None:
    """A plainer reason than the XML parser's for the usual non-feeds."""
    head = body.lstrip()[:512].lower()
    if not head:
        return "empty document"
    if "html" in headers.get("content-type", "").lower() or head.startswith((b"<!doctype html", b"<html")):
        return "an HTML page; look for the feed it announces"
    if head.startswith((b"{", b"[")):
        return "JSON; JSON Feed is not supported"
    return None


def _entry(e: Any, *, base: str) -> FeedEntry:
    title = _text(e, "title") or None
    summary = _text(e, "summary")
    contents = [html_to_text(c.value) if _is_html(c) else _paragraphs(c.value) for c in e.get("content", [])]
    content = max(contents, key=len, default="")
    url = _link(e.get("link"), base=base)
    entry_id = (
        _CONTROLS.sub("", e.get("id") or "").strip()
        or url
        or "sha256:" + content_hash(f"{title or ''}\n{summary}")
    )
    when = e.get("published_parsed") or e.get("updated_parsed")
    published = datetime(*when[:6]).replace(tzinfo=UTC) if when else None
    return FeedEntry(entry_id, url, title, summary, content, published)


def _is_html(detail: Mapping[str, Any]) -> bool:
    return "html" in (detail.get("type") or "")


def _text(obj: Any, key: str) -> str:
    """A feedparser text field as plain text: markup stripped only when the feed says it is HTML."""
    value = obj.get(key) or ""
    return html_to_text(value) if _is_html(obj.get(f"{key}_detail") or {}) else _paragraphs(value)


def _link(link: str | None, *, base: str) -> str | None:
    link = _CONTROLS.sub("", link or "").strip()
    return urljoin(base, link) if link else None


def _bozo_reason(exc: object) -> str:
    """feedparser's complaint on one line, "<unknown>:4:17: …" read as "line 4, column 17: …"."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    return re.sub(r"^<unknown>:(\d+):(\d+):\s*", r"line \1, column \2: ", message)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: scripts and styles dropped, block elements become paragraphs."""
    if "<" not in html and "&" not in html:
        return _paragraphs(html)
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return _paragraphs(re.sub(r"<[^>]*>", " ", html))
    for el in list(root.iter("script", "style", "noscript", "template")):
        el.drop_tree()
    for el in root.iter():
        if el.tag in _BLOCKS:
            el.tail = "\n\n" + (el.tail or "")
        elif el.tag == "br":
            el.tail = "\n" + (el.tail or "")
    return _paragraphs(root.text_content())


def _paragraphs(text: str) -> str:
    text = _CONTROLS.sub("", text)  # a NUL from "&#0;" is refused by PostgreSQL, the others are noise
    blocks = (" ".join(block.split()) for block in re.split(r"\n\s*\n", text))
    return "\n\n".join(b for b in blocks if b)


def canonical_url(url: str) -> str:
    """The URL used to recognise the same article: scheme and host lower-cased, default port,
    tracking parameters (utm_*, fbclid, gclid, mc_cid, mc_eid), fragment and trailing slash dropped."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if not parts.netloc:
        return urlunsplit((scheme, "", parts.path, parts.query, ""))
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = parts.path.rstrip("/") or "/"
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and not _is_tracking(unquote(pair.partition("=")[0]).lower())
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def _is_tracking(key: str) -> bool:
    return key.startswith("utm_") or key in TRACKING_PARAMS


def content_hash(text: str) -> str:
    """sha256 (hex) of the text NFC-normalised, lower-cased, whitespace collapsed: equal for reformatted copies."""
    normal = " ".join(unicodedata.normalize("NFC", text).lower().split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def discover_feeds(html: bytes | str, *, base_url: str) -> list[str]:
    """Absolute http(s) URLs of the feeds a page announces (``<link rel="alternate" type=…>``), in page order."""
    import lxml.html
    from lxml import etree

    try:
        doc = lxml.html.document_fromstring(html)
    except ValueError:  # a str with an XML encoding declaration
        doc = lxml.html.document_fromstring(html.encode("utf-8") if isinstance(html, str) else html)
    except etree.ParserError:  # empty document
        return []
    base = urljoin(base_url, (doc.xpath("string(//base/@href)") or "").strip())
    found: list[str] = []
    for link in doc.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rels and kind in FEED_TYPES and href:
            url = urljoin(base, href)
            if urlsplit(url).scheme in ("http", "https") and url not in found:
                found.append(url)
    return found


def entry_to_article(entry: FeedEntry, *, source: str, text: str | None = None) -> Article:
    """THE conversion of a feed entry to an `Article`: ``text`` (full text fetched from the page)
    wins over the entry's content, which wins over its summary; the URL is canonicalised."""
    body = text or entry.content or entry.summary
    return Article(
        text=clean_text(body),
        title=entry.title,
        url=canonical_url(entry.url) if entry.url else None,
        published=entry.published,
        source=source,
    )


def is_http_url(url: str | None) -> bool:
    """Whether ``url`` is an absolute http(s) URL: the only links taken from a feed, a page or a chat."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def cut_text(text: str, *, max_chars: int) -> tuple[str, bool]:
    """``text`` cut to at most ``max_chars`` characters, at the last paragraph or sentence end before the
    limit when there is one in its last tenth (else at a space, else anywhere); and whether it was cut."""
    if len(text) <= max_chars:
        return text, False
    head = text[:max_chars]
    floor = max_chars - max_chars // 10
    for boundary in ("\n\n", ". ", "? ", "! ", "\n", " "):
        at = head.rfind(boundary)
        if at >= floor:
            return head[: at + len(boundary)].rstrip(), True
    return head, True


def needs_full_text(entry: FeedEntry, *, min_words: int = 150) -> bool:
    """True when the entry carries fewer than ``min_words`` words and has a page to fetch them from."""
    return bool(entry.url) and len((entry.content or entry.summary).split()) < min_words


def extract_main_text(html: bytes, *, url: str) -> str | None:
    """The article text of a page (trafilatura, no network), paragraphs separated by blank lines;
    None when nothing or too little (under `MIN_EXTRACTED_WORDS` words) is found."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    if isinstance(doc, dict):  # only with as_dict=True, which is not asked for
        raise TypeError("trafilatura returned a dict")
    if doc is None or not doc.text or len(doc.text.split()) < MIN_EXTRACTED_WORDS:
        return None
    lines = [" ".join(line.split()) for line in doc.text.splitlines() if line.strip()]
    body = drop_headline("\n".join(lines), doc.title)  # `Article.text` is the body only
    return clean_text("\n\n".join(body.splitlines())) or None
