"""OPML import and export: the feed lists other readers give and take.

Parsing never resolves entities nor touches the network (no XXE, no "billion laughs"); malformed
input is a `ValueError` whose message is one line naming the source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formatdate

from lxml import etree

from bot.sources.feeds import is_http_url

_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class OutlineFeed:
    """One feed of an OPML list: its URL (``xmlUrl``) and optional title."""

    url: str
    title: str | None = None


def parse_opml(data: bytes, *, source: str, refused: list[str] | None = None) -> list[OutlineFeed]:
    """Every outline with an http(s) ``xmlUrl``, at any depth (folders are flattened), in document order,
    each URL once. ``title`` is the outline's ``title``, else its ``text`` unless that is the URL.

    An OPML file is a list made elsewhere: any other URL (``file:``, a local path) is left out, and
    added to ``refused`` when given, for a one-line error each.
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{source}: malformed OPML ({' '.join(str(exc).split())})") from None
    if root is None or not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        tag = etree.QName(root).localname if root is not None and isinstance(root.tag, str) else "?"
        raise ValueError(f"{source}: not an OPML document (root element <{tag}>)")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ValueError(f"{source}: malformed OPML (entity declarations are not allowed)")
    feeds: list[OutlineFeed] = []
    seen: set[str] = set()
    for outline in root.iter("{*}outline"):
        attrs = {k.lower(): (v or "").strip() for k, v in outline.attrib.items() if isinstance(k, str)}
        url = attrs.get("xmlurl", "")
        if not url or url in seen:
            continue
        seen.add(url)
        if not is_http_url(url):
            if refused is not None:
                refused.append(url)
            continue
        title = attrs.get("title") or (attrs.get("text") if attrs.get("text") != url else None) or None
        feeds.append(OutlineFeed(url=url, title=title))
    return feeds


def to_opml(feeds: Iterable[OutlineFeed], *, title: str = "newsbrief feeds") -> str:
    """An OPML 2.0 document listing ``feeds`` (escaping is lxml's job; control characters are dropped)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = _xml_safe(title)
    etree.SubElement(head, "dateCreated").text = formatdate(usegmt=True)
    body = etree.SubElement(root, "body")
    for feed in feeds:
        outline = etree.SubElement(body, "outline", type="rss", text=_xml_safe(feed.title or feed.url))
        if feed.title:
            outline.set("title", _xml_safe(feed.title))
        outline.set("xmlUrl", _xml_safe(feed.url))
    xml = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)
